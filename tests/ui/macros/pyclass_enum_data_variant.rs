// Rule: in a `#[pyclass]` enum with data, each variant is a class constructed by calling it, so a bare unit variant is written `Name {}` or `Name()`.
use pyo3_ft::pyclass;

#[pyclass]
enum Shape {
    Circle { radius: f64 },
    Empty,
}

fn main() {}
