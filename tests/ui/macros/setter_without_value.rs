// Rule: a `#[setter]` takes `&self` (or `&mut self`) and exactly one value.
use pyo3_ft::{pyclass, pymethods};

#[pyclass(mutable)]
struct Point {
    x: f64,
}

#[pymethods]
impl Point {
    #[setter]
    fn set_x(&mut self) {
        self.x = 0.0;
    }
}

fn main() {}
