// Rule: a method without `self` must be marked `#[staticmethod]` (or be a `#[classmethod]`).
use pyo3_ft::{pyclass, pymethods};

#[pyclass]
struct Point {
    x: f64,
}

#[pymethods]
impl Point {
    fn origin_x() -> f64 {
        0.0
    }
}

fn main() {}
