//! `bytearray`: mutable, so its contents are only ever copied out under
//! the object's critical section, never borrowed.

use pyo3_ft_runtime::ffi;

use super::any::check_status;
use super::builtin_type;
use crate::err::PyResult;
use crate::instance::Bound;
use crate::python::Python;
use crate::sync::critical_section;
use crate::types::PyAny;

builtin_type!(
    /// Python's `bytearray`.
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::types::PyByteArray;
    ///
    /// Python::attach(|py| {
    ///     let array = PyByteArray::new(py, b"abc");
    ///     array.resize(2)?;
    ///     assert_eq!(array.to_vec(), b"ab");
    ///     Ok::<_, PyErr>(())
    /// })?;
    /// # Ok::<(), PyErr>(())
    /// ```
    PyByteArray, "bytearray", std::ptr::addr_of_mut!(ffi::PyByteArray_Type), |ob| {
        let ty = ffi::Py_TYPE(ob);
        ty == std::ptr::addr_of_mut!(ffi::PyByteArray_Type)
            || ffi::PyType_IsSubtype(ty, std::ptr::addr_of_mut!(ffi::PyByteArray_Type)) != 0
    }
);

impl PyByteArray {
    /// A new bytearray holding a copy of `data`.
    pub fn new<'py>(py: Python<'py>, data: &[u8]) -> Bound<'py, PyByteArray> {
        // SAFETY: `data` is valid for its length; returns a new bytearray
        // or null (out of memory).
        unsafe {
            Bound::from_owned_ptr_or_err(
                py,
                ffi::PyByteArray_FromStringAndSize(data.as_ptr().cast(), data.len() as isize),
            )
            .expect("out of memory creating a bytearray")
            .downcast_into_unchecked()
        }
    }

    /// `bytearray(object)` for any object with the buffer protocol.
    pub fn from<'py>(object: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyByteArray>> {
        // SAFETY: `object` is alive; returns a new bytearray or null.
        unsafe {
            Ok(Bound::from_owned_ptr_or_err(
                object.py(),
                ffi::PyByteArray_FromObject(object.as_ptr()),
            )?
            .downcast_into_unchecked())
        }
    }
}

impl Bound<'_, PyByteArray> {
    /// The current length.
    // Clippy checks this against `Bound<PyAny>::is_empty`, which returns a
    // `PyResult`; this type's own `is_empty` is right below.
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        // SAFETY: `self` is a bytearray; the call cannot fail.
        unsafe { ffi::PyByteArray_Size(self.as_ptr()) as usize }
    }

    /// `len() == 0`.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A copy of the contents, taken under the array's critical section,
    /// which [`resize`](Self::resize) takes too. (On 3.13t, CPython's own
    /// `bytearray` methods take no lock, so Python code mutating the array
    /// from another thread at the same time is not excluded; 3.14 locks.)
    pub fn to_vec(&self) -> Vec<u8> {
        critical_section(self, || {
            // SAFETY: inside the critical section the buffer and its size
            // stay consistent; they are copied before it ends.
            unsafe {
                let data = ffi::PyByteArray_AsString(self.as_ptr());
                let len = ffi::PyByteArray_Size(self.as_ptr()) as usize;
                if len == 0 {
                    Vec::new()
                } else {
                    std::slice::from_raw_parts(data.cast::<u8>(), len).to_vec()
                }
            }
        })
    }

    /// Resizes to `len` bytes (new bytes are unspecified, as in C);
    /// `BufferError` while a memoryview exports it.
    pub fn resize(&self, len: usize) -> PyResult<()> {
        critical_section(self, || {
            // SAFETY: `self` is a bytearray.
            check_status(self.py(), unsafe {
                ffi::PyByteArray_Resize(self.as_ptr(), len as isize)
            })
        })
    }
}
