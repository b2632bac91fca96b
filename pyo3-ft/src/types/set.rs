//! `set` and `frozenset`.

use pyo3_ft_runtime::ffi;

use super::any::{check_bool, check_status};
use super::builtin_type;
use crate::conversion::IntoPyObject;
use crate::err::PyResult;
use crate::instance::Bound;
use crate::python::Python;
use crate::types::{PyAny, PyIterator};

/// `isinstance(ob, t)` for a type object static.
///
/// # Safety
/// `ob` must be alive and `t` a type object.
unsafe fn instance_of(ob: *mut ffi::PyObject, t: *mut ffi::PyTypeObject) -> bool {
    // SAFETY: the caller's contract: `ob` is alive and `t` a type.
    unsafe {
        let actual = ffi::Py_TYPE(ob);
        actual == t || ffi::PyType_IsSubtype(actual, t) != 0
    }
}

builtin_type!(
    /// Python's `set`.
    PySet, "set", std::ptr::addr_of_mut!(ffi::PySet_Type), |ob| instance_of(ob, std::ptr::addr_of_mut!(ffi::PySet_Type))
);

builtin_type!(
    /// Python's `frozenset`.
    PyFrozenSet, "frozenset", std::ptr::addr_of_mut!(ffi::PyFrozenSet_Type), |ob| instance_of(ob, std::ptr::addr_of_mut!(ffi::PyFrozenSet_Type))
);

/// Builds a set from converted items, through `add` (a new frozenset is
/// still private to its creator, so adding to it is allowed).
fn build<'py, I>(set: Bound<'py, PyAny>, items: I) -> PyResult<Bound<'py, PyAny>>
where
    I: IntoIterator,
    I::Item: IntoPyObject<'py>,
{
    let py = set.py();
    for item in items {
        let item = item.into_pyobject(py)?;
        // SAFETY: `set` is a new set or frozenset that no one else has seen.
        check_status(py, unsafe { ffi::PySet_Add(set.as_ptr(), item.as_ptr()) })?;
    }
    Ok(set)
}

/// # Safety
/// `make` must return a new set/frozenset reference or null.
unsafe fn empty(py: Python<'_>, made: *mut ffi::PyObject) -> PyResult<Bound<'_, PyAny>> {
    // SAFETY: the caller's contract is `from_owned_ptr_or_err`'s.
    unsafe { Bound::from_owned_ptr_or_err(py, made) }
}

impl PySet {
    /// A set of the converted `items`.
    pub fn new<'py, I>(py: Python<'py>, items: I) -> PyResult<Bound<'py, PySet>>
    where
        I: IntoIterator,
        I::Item: IntoPyObject<'py>,
    {
        // SAFETY: `PySet_New(NULL)` returns a new empty set or null.
        let set = unsafe { empty(py, ffi::PySet_New(std::ptr::null_mut()))? };
        // SAFETY: `build` returns the set it was given.
        Ok(unsafe { build(set, items)?.downcast_into_unchecked() })
    }
}

impl PyFrozenSet {
    /// A frozenset of the converted `items`.
    pub fn new<'py, I>(py: Python<'py>, items: I) -> PyResult<Bound<'py, PyFrozenSet>>
    where
        I: IntoIterator,
        I::Item: IntoPyObject<'py>,
    {
        // SAFETY: `PyFrozenSet_New(NULL)` returns a new empty frozenset or null.
        let set = unsafe { empty(py, ffi::PyFrozenSet_New(std::ptr::null_mut()))? };
        // SAFETY: `build` returns the frozenset it was given.
        Ok(unsafe { build(set, items)?.downcast_into_unchecked() })
    }
}

/// Methods shared by `set` and `frozenset`.
macro_rules! set_methods {
    ($ty:ty) => {
        impl<'py> Bound<'py, $ty> {
            /// The number of items.
            // Clippy checks this against `Bound<PyAny>::is_empty`, which returns a
            // `PyResult`; this type's own `is_empty` is right below.
            #[allow(clippy::len_without_is_empty)]
            pub fn len(&self) -> usize {
                // SAFETY: `self` is a set; the call cannot fail.
                unsafe { ffi::PySet_Size(self.as_ptr()) as usize }
            }

            /// `len() == 0`.
            pub fn is_empty(&self) -> bool {
                self.len() == 0
            }

            /// `key in self`.
            pub fn contains<K: IntoPyObject<'py>>(&self, key: K) -> PyResult<bool> {
                let key = key.into_pyobject(self.py())?;
                // SAFETY: both objects are alive.
                check_bool(self.py(), unsafe {
                    ffi::PySet_Contains(self.as_ptr(), key.as_ptr())
                })
            }

            /// Iterates with Python's own set iterator (`RuntimeError` if the
            /// set changes size meanwhile).
            pub fn iter(&self) -> PyResult<Bound<'py, PyIterator>> {
                self.as_any().try_iter()
            }
        }
    };
}

set_methods!(PySet);
set_methods!(PyFrozenSet);

impl<'py> Bound<'py, PySet> {
    /// `self.add(key)`.
    pub fn add<K: IntoPyObject<'py>>(&self, key: K) -> PyResult<()> {
        let key = key.into_pyobject(self.py())?;
        // SAFETY: both objects are alive.
        check_status(self.py(), unsafe {
            ffi::PySet_Add(self.as_ptr(), key.as_ptr())
        })
    }

    /// `self.discard(key)`; returns whether it was present.
    pub fn discard<K: IntoPyObject<'py>>(&self, key: K) -> PyResult<bool> {
        let key = key.into_pyobject(self.py())?;
        // SAFETY: both objects are alive.
        check_bool(self.py(), unsafe {
            ffi::PySet_Discard(self.as_ptr(), key.as_ptr())
        })
    }

    /// `self.pop()`, or `None` when empty.
    pub fn pop(&self) -> Option<Bound<'py, PyAny>> {
        // SAFETY: `self` is a set; returns a new reference or null (empty).
        let item = unsafe { ffi::PySet_Pop(self.as_ptr()) };
        if item.is_null() {
            drop(crate::err::PyErr::take(self.py()));
            return None;
        }
        // SAFETY: a non-null result is a new reference.
        Some(unsafe { Bound::from_owned_ptr(self.py(), item) })
    }

    /// `self.clear()`.
    pub fn clear(&self) {
        // SAFETY: `self` is a set; clearing cannot fail.
        unsafe { ffi::PySet_Clear(self.as_ptr()) };
    }
}
