// Rule: `__getbuffer__` shares the object with the export; it cannot take
// `&mut self`.
use pyo3_ft::{pyclass, pymethods};

#[pyclass(mutable)]
struct Grows {
    bytes: Vec<u8>,
}

#[pymethods]
impl Grows {
    fn __getbuffer__(&mut self) -> &[u8] {
        self.bytes.push(0);
        &self.bytes
    }
}

fn main() {}
