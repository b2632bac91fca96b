// Rule: a magic method takes exactly the arguments its slot passes (`__len__`: none besides `self`).
use pyo3_ft::{pyclass, pymethods};

#[pyclass]
struct Bag {
    items: Vec<i64>,
}

#[pymethods]
impl Bag {
    fn __len__(&self, extra: i64) -> usize {
        self.items.len() + extra as usize
    }
}

fn main() {}
