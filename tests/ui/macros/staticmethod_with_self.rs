// Rule: a `#[staticmethod]` cannot take `self`.
use pyo3_ft::{pyclass, pymethods};

#[pyclass]
struct Point {
    x: f64,
}

#[pymethods]
impl Point {
    #[staticmethod]
    fn x(&self) -> f64 {
        self.x
    }
}

fn main() {}
