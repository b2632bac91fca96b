// Rule: a `#[pyclass]` enum must be C-like: no variant may carry data.
use pyo3_ft::pyclass;

#[pyclass]
enum Shape {
    Empty,
    Circle(f64),
}

fn main() {}
