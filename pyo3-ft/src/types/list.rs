//! `list`. Items are read with `PyList_GetItemRef` (a strong reference),
//! never the borrowed-reference getter, which another thread's mutation
//! could invalidate on free-threaded builds.

use pyo3_ft_runtime::ffi;

use super::any::check_status;
use super::builtin_type;
use crate::conversion::IntoPyObject;
use crate::err::{PyErr, PyResult};
use crate::instance::Bound;
use crate::python::Python;
use crate::types::{PyAny, PySequence, PyTuple};

builtin_type!(
    /// Python's `list`. Other threads may mutate a list while you use it:
    /// lengths and indices can change between calls.
    PyList, "list", std::ptr::addr_of_mut!(ffi::PyList_Type), |ob| ffi::Py_TypeHasFlag(ob, ffi::Py_TPFLAGS_LIST_SUBCLASS)
);

impl PyList {
    /// A list of the converted `items`.
    pub fn new<'py, I>(py: Python<'py>, items: I) -> PyResult<Bound<'py, PyList>>
    where
        I: IntoIterator,
        I::Item: IntoPyObject<'py>,
    {
        let list = Self::empty(py);
        for item in items {
            list.append(item)?;
        }
        Ok(list)
    }

    /// `[]`.
    pub fn empty(py: Python<'_>) -> Bound<'_, PyList> {
        // SAFETY: attached; returns a new list or null (out of memory).
        unsafe {
            Bound::from_owned_ptr_or_err(py, ffi::PyList_New(0))
                .expect("out of memory creating a list")
                .downcast_into_unchecked()
        }
    }
}

impl<'py> Bound<'py, PyList> {
    /// The current length.
    // Clippy checks this against `Bound<PyAny>::is_empty`, which returns a
    // `PyResult`; this type's own `is_empty` is right below.
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        // SAFETY: `self` is a list; the call cannot fail.
        unsafe { ffi::PyList_Size(self.as_ptr()) as usize }
    }

    /// `len() == 0`.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Item `index` (a strong reference), or `IndexError`.
    pub fn get_item(&self, index: usize) -> PyResult<Bound<'py, PyAny>> {
        let index = isize::try_from(index)
            .map_err(|_| crate::exceptions::PyIndexError::new_err("list index out of range"))?;
        // SAFETY: `self` is a list; returns a new reference or null.
        unsafe {
            Bound::from_owned_ptr_or_err(self.py(), ffi::PyList_GetItemRef(self.as_ptr(), index))
        }
    }

    /// `self[index] = value`.
    pub fn set_item<V: IntoPyObject<'py>>(&self, index: usize, value: V) -> PyResult<()> {
        let value = value.into_pyobject(self.py())?;
        // SAFETY: `self` is a list; `PyList_SetItem` steals `value`.
        check_status(self.py(), unsafe {
            ffi::PyList_SetItem(self.as_ptr(), index as isize, value.into_ptr())
        })
    }

    /// `self.append(value)`.
    pub fn append<V: IntoPyObject<'py>>(&self, value: V) -> PyResult<()> {
        let value = value.into_pyobject(self.py())?;
        // SAFETY: both objects are alive.
        check_status(self.py(), unsafe {
            ffi::PyList_Append(self.as_ptr(), value.as_ptr())
        })
    }

    /// `self.insert(index, value)`: an index past the end appends.
    pub fn insert<V: IntoPyObject<'py>>(&self, index: usize, value: V) -> PyResult<()> {
        let value = value.into_pyobject(self.py())?;
        // Clamp rather than wrap: `usize::MAX as isize` is -1, which would
        // insert before the last item instead of appending.
        let index = isize::try_from(index).unwrap_or(isize::MAX);
        // SAFETY: both objects are alive.
        check_status(self.py(), unsafe {
            ffi::PyList_Insert(self.as_ptr(), index, value.as_ptr())
        })
    }

    /// `self[low:high]`, a new list (indices past the end are clamped).
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::types::PyList;
    ///
    /// Python::attach(|py| {
    ///     let list = PyList::new(py, [1, 2, 3, 2])?;
    ///     assert_eq!(list.get_slice(1, 100).len(), 3);
    ///     assert!(list.contains(3)?);
    ///     assert_eq!(list.index(2)?, 1);
    ///     list.del_item(0)?;
    ///     assert_eq!(list.extract::<Vec<i32>>()?, [2, 3, 2]);
    ///     Ok::<_, PyErr>(())
    /// })?;
    /// # Ok::<(), PyErr>(())
    /// ```
    pub fn get_slice(&self, low: usize, high: usize) -> Bound<'py, PyList> {
        let clamp = |index: usize| isize::try_from(index).unwrap_or(isize::MAX);
        // SAFETY: `self` is a list; the copy is taken under its lock and
        // is a new list, or null on memory exhaustion.
        unsafe {
            Bound::from_owned_ptr_or_err(
                self.py(),
                ffi::PyList_GetSlice(self.as_ptr(), clamp(low), clamp(high)),
            )
            .expect("out of memory slicing a list")
            .downcast_into_unchecked()
        }
    }

    /// `del self[index]` (`IndexError` out of range).
    pub fn del_item(&self, index: usize) -> PyResult<()> {
        self.as_sequence().del_item(index)
    }

    /// `value in self`.
    pub fn contains<V: IntoPyObject<'py>>(&self, value: V) -> PyResult<bool> {
        self.as_any().contains(value)
    }

    /// `self.index(value)` (`ValueError` when absent).
    pub fn index<V: IntoPyObject<'py>>(&self, value: V) -> PyResult<usize> {
        self.as_sequence().index(value)
    }

    /// The list as a [`PySequence`].
    pub fn as_sequence(&self) -> &Bound<'py, PySequence> {
        // SAFETY: a list is a sequence; `PySequence` assumes no layout.
        unsafe { self.as_any().downcast_unchecked() }
    }

    /// `self.sort()`.
    pub fn sort(&self) -> PyResult<()> {
        // SAFETY: `self` is a list.
        check_status(self.py(), unsafe { ffi::PyList_Sort(self.as_ptr()) })
    }

    /// `self.reverse()`.
    pub fn reverse(&self) -> PyResult<()> {
        // SAFETY: `self` is a list.
        check_status(self.py(), unsafe { ffi::PyList_Reverse(self.as_ptr()) })
    }

    /// `tuple(self)`: an atomic snapshot.
    pub fn to_tuple(&self) -> Bound<'py, PyTuple> {
        // SAFETY: `self` is a list; the copy is made under the list's lock.
        unsafe {
            Bound::from_owned_ptr_or_err(self.py(), ffi::PyList_AsTuple(self.as_ptr()))
                .expect("out of memory copying a list")
                .downcast_into_unchecked()
        }
    }

    /// Iterates by index with strong references; it ends when the index
    /// reaches the length at that moment, so concurrent appends may or may
    /// not be seen, and nothing is ever read out of bounds.
    pub fn iter(&self) -> PyListIterator<'py> {
        PyListIterator {
            list: self.clone(),
            index: 0,
        }
    }
}

/// Iterator of [`Bound<PyList>::iter`].
pub struct PyListIterator<'py> {
    list: Bound<'py, PyList>,
    index: usize,
}

impl<'py> Iterator for PyListIterator<'py> {
    type Item = Bound<'py, PyAny>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.index >= self.list.len() {
            return None;
        }
        // SAFETY: `list` is a list; returns a new reference or null when
        // another thread shrank it meanwhile.
        let item = unsafe { ffi::PyList_GetItemRef(self.list.as_ptr(), self.index as isize) };
        if item.is_null() {
            drop(PyErr::take(self.list.py()));
            return None;
        }
        self.index += 1;
        // SAFETY: a non-null result is a new reference.
        Some(unsafe { Bound::from_owned_ptr(self.list.py(), item) })
    }
}
