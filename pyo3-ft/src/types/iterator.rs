//! Python iterators, as Rust iterators.

use pyo3_ft_runtime::ffi;

use super::builtin_type;
use crate::err::{PyErr, PyResult};
use crate::instance::Bound;
use crate::types::PyAny;

builtin_type!(
    /// Any object with `__next__` (what `iter()` returns).
    PyIterator, "iterator", std::ptr::addr_of_mut!(ffi::PyBaseObject_Type), |ob| ffi::PyIter_Check(ob) != 0
);

impl PyIterator {
    /// `iter(object)`, PyO3's spelling of [`Bound::try_iter`]: `TypeError`
    /// for an object that is not iterable.
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::types::PyIterator;
    ///
    /// Python::attach(|py| {
    ///     let range = py.eval("range(3)", None, None)?;
    ///     let total: i64 = PyIterator::from_object(&range)?
    ///         .map(|item| item?.extract::<i64>())
    ///         .sum::<PyResult<i64>>()?;
    ///     assert_eq!(total, 3);
    ///     Ok::<_, PyErr>(())
    /// })?;
    /// # Ok::<(), PyErr>(())
    /// ```
    pub fn from_object<'py>(object: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyIterator>> {
        object.try_iter()
    }
}

impl<'py> Iterator for Bound<'py, PyIterator> {
    type Item = PyResult<Bound<'py, PyAny>>;

    /// `next(self)`: `None` when exhausted, `Some(Err)` when `__next__` raised.
    fn next(&mut self) -> Option<Self::Item> {
        let py = self.py();
        // SAFETY: `self` is an iterator; returns a new reference, or null
        // when exhausted (no exception) or failed (exception set).
        let item = unsafe { ffi::PyIter_Next(self.as_ptr()) };
        if item.is_null() {
            return PyErr::take(py).map(Err);
        }
        // SAFETY: a non-null result is a new reference.
        Some(Ok(unsafe { Bound::from_owned_ptr(py, item) }))
    }
}
