// Rule: a `#[pymethods]` impl block cannot be generic.
use pyo3_ft::{pyclass, pymethods};

#[pyclass]
struct Point {
    x: f64,
}

#[pymethods]
impl<T> Point {
    fn x(&self) -> f64 {
        self.x
    }
}

fn main() {}
