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
