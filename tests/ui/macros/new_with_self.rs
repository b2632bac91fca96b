// Rule: `#[new]` builds the value, so it cannot take `self`.
use pyo3_ft::{pyclass, pymethods};

#[pyclass]
struct Point {
    x: f64,
}

#[pymethods]
impl Point {
    #[new]
    fn new(&self, x: f64) -> Self {
        Point { x: self.x + x }
    }
}

fn main() {}
