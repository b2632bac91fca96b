//! Modules.

use std::ffi::CString;

use pyo3_ft_runtime::ffi;

use super::builtin_type;
use crate::conversion::IntoPyObject;
use crate::err::PyResult;
use crate::exceptions::PyValueError;
use crate::instance::Bound;
use crate::python::Python;
use crate::types::{PyAny, PyDict, PyString};

builtin_type!(
    /// Python's module type.
    PyModule, "module", std::ptr::addr_of_mut!(ffi::PyModule_Type), |ob| {
        let ty = ffi::Py_TYPE(ob);
        ty == std::ptr::addr_of_mut!(ffi::PyModule_Type)
            || ffi::PyType_IsSubtype(ty, std::ptr::addr_of_mut!(ffi::PyModule_Type)) != 0
    }
);

impl PyModule {
    /// A new, empty module named `name`.
    pub fn new<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyModule>> {
        let name = CString::new(name)
            .map_err(|_| PyValueError::new_err("module name cannot contain NUL"))?;
        // SAFETY: `name` is a valid C string; returns a new module or null.
        unsafe {
            Ok(
                Bound::from_owned_ptr_or_err(py, ffi::PyModule_New(name.as_ptr()))?
                    .downcast_into_unchecked(),
            )
        }
    }
}

impl<'py> Bound<'py, PyModule> {
    /// `self.__dict__`.
    pub fn dict(&self) -> Bound<'py, PyDict> {
        // SAFETY: `self` is a module; its dict lives as long as it, and we
        // take a strong reference right away.
        unsafe {
            Bound::from_borrowed_ptr(self.py(), ffi::PyModule_GetDict(self.as_ptr()))
                .downcast_into_unchecked()
        }
    }

    /// `self.__name__`.
    pub fn name(&self) -> PyResult<String> {
        // SAFETY: `self` is a module; returns a new str or null.
        unsafe {
            Bound::from_owned_ptr_or_err(self.py(), ffi::PyModule_GetNameObject(self.as_ptr()))?
                .extract()
        }
    }

    /// Sets the module attribute `name` (functions, classes, constants).
    pub fn add<V: IntoPyObject<'py>>(&self, name: &str, value: V) -> PyResult<()> {
        self.as_any().setattr(name, value)
    }

    /// Adds a `#[pyfunction]`: `m.add_function(wrap_pyfunction!(add))`.
    ///
    /// Modules of one name share one function object per definition, so
    /// importing a module again creates no new functions. On free-threaded
    /// builds it is immortal, so threads calling it do not contend on its
    /// reference count; it keeps no module object alive (`__self__` is
    /// `None`).
    pub fn add_function(&self, function: &'static crate::impl_::PyFunctionDef) -> PyResult<()> {
        let name = self
            .as_any()
            .getattr("__name__")?
            .downcast_into::<PyString>()?;
        let object = function.module_function(self.py(), &name)?;
        let function_name = object.getattr("__name__")?;
        self.as_any().setattr(function_name, object)
    }

    /// Adds a `#[pyclass]` under its Python name, creating its type object
    /// if needed; a class without `module = "..."` gets this module's name
    /// as `__module__`.
    pub fn add_class<T: crate::pyclass::PyClass>(&self) -> PyResult<()> {
        let py = self.py();
        let ty = T::lazy_type_object().get_or_try_init(py)?;
        if T::info().module.is_none() {
            crate::pyclass::set_module_name(ty, &self.name()?)?;
        }
        self.add(T::info().name, ty)
    }

    /// Gets the module attribute `name`.
    pub fn get(&self, name: &str) -> PyResult<Bound<'py, PyAny>> {
        self.as_any().getattr(name)
    }
}
