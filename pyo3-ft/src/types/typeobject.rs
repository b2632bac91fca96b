//! Type objects.

use pyo3_ft_runtime::ffi;

use super::builtin_type;
use crate::err::PyResult;
use crate::instance::Bound;
use crate::types::{PyAny, PyString};

builtin_type!(
    /// Python's `type`: classes.
    PyType, "type", std::ptr::addr_of_mut!(ffi::PyType_Type), |ob| ffi::Py_TypeHasFlag(ob, ffi::Py_TPFLAGS_TYPE_SUBCLASS)
);

impl<'py> Bound<'py, PyType> {
    fn as_type_ptr(&self) -> *mut ffi::PyTypeObject {
        self.as_ptr().cast()
    }

    /// `__name__`.
    pub fn name(&self) -> PyResult<Bound<'py, PyString>> {
        // SAFETY: `self` is a type; returns a new str or null.
        unsafe {
            Ok(
                Bound::from_owned_ptr_or_err(self.py(), ffi::PyType_GetName(self.as_type_ptr()))?
                    .downcast_into_unchecked(),
            )
        }
    }

    /// `__qualname__`.
    pub fn qualname(&self) -> PyResult<Bound<'py, PyString>> {
        // SAFETY: `self` is a type; returns a new str or null.
        unsafe {
            Ok(Bound::from_owned_ptr_or_err(
                self.py(),
                ffi::PyType_GetQualName(self.as_type_ptr()),
            )?
            .downcast_into_unchecked())
        }
    }

    /// `module.qualname` (just `qualname` for builtins), as CPython's
    /// error messages name a type.
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    ///
    /// Python::attach(|py| {
    ///     let ty = py.import("collections")?.getattr("OrderedDict")?;
    ///     let ty = ty.cast::<pyo3_ft::types::PyType>()?;
    ///     assert_eq!(ty.fully_qualified_name()?.to_str()?, "collections.OrderedDict");
    ///     Ok::<_, PyErr>(())
    /// })?;
    /// # Ok::<(), PyErr>(())
    /// ```
    pub fn fully_qualified_name(&self) -> PyResult<Bound<'py, PyString>> {
        // SAFETY: `self` is a type; returns a new str or null.
        unsafe {
            Ok(Bound::from_owned_ptr_or_err(
                self.py(),
                ffi::PyType_GetFullyQualifiedName(self.as_type_ptr()),
            )?
            .downcast_into_unchecked())
        }
    }

    /// `__module__`.
    pub fn module(&self) -> PyResult<Bound<'py, PyAny>> {
        self.as_any().getattr("__module__")
    }

    /// `__qualname__` as a Rust string, `"<unknown>"` if that fails.
    pub fn qualname_lossy(&self) -> String {
        self.qualname()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|_| "<unknown>".to_owned())
    }

    /// The type's own `__dict__` (a dict, not the read-only proxy Python
    /// shows), for the framework's use on classes it created.
    pub(crate) fn type_dict(&self) -> Bound<'py, crate::types::PyDict> {
        // SAFETY: a ready type's `tp_dict` is a dict that lives as long as
        // the type; a strong reference is taken at once.
        unsafe {
            Bound::from_borrowed_ptr(self.py(), (*self.as_type_ptr()).tp_dict)
                .downcast_into_unchecked()
        }
    }

    /// Sets `name` on a class the framework created (even an immutable
    /// one) and invalidates the type's attribute cache.
    pub(crate) fn set_class_attribute(&self, name: &str, value: Bound<'py, PyAny>) -> PyResult<()> {
        self.type_dict().set_item(name, value)?;
        // SAFETY: `self` is a type whose dict just changed.
        unsafe { ffi::PyType_Modified(self.as_type_ptr()) };
        Ok(())
    }

    /// `issubclass(self, other)`.
    pub fn is_subclass(&self, other: &Bound<'py, PyType>) -> bool {
        // SAFETY: both are types; the check cannot fail.
        unsafe { ffi::PyType_IsSubtype(self.as_type_ptr(), other.as_type_ptr()) != 0 }
    }
}
