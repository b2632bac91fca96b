// Rule: a `#[getter]` takes `&self` and no other argument.
use pyo3_ft::{pyclass, pymethods};

#[pyclass]
struct Point {
    x: f64,
}

#[pymethods]
impl Point {
    #[getter]
    fn scaled(&self, factor: f64) -> f64 {
        self.x * factor
    }
}

fn main() {}
