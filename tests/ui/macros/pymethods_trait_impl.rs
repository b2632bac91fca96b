// Rule: `#[pymethods]` goes on an inherent impl block, not a trait impl.
use pyo3_ft::{pyclass, pymethods};

#[pyclass]
struct Point {
    x: f64,
}

#[pymethods]
impl Clone for Point {
    fn clone(&self) -> Self {
        Point { x: self.x }
    }
}

fn main() {}
