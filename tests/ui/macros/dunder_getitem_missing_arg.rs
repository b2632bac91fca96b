// Rule: a magic method takes exactly the arguments its slot passes (`__getitem__`: the key).
use pyo3_ft::{pyclass, pymethods};

#[pyclass]
struct Bag {
    items: Vec<i64>,
}

#[pymethods]
impl Bag {
    fn __getitem__(&self) -> i64 {
        self.items[0]
    }
}

fn main() {}
