// Rule: a method has at most one role marker (#[new], #[getter], #[setter], #[classmethod], #[staticmethod], #[classattr]).
use pyo3_ft::{pyclass, pymethods};

#[pyclass]
struct Point {
    x: f64,
}

#[pymethods]
impl Point {
    #[staticmethod]
    #[classattr]
    fn origin() -> f64 {
        0.0
    }
}

fn main() {}
