//! `complex`.

use pyo3_ft_runtime::ffi;

use super::builtin_type;
use crate::instance::Bound;
use crate::python::Python;

builtin_type!(
    /// Python's `complex`.
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::types::PyComplex;
    ///
    /// Python::attach(|py| {
    ///     let z = PyComplex::from_doubles(py, 1.5, -2.0);
    ///     assert_eq!((z.real(), z.imag()), (1.5, -2.0));
    /// });
    /// ```
    PyComplex, "complex", std::ptr::addr_of_mut!(ffi::PyComplex_Type), |ob| {
        let ty = ffi::Py_TYPE(ob);
        ty == std::ptr::addr_of_mut!(ffi::PyComplex_Type)
            || ffi::PyType_IsSubtype(ty, std::ptr::addr_of_mut!(ffi::PyComplex_Type)) != 0
    }
);

impl PyComplex {
    /// `complex(real, imag)`.
    pub fn from_doubles(py: Python<'_>, real: f64, imag: f64) -> Bound<'_, PyComplex> {
        // SAFETY: attached; returns a new complex or null (out of memory).
        unsafe {
            Bound::from_owned_ptr_or_err(py, ffi::PyComplex_FromDoubles(real, imag))
                .expect("out of memory creating a complex")
                .downcast_into_unchecked()
        }
    }
}

impl Bound<'_, PyComplex> {
    /// The real part.
    pub fn real(&self) -> f64 {
        // SAFETY: `self` is a complex, so the call cannot fail.
        unsafe { ffi::PyComplex_RealAsDouble(self.as_ptr()) }
    }

    /// The imaginary part.
    pub fn imag(&self) -> f64 {
        // SAFETY: `self` is a complex, so the call cannot fail.
        unsafe { ffi::PyComplex_ImagAsDouble(self.as_ptr()) }
    }
}
