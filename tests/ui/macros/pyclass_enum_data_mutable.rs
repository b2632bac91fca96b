// Rule: an enum with data keeps the default storage: a value cannot change variant, since each variant is its own class.
use pyo3_ft::pyclass;

#[pyclass(mutable)]
enum Shape {
    Circle { radius: f64 },
    Square(f64),
}

fn main() {}
