//! `int`.

use pyo3_ft_runtime::ffi;

use super::builtin_type;

builtin_type!(
    /// Python's `int` (arbitrary precision). Convert with `extract::<i64>()`
    /// and friends, which raise `OverflowError` when out of range.
    PyInt, "int", std::ptr::addr_of_mut!(ffi::PyLong_Type), |ob| ffi::Py_TypeHasFlag(ob, ffi::Py_TPFLAGS_LONG_SUBCLASS)
);
