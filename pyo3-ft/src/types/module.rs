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
    /// `import name`, PyO3's spelling of [`Python::import`].
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::types::PyModule;
    ///
    /// Python::attach(|py| {
    ///     let os = PyModule::import(py, "os.path")?;
    ///     assert_eq!(os.name()?, "posixpath");
    ///     Ok::<_, PyErr>(())
    /// })?;
    /// # Ok::<(), PyErr>(())
    /// ```
    pub fn import<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyModule>> {
        py.import(name)
    }

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

    /// Adds a `#[pyfunction]` under its Python name:
    /// `m.add_function(wrap_pyfunction!(add))`, or PyO3's
    /// `m.add_function(wrap_pyfunction!(add, m)?)`.
    ///
    /// Modules of one name share one function object per definition, so
    /// importing a module again creates no new functions. On free-threaded
    /// builds it is immortal, so threads calling it do not contend on its
    /// reference count; it keeps no module object alive (`__self__` is
    /// `None`).
    pub fn add_function(&self, function: impl ModuleFunction<'py>) -> PyResult<()> {
        let object = function.into_function(self)?;
        let function_name = object.getattr("__name__")?;
        self.as_any().setattr(function_name, object)
    }

    /// The function object of `function` for this module (see
    /// [`Bound::add_function`]).
    pub(crate) fn function_object(
        &self,
        function: &'static crate::impl_::PyFunctionDef,
    ) -> PyResult<Bound<'py, PyAny>> {
        let name = self
            .as_any()
            .getattr("__name__")?
            .downcast_into::<PyString>()?;
        function.module_function(self.py(), &name)
    }

    /// Adds a `#[pyclass]` under its Python name, creating its type object
    /// if needed. A class without `module = "..."` belongs to this module:
    /// its `__module__` is this module's name.
    pub fn add_class<T: crate::pyclass::PyClass>(&self) -> PyResult<()> {
        let py = self.py();
        let module = self.name()?;
        let ty = T::lazy_type_object().get_or_try_init_in(py, Some(&module))?;
        if T::info().module.is_none() {
            // The type may have been created before, under another module.
            crate::pyclass::set_module_name(ty, T::info(), &module)?;
        }
        self.add(T::info().name, ty)
    }

    /// Adds `submodule` as the attribute named by the last part of its
    /// name, renames it `<this module>.<that part>`, and registers it in
    /// `sys.modules` under that name, so that `import package.submodule`
    /// and `from package.submodule import x` find it.
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::types::PyModule;
    ///
    /// Python::attach(|py| {
    ///     let parent = PyModule::new(py, "parent_doc")?;
    ///     let child = PyModule::new(py, "child")?;
    ///     child.add("answer", 42)?;
    ///     parent.add_submodule(&child)?;
    ///     assert_eq!(child.name()?, "parent_doc.child");
    ///     let modules = py.import("sys")?.get("modules")?;
    ///     modules.set_item("parent_doc", &parent)?;
    ///     let imported = py.import("parent_doc.child")?;
    ///     assert_eq!(imported.get("answer")?.extract::<i32>()?, 42);
    ///     Ok::<_, PyErr>(())
    /// })?;
    /// # Ok::<(), PyErr>(())
    /// ```
    ///
    /// # Errors
    /// If a name cannot be read or set.
    pub fn add_submodule(&self, submodule: &Bound<'py, PyModule>) -> PyResult<()> {
        let name = submodule.name()?;
        let short = name.rsplit('.').next().unwrap_or(&name);
        let qualified = format!("{}.{short}", self.name()?);
        submodule.as_any().setattr("__name__", &qualified)?;
        let modules = self.py().import("sys")?.get("modules")?;
        modules
            .downcast_into::<PyDict>()?
            .set_item(&qualified, submodule)?;
        self.add(short, submodule)
    }

    /// Gets the module attribute `name`.
    pub fn get(&self, name: &str) -> PyResult<Bound<'py, PyAny>> {
        self.as_any().getattr(name)
    }
}

/// A function [`Bound<PyModule>::add_function`] can add: a
/// `#[pyfunction]`'s definition (`wrap_pyfunction!(f)`) or a function
/// object (`wrap_pyfunction!(f, m)?`).
pub trait ModuleFunction<'py> {
    /// The function object to add to `module`.
    ///
    /// # Errors
    /// If the function object cannot be created.
    fn into_function(self, module: &Bound<'py, PyModule>) -> PyResult<Bound<'py, PyAny>>;
}

impl<'py> ModuleFunction<'py> for &'static crate::impl_::PyFunctionDef {
    fn into_function(self, module: &Bound<'py, PyModule>) -> PyResult<Bound<'py, PyAny>> {
        module.function_object(self)
    }
}

impl<'py> ModuleFunction<'py> for Bound<'py, PyAny> {
    fn into_function(self, _module: &Bound<'py, PyModule>) -> PyResult<Bound<'py, PyAny>> {
        Ok(self)
    }
}
