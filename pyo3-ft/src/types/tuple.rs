//! `tuple`.

use pyo3_ft_runtime::ffi;

use super::builtin_type;
use crate::conversion::IntoPyObject;
use crate::err::PyResult;
use crate::instance::{Borrowed, Bound};
use crate::python::Python;
use crate::types::PyAny;

builtin_type!(
    /// Python's `tuple`.
    PyTuple, "tuple", std::ptr::addr_of_mut!(ffi::PyTuple_Type), |ob| ffi::Py_TypeHasFlag(ob, ffi::Py_TPFLAGS_TUPLE_SUBCLASS)
);

impl PyTuple {
    /// A tuple of the converted `items`.
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::types::PyTuple;
    ///
    /// Python::attach(|py| {
    ///     let t = PyTuple::new(py, [1, 2, 3])?;
    ///     assert_eq!(t.repr()?.to_str()?, "(1, 2, 3)");
    ///     Ok::<_, PyErr>(())
    /// })?;
    /// # Ok::<(), PyErr>(())
    /// ```
    pub fn new<'py, I>(py: Python<'py>, items: I) -> PyResult<Bound<'py, PyTuple>>
    where
        I: IntoIterator,
        I::Item: IntoPyObject<'py>,
        I::IntoIter: ExactSizeIterator,
    {
        let items = items.into_iter();
        let len = items.len();
        let tuple = Self::with_len(py, len)?;
        let mut filled = 0;
        for item in items.take(len) {
            // SAFETY: `tuple` is new and unshared, `filled < len`; SET_ITEM
            // steals the converted reference.
            unsafe {
                ffi::PyTuple_SET_ITEM(
                    tuple.as_ptr(),
                    filled as isize,
                    item.into_pyobject(py)?.into_ptr(),
                )
            };
            filled += 1;
        }
        assert_eq!(filled, len, "ExactSizeIterator reported a wrong length");
        Ok(tuple)
    }

    /// `()`.
    pub fn empty(py: Python<'_>) -> Bound<'_, PyTuple> {
        Self::with_len(py, 0).expect("creating an empty tuple cannot fail")
    }

    /// A tuple of `len` null slots, to be filled before anyone sees it. A
    /// partially filled tuple is still safe to drop (dealloc skips nulls).
    pub(crate) fn with_len(py: Python<'_>, len: usize) -> PyResult<Bound<'_, PyTuple>> {
        // SAFETY: attached; returns a new tuple or null with MemoryError.
        unsafe {
            Ok(
                Bound::from_owned_ptr_or_err(py, ffi::PyTuple_New(len as isize))?
                    .downcast_into_unchecked(),
            )
        }
    }
}

impl<'py> Bound<'py, PyTuple> {
    /// The number of items (tuples cannot change size).
    #[inline]
    // Clippy checks this against `Bound<PyAny>::is_empty`, which returns a
    // `PyResult`; this type's own `is_empty` is right below.
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        // SAFETY: `self` is a tuple.
        unsafe { ffi::Py_SIZE(self.as_ptr()) as usize }
    }

    /// `len() == 0`.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Item `index`, borrowed: tuples are immutable, so the item lives as
    /// long as the tuple. `None` when out of range.
    #[inline]
    pub fn get_borrowed_item<'a>(&'a self, index: usize) -> Option<Borrowed<'a, 'py, PyAny>> {
        // SAFETY: `index` is in range; the item is alive while `self` is.
        (index < self.len()).then(|| unsafe {
            Borrowed::from_ptr(
                self.py(),
                ffi::PyTuple_GET_ITEM(self.as_ptr(), index as isize),
            )
        })
    }

    /// Item `index`, or `IndexError`.
    pub fn get_item(&self, index: usize) -> PyResult<Bound<'py, PyAny>> {
        self.get_borrowed_item(index)
            .map(Borrowed::to_owned)
            .ok_or_else(|| crate::exceptions::PyIndexError::new_err("tuple index out of range"))
    }

    /// The items, borrowed.
    pub fn iter_borrowed<'a>(
        &'a self,
    ) -> impl ExactSizeIterator<Item = Borrowed<'a, 'py, PyAny>> + 'a {
        (0..self.len()).map(|i| self.get_borrowed_item(i).expect("index within len"))
    }

    /// The items as new references.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Bound<'py, PyAny>> + '_ {
        self.iter_borrowed().map(Borrowed::to_owned)
    }
}
