// Rule: `__getbuffer__` takes no arguments (the safe form) or the view and
// the flags (the raw form); `__releasebuffer__` needs a `__getbuffer__`.
use pyo3_ft::{pyclass, pymethods};

#[pyclass]
struct Odd {
    bytes: Vec<u8>,
}

#[pymethods]
impl Odd {
    fn __getbuffer__(&self, flags: i32) -> &[u8] {
        let _ = flags;
        &self.bytes
    }
}

#[pyclass]
struct ReleaseOnly {}

#[pymethods]
impl ReleaseOnly {
    unsafe fn __releasebuffer__(&self, view: *mut pyo3_ft::runtime::ffi::Py_buffer) {
        let _ = view;
    }
}

fn main() {}
