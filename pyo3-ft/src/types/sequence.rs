//! The sequence protocol. Every item read is a strong reference
//! (`PySequence_GetItem`).

use pyo3_ft_runtime::ffi;

use super::abc::is_instance_of_abc;
use super::any::check_status;
use crate::conversion::IntoPyObject;
use crate::err::{PyErr, PyResult};
use crate::instance::{Bound, Py};
use crate::python::Python;
use crate::sync::PyOnceLock;
use crate::type_info::{DerefToPyAny, PyTypeInfo};
use crate::types::{PyAny, PyList, PyTuple};

/// Any sequence: a `list`, a `tuple` or an instance of
/// `collections.abc.Sequence` (`str`, `range`, ...), as PyO3 checks it.
///
/// ```
/// use pyo3_ft::prelude::*;
/// use pyo3_ft::types::PySequence;
///
/// Python::attach(|py| {
///     let seq = py.eval("range(10, 20)", None, None)?;
///     let seq = seq.cast::<PySequence>()?;
///     assert_eq!(seq.get_item(2)?.extract::<i32>()?, 12);
///     assert_eq!(seq.index(15)?, 5);
///     assert_eq!(seq.get_slice(0, 2)?.to_list()?.len(), 2);
///     Ok::<_, PyErr>(())
/// })?;
/// # Ok::<(), PyErr>(())
/// ```
pub struct PySequence {
    _private: [u8; 0],
}

// SAFETY: no layout is assumed: every method goes through the abstract
// protocol, which checks the object itself.
unsafe impl PyTypeInfo for PySequence {
    const NAME: &'static str = "Sequence";
    const TYPE_HINT: crate::stubs::TypeHint = crate::stubs::TypeHint::Subscript(
        "collections.abc.Sequence",
        &[crate::stubs::TypeHint::ANY],
    );

    fn type_object_raw(_py: Python<'_>) -> *mut ffi::PyTypeObject {
        std::ptr::addr_of_mut!(ffi::PyBaseObject_Type)
    }

    fn is_type_of(object: &Bound<'_, PyAny>) -> bool {
        static ABC: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
        // SAFETY: `object` keeps the pointer alive.
        let builtin = unsafe {
            ffi::Py_TypeHasFlag(
                object.as_ptr(),
                ffi::Py_TPFLAGS_LIST_SUBCLASS | ffi::Py_TPFLAGS_TUPLE_SUBCLASS,
            )
        };
        builtin || is_instance_of_abc(object, &ABC, "Sequence")
    }
}

impl DerefToPyAny for PySequence {}

/// `-1` with an exception set is an error; any other value a count.
fn count(sequence: &Bound<'_, PySequence>, value: ffi::Py_ssize_t) -> PyResult<usize> {
    if value < 0 {
        return Err(PyErr::fetch(sequence.py()));
    }
    Ok(value as usize)
}

impl<'py> Bound<'py, PySequence> {
    /// Runs a C call returning a new reference or null.
    ///
    /// # Safety
    /// `made` must follow that convention.
    unsafe fn new_ref(&self, made: *mut ffi::PyObject) -> PyResult<Bound<'py, PyAny>> {
        // SAFETY: the caller's contract.
        unsafe { Bound::from_owned_ptr_or_err(self.py(), made) }
    }

    /// `len(self)`.
    pub fn len(&self) -> PyResult<usize> {
        // SAFETY: `self` is alive.
        count(self, unsafe { ffi::PySequence_Size(self.as_ptr()) })
    }

    /// `self[index]` (a strong reference).
    pub fn get_item(&self, index: usize) -> PyResult<Bound<'py, PyAny>> {
        // SAFETY: `self` is alive.
        unsafe { self.new_ref(ffi::PySequence_GetItem(self.as_ptr(), index as isize)) }
    }

    /// `self[index] = value`.
    pub fn set_item<V: IntoPyObject<'py>>(&self, index: usize, value: V) -> PyResult<()> {
        let value = value.into_pyobject(self.py())?;
        // SAFETY: both objects are alive; the value is not stolen.
        check_status(self.py(), unsafe {
            ffi::PySequence_SetItem(self.as_ptr(), index as isize, value.as_ptr())
        })
    }

    /// `del self[index]`.
    pub fn del_item(&self, index: usize) -> PyResult<()> {
        // SAFETY: `self` is alive.
        check_status(self.py(), unsafe {
            ffi::PySequence_DelItem(self.as_ptr(), index as isize)
        })
    }

    /// `self[begin:end]`.
    pub fn get_slice(&self, begin: usize, end: usize) -> PyResult<Bound<'py, PySequence>> {
        let (begin, end) = (clamp(begin), clamp(end));
        // SAFETY: `self` is alive; a slice of a sequence is a sequence.
        unsafe {
            Ok(self
                .new_ref(ffi::PySequence_GetSlice(self.as_ptr(), begin, end))?
                .downcast_into_unchecked())
        }
    }

    /// `self + other`.
    pub fn concat(&self, other: &Bound<'py, PySequence>) -> PyResult<Bound<'py, PySequence>> {
        // SAFETY: both objects are alive; the result of `+` on sequences is
        // a sequence.
        unsafe {
            Ok(self
                .new_ref(ffi::PySequence_Concat(self.as_ptr(), other.as_ptr()))?
                .downcast_into_unchecked())
        }
    }

    /// `self * count`.
    pub fn repeat(&self, count: usize) -> PyResult<Bound<'py, PySequence>> {
        // SAFETY: `self` is alive; the result of `*` on sequences is one.
        unsafe {
            Ok(self
                .new_ref(ffi::PySequence_Repeat(self.as_ptr(), clamp(count)))?
                .downcast_into_unchecked())
        }
    }

    /// `self.count(value)`.
    pub fn count<V: IntoPyObject<'py>>(&self, value: V) -> PyResult<usize> {
        let value = value.into_pyobject(self.py())?;
        // SAFETY: both objects are alive.
        count(self, unsafe {
            ffi::PySequence_Count(self.as_ptr(), value.as_ptr())
        })
    }

    /// `self.index(value)` (`ValueError` when absent).
    pub fn index<V: IntoPyObject<'py>>(&self, value: V) -> PyResult<usize> {
        let value = value.into_pyobject(self.py())?;
        // SAFETY: both objects are alive.
        count(self, unsafe {
            ffi::PySequence_Index(self.as_ptr(), value.as_ptr())
        })
    }

    /// `list(self)`.
    pub fn to_list(&self) -> PyResult<Bound<'py, PyList>> {
        // SAFETY: `self` is alive; the result is a new list.
        unsafe {
            Ok(self
                .new_ref(ffi::PySequence_List(self.as_ptr()))?
                .downcast_into_unchecked())
        }
    }

    /// `tuple(self)`.
    pub fn to_tuple(&self) -> PyResult<Bound<'py, PyTuple>> {
        // SAFETY: `self` is alive; the result is a new tuple.
        unsafe {
            Ok(self
                .new_ref(ffi::PySequence_Tuple(self.as_ptr()))?
                .downcast_into_unchecked())
        }
    }
}

/// An index for the C API: past `isize::MAX` means "to the end".
fn clamp(index: usize) -> ffi::Py_ssize_t {
    isize::try_from(index).unwrap_or(isize::MAX)
}
