//! The mapping protocol.

use pyo3_ft_runtime::ffi;

use super::abc::is_instance_of_abc;
use crate::err::{PyErr, PyResult};
use crate::instance::{Bound, Py};
use crate::python::Python;
use crate::sync::PyOnceLock;
use crate::type_info::{DerefToPyAny, PyTypeInfo};
use crate::types::{PyAny, PyList};

/// Any mapping: a `dict` or an instance of `collections.abc.Mapping`
/// (registered or inheriting), as PyO3 checks it.
///
/// ```
/// use pyo3_ft::prelude::*;
/// use pyo3_ft::types::PyMapping;
///
/// Python::attach(|py| {
///     let proxy = py.eval("type.__dict__['__dict__'].__get__(int)", None, None)?;
///     let mapping = proxy.cast::<PyMapping>()?;
///     assert!(mapping.contains("bit_length")?);
///     assert!(py.eval("[1]", None, None)?.cast::<PyMapping>().is_err());
///     Ok::<_, PyErr>(())
/// })?;
/// # Ok::<(), PyErr>(())
/// ```
pub struct PyMapping {
    _private: [u8; 0],
}

// SAFETY: no layout is assumed: every method goes through the abstract
// protocol, which checks the object itself.
unsafe impl PyTypeInfo for PyMapping {
    const NAME: &'static str = "Mapping";
    const TYPE_HINT: crate::stubs::TypeHint = crate::stubs::TypeHint::Subscript(
        "collections.abc.Mapping",
        &[crate::stubs::TypeHint::ANY, crate::stubs::TypeHint::ANY],
    );

    fn type_object_raw(_py: Python<'_>) -> *mut ffi::PyTypeObject {
        std::ptr::addr_of_mut!(ffi::PyBaseObject_Type)
    }

    fn is_type_of(object: &Bound<'_, PyAny>) -> bool {
        static ABC: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
        // SAFETY: `object` keeps the pointer alive.
        let builtin =
            unsafe { ffi::Py_TypeHasFlag(object.as_ptr(), ffi::Py_TPFLAGS_DICT_SUBCLASS) };
        builtin || is_instance_of_abc(object, &ABC, "Mapping")
    }
}

impl DerefToPyAny for PyMapping {}

/// Wraps a list snapshot (new reference or null).
///
/// # Safety
/// `list` must follow that convention and be a list when non-null.
unsafe fn list<'py>(
    mapping: &Bound<'py, PyMapping>,
    list: *mut ffi::PyObject,
) -> PyResult<Bound<'py, PyList>> {
    // SAFETY: the caller's contract.
    unsafe { Ok(Bound::from_owned_ptr_or_err(mapping.py(), list)?.downcast_into_unchecked()) }
}

impl<'py> Bound<'py, PyMapping> {
    /// `len(self)`.
    pub fn len(&self) -> PyResult<usize> {
        // SAFETY: `self` is alive.
        let len = unsafe { ffi::PyMapping_Size(self.as_ptr()) };
        if len < 0 {
            return Err(PyErr::fetch(self.py()));
        }
        Ok(len as usize)
    }

    /// `list(self.keys())`.
    pub fn keys(&self) -> PyResult<Bound<'py, PyList>> {
        // SAFETY: `self` is alive; returns a new list or null.
        unsafe { list(self, ffi::PyMapping_Keys(self.as_ptr())) }
    }

    /// `list(self.values())`.
    pub fn values(&self) -> PyResult<Bound<'py, PyList>> {
        // SAFETY: as for `keys`.
        unsafe { list(self, ffi::PyMapping_Values(self.as_ptr())) }
    }

    /// `list(self.items())`.
    pub fn items(&self) -> PyResult<Bound<'py, PyList>> {
        // SAFETY: as for `keys`.
        unsafe { list(self, ffi::PyMapping_Items(self.as_ptr())) }
    }
}
