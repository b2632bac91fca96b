//! `memoryview`.

use pyo3_ft_runtime::ffi;

use super::builtin_type;
use crate::err::PyResult;
use crate::instance::Bound;
use crate::types::PyAny;

builtin_type!(
    /// Python's `memoryview` (reading its buffer directly is the buffer
    /// protocol's job).
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::types::{PyBytes, PyMemoryView};
    ///
    /// Python::attach(|py| {
    ///     let view = PyMemoryView::from(PyBytes::new(py, b"abc").as_any())?;
    ///     assert_eq!(view.call_method0("tobytes")?.extract::<Vec<u8>>()?, b"abc");
    ///     Ok::<_, PyErr>(())
    /// })?;
    /// # Ok::<(), PyErr>(())
    /// ```
    PyMemoryView, "memoryview", std::ptr::addr_of_mut!(ffi::PyMemoryView_Type), |ob| {
        ffi::Py_TYPE(ob) == std::ptr::addr_of_mut!(ffi::PyMemoryView_Type)
    }
);

impl PyMemoryView {
    /// `memoryview(object)`: `TypeError` without the buffer protocol.
    pub fn from<'py>(object: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyMemoryView>> {
        // SAFETY: `object` is alive; returns a new memoryview or null.
        unsafe {
            Ok(Bound::from_owned_ptr_or_err(
                object.py(),
                ffi::PyMemoryView_FromObject(object.as_ptr()),
            )?
            .downcast_into_unchecked())
        }
    }
}
