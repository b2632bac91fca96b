// Rule: a `#[classmethod]` takes the class as its first parameter: `cls: &Bound<'_, PyType>`.
use pyo3_ft::{pyclass, pymethods};

#[pyclass]
struct Point {
    x: f64,
}

#[pymethods]
impl Point {
    #[classmethod]
    fn origin() -> f64 {
        0.0
    }
}

fn main() {}
