//! `bool`.

use pyo3_ft_runtime::ffi;

use super::builtin_type;
use crate::instance::Bound;

builtin_type!(
    /// Python's `bool`.
    PyBool, "bool", std::ptr::addr_of_mut!(ffi::PyBool_Type), |ob| ob == ffi::Py_True() || ob == ffi::Py_False()
);

impl Bound<'_, PyBool> {
    /// The Rust value.
    #[inline]
    pub fn is_true(&self) -> bool {
        self.as_ptr() == ffi::Py_True()
    }
}
