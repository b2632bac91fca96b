//! `None`.

use pyo3_ft_runtime::ffi;

use super::builtin_type;

builtin_type!(
    /// The type of `None`.
    PyNone, "NoneType", ffi::Py_TYPE(ffi::Py_None()), |ob| ob == ffi::Py_None()
);
