//! `bytes`.

use pyo3_ft_runtime::ffi;

use super::builtin_type;
use crate::err::PyResult;
use crate::instance::{Borrowed, Bound};
use crate::python::Python;

builtin_type!(
    /// Python's `bytes`.
    PyBytes, "bytes", std::ptr::addr_of_mut!(ffi::PyBytes_Type), |ob| ffi::Py_TypeHasFlag(ob, ffi::Py_TPFLAGS_BYTES_SUBCLASS)
);

impl PyBytes {
    /// A new bytes object holding a copy of `data`.
    pub fn new<'py>(py: Python<'py>, data: &[u8]) -> Bound<'py, PyBytes> {
        // SAFETY: `data` is valid for its length.
        unsafe {
            Bound::from_owned_ptr_or_err(
                py,
                ffi::PyBytes_FromStringAndSize(data.as_ptr().cast(), data.len() as isize),
            )
            .expect("out of memory creating bytes")
            .downcast_into_unchecked()
        }
    }
}

impl PyBytes {
    /// A new bytes object of `len` bytes filled in place by `init` (which
    /// starts from zeros), without a copy; an error from `init` is returned
    /// and the object discarded.
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::types::PyBytes;
    ///
    /// Python::attach(|py| {
    ///     let bytes = PyBytes::new_with(py, 4, |buffer| {
    ///         buffer.copy_from_slice(b"abcd");
    ///         Ok(())
    ///     })?;
    ///     assert_eq!(bytes.as_bytes(), b"abcd");
    ///     Ok::<_, PyErr>(())
    /// })?;
    /// # Ok::<(), PyErr>(())
    /// ```
    pub fn new_with<'py>(
        py: Python<'py>,
        len: usize,
        init: impl FnOnce(&mut [u8]) -> PyResult<()>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        // SAFETY: a null source asks for an uninitialized buffer of `len`
        // bytes; returns a new bytes object or null.
        let bytes = unsafe {
            Bound::from_owned_ptr_or_err(
                py,
                ffi::PyBytes_FromStringAndSize(std::ptr::null(), len as isize),
            )?
        };
        // SAFETY: the object is new and not yet visible to any other code,
        // so writing its buffer (of `len` bytes) cannot race a reader; it is
        // zeroed before `init` sees it.
        let buffer = unsafe {
            let data = ffi::PyBytes_AsString(bytes.as_ptr()).cast::<u8>();
            std::ptr::write_bytes(data, 0, len);
            std::slice::from_raw_parts_mut(data, len)
        };
        init(buffer)?;
        // SAFETY: created as bytes above.
        Ok(unsafe { bytes.downcast_into_unchecked() })
    }
}

impl Bound<'_, PyBytes> {
    /// The contents, borrowed: bytes objects are immutable.
    pub fn as_bytes(&self) -> &[u8] {
        self.as_borrowed().as_bytes()
    }
}

impl<'a> Borrowed<'a, '_, PyBytes> {
    /// The contents, for as long as the borrow lasts.
    pub fn as_bytes(self) -> &'a [u8] {
        let mut data = std::ptr::null_mut();
        let mut len = 0;
        // SAFETY: `self` is a bytes object, so the call cannot fail; the
        // buffer lives as long as the object and never changes.
        unsafe {
            ffi::PyBytes_AsStringAndSize(self.as_ptr(), &mut data, &mut len);
            std::slice::from_raw_parts(data.cast(), len as usize)
        }
    }
}
