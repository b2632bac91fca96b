// Rule: the safe `__getbuffer__` returns a borrow of the value, which the
// export points into; an owned `Vec` would be freed at once.
use pyo3_ft::{pyclass, pymethods};

#[pyclass]
struct Copies {
    bytes: Vec<u8>,
}

#[pymethods]
impl Copies {
    fn __getbuffer__(&self) -> Vec<u8> {
        self.bytes.clone()
    }
}

fn main() {}
