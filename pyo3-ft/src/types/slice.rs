//! `slice`.

use pyo3_ft_runtime::ffi;

use super::builtin_type;
use crate::err::{PyErr, PyResult};
use crate::instance::Bound;
use crate::python::Python;

builtin_type!(
    /// Python's `slice`.
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::types::{PySlice, PySliceIndices};
    ///
    /// Python::attach(|py| {
    ///     let slice = PySlice::new(py, -3, isize::MAX, 1);
    ///     let indices = slice.indices(10)?;
    ///     assert_eq!(indices, PySliceIndices { start: 7, stop: 10, step: 1, slicelength: 3 });
    ///     Ok::<_, PyErr>(())
    /// })?;
    /// # Ok::<(), PyErr>(())
    /// ```
    PySlice, "slice", std::ptr::addr_of_mut!(ffi::PySlice_Type), |ob| {
        ffi::Py_TYPE(ob) == std::ptr::addr_of_mut!(ffi::PySlice_Type)
    }
);

/// A slice resolved against a length, as `slice.indices(length)` and the
/// number of items it selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PySliceIndices {
    /// The first index.
    pub start: isize,
    /// The end (exclusive).
    pub stop: isize,
    /// The step, never 0.
    pub step: isize,
    /// How many items it selects.
    pub slicelength: usize,
}

impl PySlice {
    /// `slice(start, stop, step)`.
    pub fn new(py: Python<'_>, start: isize, stop: isize, step: isize) -> Bound<'_, PySlice> {
        let ints = [start, stop, step].map(|value| {
            // SAFETY: attached; returns a new int or null (out of memory).
            unsafe { Bound::from_owned_ptr_or_err(py, ffi::PyLong_FromSsize_t(value)) }
                .expect("out of memory creating an int")
        });
        // SAFETY: the three ints are alive; returns a new slice or null.
        unsafe {
            Bound::from_owned_ptr_or_err(
                py,
                ffi::PySlice_New(ints[0].as_ptr(), ints[1].as_ptr(), ints[2].as_ptr()),
            )
            .expect("out of memory creating a slice")
            .downcast_into_unchecked()
        }
    }

    /// `slice(None)`: everything.
    pub fn full(py: Python<'_>) -> Bound<'_, PySlice> {
        // SAFETY: null fields mean None; returns a new slice or null.
        unsafe {
            Bound::from_owned_ptr_or_err(
                py,
                ffi::PySlice_New(
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                ),
            )
            .expect("out of memory creating a slice")
            .downcast_into_unchecked()
        }
    }
}

impl Bound<'_, PySlice> {
    /// `self.indices(length)`, with the selected count. `ValueError` for a
    /// zero step; `TypeError` when a field is not an integer or None (its
    /// `__index__` may run Python code, which is why this can fail).
    pub fn indices(&self, length: isize) -> PyResult<PySliceIndices> {
        let (mut start, mut stop, mut step) = (0, 0, 0);
        // SAFETY: `self` is a slice; the out-pointers are valid.
        if unsafe { ffi::PySlice_Unpack(self.as_ptr(), &mut start, &mut stop, &mut step) } < 0 {
            return Err(PyErr::fetch(self.py()));
        }
        // SAFETY: pure arithmetic on the unpacked values.
        let slicelength =
            unsafe { ffi::PySlice_AdjustIndices(length, &mut start, &mut stop, step) };
        Ok(PySliceIndices {
            start,
            stop,
            step,
            slicelength: slicelength as usize,
        })
    }
}
