//! `dict`. Lookups return strong references (`PyDict_GetItemRef`);
//! iteration steps through a snapshot with `PyDict_Next` inside a critical
//! section, turning each pair into strong references at once.

use pyo3_ft_runtime::ffi;

use super::any::{check_bool, check_status};
use super::builtin_type;
use crate::conversion::IntoPyObject;
use crate::err::PyResult;
use crate::instance::Bound;
use crate::python::Python;
use crate::sync::critical_section;
use crate::types::{PyAny, PyList, PyMapping};

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

impl PyDict {
    /// `dict(seq)` for an iterable of key-value pairs (`TypeError` or
    /// `ValueError` for items that are not pairs).
    pub fn from_sequence<'py>(seq: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(seq.py());
        // SAFETY: both objects are alive.
        check_status(seq.py(), unsafe {
            ffi::PyDict_MergeFromSeq2(dict.as_ptr(), seq.as_ptr(), 1)
        })?;
        Ok(dict)
    }
}

impl<'py> Bound<'py, PyDict> {
    /// `self.update(other)`: every pair of the mapping, overwriting.
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::types::{PyDict, PyMapping};
    ///
    /// Python::attach(|py| {
    ///     let dict = PyDict::from_sequence(&py.eval("[('a', 1), ('b', 2)]", None, None)?)?;
    ///     let other = py.eval("{'b': 20, 'c': 30}", None, None)?;
    ///     dict.update_if_missing(other.cast::<PyMapping>()?)?;
    ///     assert_eq!(dict.get_item("b")?.unwrap().extract::<i32>()?, 2);
    ///     dict.update(other.cast::<PyMapping>()?)?;
    ///     assert_eq!(dict.get_item("b")?.unwrap().extract::<i32>()?, 20);
    ///     assert_eq!(dict.len(), 3);
    ///     Ok::<_, PyErr>(())
    /// })?;
    /// # Ok::<(), PyErr>(())
    /// ```
    pub fn update(&self, other: &Bound<'py, PyMapping>) -> PyResult<()> {
        // SAFETY: both objects are alive.
        check_status(self.py(), unsafe {
            ffi::PyDict_Update(self.as_ptr(), other.as_ptr())
        })
    }

    /// Like [`update`](Self::update), keeping the keys already present.
    pub fn update_if_missing(&self, other: &Bound<'py, PyMapping>) -> PyResult<()> {
        // SAFETY: both objects are alive.
        check_status(self.py(), unsafe {
            ffi::PyDict_Merge(self.as_ptr(), other.as_ptr(), 0)
        })
    }

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
        // SAFETY: the caller's contract: a new list reference, or null with
        // an exception set.
        unsafe {
            Bound::from_owned_ptr_or_err(self.py(), list)
                .expect("out of memory copying a dict")
                .downcast_into_unchecked()
        }
    }

    /// Iterates over `(key, value)` pairs, as `for (k, v) in dict` does.
    ///
    /// The pairs come from a snapshot taken when iteration starts (one
    /// `dict.copy()`), so another thread, or the loop body, may change the
    /// dict meanwhile: iteration never fails, never sees a half-updated pair
    /// and never yields a reference that Python code could free. Changes
    /// made after the snapshot are not seen.
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::types::PyDict;
    ///
    /// Python::attach(|py| {
    ///     let dict = PyDict::new(py);
    ///     dict.set_item("a", 1)?;
    ///     for (key, value) in &dict {
    ///         dict.set_item(key, value.extract::<i32>()? + 1)?; // no RuntimeError
    ///     }
    ///     assert_eq!(dict.get_item("a")?.unwrap().extract::<i32>()?, 2);
    ///     Ok::<_, PyErr>(())
    /// })?;
    /// # Ok::<(), PyErr>(())
    /// ```
    pub fn iter(&self) -> PyDictIterator<'py> {
        PyDictIterator {
            snapshot: self.copy().expect("out of memory copying a dict"),
            pos: 0,
        }
    }
}

impl<'py> IntoIterator for &Bound<'py, PyDict> {
    type Item = (Bound<'py, PyAny>, Bound<'py, PyAny>);
    type IntoIter = PyDictIterator<'py>;

    fn into_iter(self) -> PyDictIterator<'py> {
        self.iter()
    }
}

impl<'py> IntoIterator for Bound<'py, PyDict> {
    type Item = (Bound<'py, PyAny>, Bound<'py, PyAny>);
    type IntoIter = PyDictIterator<'py>;

    fn into_iter(self) -> PyDictIterator<'py> {
        self.iter()
    }
}

/// Iterator of [`Bound<PyDict>::iter`]: steps through a private snapshot.
pub struct PyDictIterator<'py> {
    snapshot: Bound<'py, PyDict>,
    pos: ffi::Py_ssize_t,
}

impl<'py> Iterator for PyDictIterator<'py> {
    type Item = (Bound<'py, PyAny>, Bound<'py, PyAny>);

    fn next(&mut self) -> Option<Self::Item> {
        let py = self.snapshot.py();
        // Nothing else refers to the snapshot, but `gc.get_objects()` could
        // still reach it from another thread: step under its lock anyway
        // (uncontended, so cheap).
        critical_section(&self.snapshot, || {
            let (mut key, mut value) = (std::ptr::null_mut(), std::ptr::null_mut());
            // SAFETY: the critical section keeps the dict consistent while
            // `PyDict_Next` reads it, and the borrowed key and value become
            // strong references before it ends.
            let found = unsafe {
                ffi::PyDict_Next(self.snapshot.as_ptr(), &mut self.pos, &mut key, &mut value)
            };
            // SAFETY: as above.
            (found != 0).then(|| unsafe {
                (
                    Bound::from_borrowed_ptr(py, key),
                    Bound::from_borrowed_ptr(py, value),
                )
            })
        })
    }
}
