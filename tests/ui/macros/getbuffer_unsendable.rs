// Rule: an `unsendable` class cannot export a buffer: the memory would be
// read and released on other threads.
use pyo3_ft::{pyclass, pymethods};

#[pyclass(unsendable)]
struct Local {
    bytes: Vec<u8>,
}

#[pymethods]
impl Local {
    fn __getbuffer__(&self) -> &[u8] {
        &self.bytes
    }
}

fn main() {}
