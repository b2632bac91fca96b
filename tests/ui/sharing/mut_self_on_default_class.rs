// Rule: a default `#[pyclass]` has no lock, so a `&mut self` method is rejected (use `#[pyclass(mutable)]`).
use pyo3_ft::{pyclass, pymethods};

#[pyclass]
struct Counter {
    count: i64,
}

#[pymethods]
impl Counter {
    fn incr(&mut self) {
        self.count += 1;
    }
}

fn main() {}
