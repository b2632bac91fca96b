//! `float`.

use pyo3_ft_runtime::ffi;

use super::builtin_type;
use crate::instance::Bound;
use crate::python::Python;

builtin_type!(
    /// Python's `float`.
    PyFloat, "float", std::ptr::addr_of_mut!(ffi::PyFloat_Type), |ob| {
        let ty = ffi::Py_TYPE(ob);
        ty == std::ptr::addr_of_mut!(ffi::PyFloat_Type)
            || ffi::PyType_IsSubtype(ty, std::ptr::addr_of_mut!(ffi::PyFloat_Type)) != 0
    }
);

impl PyFloat {
    /// A new float.
    pub fn new(py: Python<'_>, value: f64) -> Bound<'_, PyFloat> {
        // SAFETY: attached; float creation only fails on memory exhaustion,
        // which `from_owned_ptr_or_err` would report, but CPython aborts first.
        unsafe {
            Bound::from_owned_ptr_or_err(py, ffi::PyFloat_FromDouble(value))
                .expect("out of memory creating a float")
                .downcast_into_unchecked()
        }
    }
}

impl Bound<'_, PyFloat> {
    /// The value.
    #[inline]
    pub fn value(&self) -> f64 {
        // SAFETY: `self` is a float (or subclass), whose layout starts with
        // `PyFloatObject`; floats are immutable.
        unsafe { (*self.as_ptr().cast::<ffi::PyFloatObject>()).ob_fval }
    }
}
