// Rule: `#[pymethods]` takes no options.
use pyo3_ft::{pyclass, pymethods};

#[pyclass]
struct Point {
    x: f64,
}

#[pymethods(name = "P")]
impl Point {
    fn x(&self) -> f64 {
        self.x
    }
}

fn main() {}
