//! `dict`. Lookups return strong references (`PyDict_GetItemRef`);
//! iteration runs `PyDict_Next` inside a critical section per step.

use pyo3_ft_runtime::ffi;

use super::any::{check_bool, check_status};
use super::builtin_type;
use crate::conversion::IntoPyObject;
use crate::err::PyResult;
use crate::exceptions::PyRuntimeError;
use crate::instance::Bound;
use crate::python::Python;
use crate::sync::critical_section;
use crate::types::{PyAny, PyList};

builtin_type!(
    /// Python's `dict`.
    PyDict, "dict", std::ptr::addr_of_mut!(ffi::PyDict_Type), |ob| ffi::Py_TypeHasFlag(ob, ffi::Py_TPFLAGS_DICT_SUBCLASS)
);

impl PyDict {
    /// `{}`.
    pub fn new(py: Python<'_>) -> Bound<'_, PyDict> {
        // SAFETY: attached; returns a new dict or null (out of memory).
        unsafe {
            Bound::from_owned_ptr_or_err(py, ffi::PyDict_New())
                .expect("out of memory creating a dict")
                .downcast_into_unchecked()
        }
    }
}

impl<'py> Bound<'py, PyDict> {
    /// The number of items.
    // Clippy checks this against `Bound<PyAny>::is_empty`, which returns a
    // `PyResult`; this type's own `is_empty` is right below.
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        // SAFETY: `self` is a dict; the call cannot fail.
        unsafe { ffi::PyDict_Size(self.as_ptr()) as usize }
    }

    /// `len() == 0`.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `self.get(key)`: `Ok(None)` when absent; errors from hashing the key.
    pub fn get_item<K: IntoPyObject<'py>>(&self, key: K) -> PyResult<Option<Bound<'py, PyAny>>> {
        let py = self.py();
        let key = key.into_pyobject(py)?;
        let mut value = std::ptr::null_mut();
        // SAFETY: both objects are alive; `value` receives a new reference
        // when the status is 1.
        let status = unsafe { ffi::PyDict_GetItemRef(self.as_ptr(), key.as_ptr(), &mut value) };
        // SAFETY: status 1 means `value` is an owned reference.
        check_bool(py, status)
            .map(|found| found.then(|| unsafe { Bound::from_owned_ptr(py, value) }))
    }

    /// `self[key] = value`.
    pub fn set_item<K: IntoPyObject<'py>, V: IntoPyObject<'py>>(
        &self,
        key: K,
        value: V,
    ) -> PyResult<()> {
        let py = self.py();
        let (key, value) = (key.into_pyobject(py)?, value.into_pyobject(py)?);
        // SAFETY: all objects are alive.
        check_status(py, unsafe {
            ffi::PyDict_SetItem(self.as_ptr(), key.as_ptr(), value.as_ptr())
        })
    }

    /// `del self[key]` (`KeyError` when absent).
    pub fn del_item<K: IntoPyObject<'py>>(&self, key: K) -> PyResult<()> {
        let key = key.into_pyobject(self.py())?;
        // SAFETY: both objects are alive.
        check_status(self.py(), unsafe {
            ffi::PyDict_DelItem(self.as_ptr(), key.as_ptr())
        })
    }

    /// `key in self`.
    pub fn contains<K: IntoPyObject<'py>>(&self, key: K) -> PyResult<bool> {
        let key = key.into_pyobject(self.py())?;
        // SAFETY: both objects are alive.
        check_bool(self.py(), unsafe {
            ffi::PyDict_Contains(self.as_ptr(), key.as_ptr())
        })
    }

    /// `self.clear()`.
    pub fn clear(&self) {
        // SAFETY: `self` is a dict.
        unsafe { ffi::PyDict_Clear(self.as_ptr()) }
    }

    /// `self.copy()`: an atomic snapshot.
    pub fn copy(&self) -> PyResult<Bound<'py, PyDict>> {
        // SAFETY: `self` is a dict; the result is a new dict or null.
        unsafe {
            Ok(
                Bound::from_owned_ptr_or_err(self.py(), ffi::PyDict_Copy(self.as_ptr()))?
                    .downcast_into_unchecked(),
            )
        }
    }

    /// `list(self.keys())`, `list(self.values())`, `list(self.items())`:
    /// each an atomic snapshot.
    pub fn keys(&self) -> Bound<'py, PyList> {
        // SAFETY: `self` is a dict; the result is a new list.
        unsafe { self.snapshot(ffi::PyDict_Keys(self.as_ptr())) }
    }

    /// See [`Bound::<PyDict>::keys`].
    pub fn values(&self) -> Bound<'py, PyList> {
        // SAFETY: as for `keys`.
        unsafe { self.snapshot(ffi::PyDict_Values(self.as_ptr())) }
    }

    /// See [`Bound::<PyDict>::keys`].
    pub fn items(&self) -> Bound<'py, PyList> {
        // SAFETY: as for `keys`.
        unsafe { self.snapshot(ffi::PyDict_Items(self.as_ptr())) }
    }

    /// # Safety
    /// `list` must be a new list reference or null.
    unsafe fn snapshot(&self, list: *mut ffi::PyObject) -> Bound<'py, PyList> {
        Bound::from_owned_ptr_or_err(self.py(), list)
            .expect("out of memory copying a dict")
            .downcast_into_unchecked()
    }

    /// Iterates over `(key, value)` pairs with strong references. Like
    /// Python's own dict iterator, it yields `Err(RuntimeError)` once if the
    /// dict changes size during iteration, then stops.
    pub fn iter(&self) -> PyDictIterator<'py> {
        PyDictIterator {
            dict: self.clone(),
            pos: 0,
            expected_len: self.len(),
            done: false,
        }
    }
}

/// Iterator of [`Bound<PyDict>::iter`].
pub struct PyDictIterator<'py> {
    dict: Bound<'py, PyDict>,
    pos: ffi::Py_ssize_t,
    expected_len: usize,
    done: bool,
}

impl<'py> Iterator for PyDictIterator<'py> {
    type Item = PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let py = self.dict.py();
        let step = critical_section(&self.dict, || {
            if self.dict.len() != self.expected_len {
                return Err(PyRuntimeError::new_err(
                    "dictionary changed size during iteration",
                ));
            }
            let (mut key, mut value) = (std::ptr::null_mut(), std::ptr::null_mut());
            // SAFETY: the critical section keeps the dict consistent while
            // `PyDict_Next` reads it, and the borrowed key and value are
            // turned into strong references before it ends.
            let found = unsafe {
                ffi::PyDict_Next(self.dict.as_ptr(), &mut self.pos, &mut key, &mut value)
            };
            // SAFETY: as above.
            Ok((found != 0).then(|| unsafe {
                (
                    Bound::from_borrowed_ptr(py, key),
                    Bound::from_borrowed_ptr(py, value),
                )
            }))
        });
        let item = step.transpose();
        self.done = !matches!(item, Some(Ok(_)));
        item
    }
}
