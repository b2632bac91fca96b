//! `#[pymodule]` definitions: multi-phase initialization.

use std::ffi::{c_int, c_void, CStr};

use pyo3_ft_runtime::ffi;

use crate::err::PyResult;
use crate::impl_::function::PyFunctionDef;
use crate::impl_::trampoline::trampoline;
use crate::instance::Bound;
use crate::python::Python;
use crate::types::PyModule;

/// The body of a `#[pymodule]` function.
pub type ModuleExec = for<'py> fn(&Bound<'py, PyModule>) -> PyResult<()>;

/// The slots of a module definition: exec, GIL use, one interpreter only.
pub struct ModuleSlots {
    slots: [ffi::PyModuleDef_Slot; 4],
}

// SAFETY: immutable after construction; CPython only reads it.
unsafe impl Sync for ModuleSlots {}

impl ModuleSlots {
    /// Slots running `exec` (a C trampoline around the user's function),
    /// declaring whether the module needs the GIL.
    pub const fn new(
        exec: unsafe extern "C" fn(*mut ffi::PyObject) -> c_int,
        gil_used: bool,
    ) -> Self {
        let gil = if gil_used {
            ffi::Py_MOD_GIL_USED
        } else {
            ffi::Py_MOD_GIL_NOT_USED
        };
        ModuleSlots {
            slots: [
                ffi::PyModuleDef_Slot {
                    slot: ffi::Py_mod_exec,
                    value: exec as *mut c_void,
                },
                ffi::PyModuleDef_Slot {
                    slot: ffi::Py_mod_multiple_interpreters,
                    value: ffi::Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED,
                },
                ffi::PyModuleDef_Slot {
                    slot: ffi::Py_mod_gil,
                    value: gil,
                },
                ffi::PyModuleDef_Slot {
                    slot: 0,
                    value: std::ptr::null_mut(),
                },
            ],
        }
    }
}

/// A module definition, in a `static` made by `#[pymodule]`.
pub struct ModuleDef {
    def: std::cell::UnsafeCell<ffi::PyModuleDef>,
}

// SAFETY: CPython initializes the definition's object header once, under
// the import lock, in `PyModuleDef_Init`; nothing else writes to it.
unsafe impl Sync for ModuleDef {}

impl ModuleDef {
    /// A definition named `name` with docstring `doc`.
    pub const fn new(name: &'static CStr, doc: &'static CStr, slots: &'static ModuleSlots) -> Self {
        ModuleDef {
            def: std::cell::UnsafeCell::new(ffi::PyModuleDef {
                m_base: ffi::PyModuleDef_HEAD_INIT,
                m_name: name.as_ptr(),
                m_doc: doc.as_ptr(),
                m_size: 0,
                m_methods: std::ptr::null_mut(),
                m_slots: slots.slots.as_ptr().cast_mut(),
                m_traverse: None,
                m_clear: None,
                m_free: None,
            }),
        }
    }

    /// `PyInit_<name>`'s body.
    ///
    /// # Safety
    /// Called by the import machinery from the module's `PyInit` function.
    pub unsafe fn init(&'static self) -> *mut ffi::PyObject {
        // SAFETY: the definition is static and CPython's import machinery
        // is the caller.
        unsafe { ffi::PyModuleDef_Init(self.def.get()) }
    }
}

/// The `Py_mod_exec` slot's body: runs the user's function on the module.
///
/// # Safety
/// Called by CPython with a live module on an attached thread.
pub unsafe fn exec_module(module: *mut ffi::PyObject, body: ModuleExec) -> c_int {
    // SAFETY: CPython runs module execution on an attached thread. From now
    // on, threads this module starts cannot attach once the interpreter
    // finalizes.
    unsafe { pyo3_ft_runtime::lifecycle::watch() };
    // SAFETY: CPython calls the exec slot on an attached thread with a live
    // module object.
    unsafe {
        trampoline(|py: Python<'_>| {
            let module = Bound::from_borrowed_ptr(py, module).downcast_into_unchecked::<PyModule>();
            body(&module).map(|()| 0)
        })
    }
}

/// The docstring `#[pymodule]` builds with `concat!(.., "\0")`.
///
/// # Panics
/// At compile time, if the docstring contains NUL.
pub const fn doc(text: &'static str) -> &'static CStr {
    match CStr::from_bytes_with_nul(text.as_bytes()) {
        Ok(doc) => doc,
        Err(_) => panic!("a module docstring cannot contain NUL"),
    }
}

/// Creates the submodule `name` of `parent` (see
/// [`Bound<PyModule>::add_submodule`]) and runs `body` on it, once it has
/// its dotted name.
///
/// # Errors
/// If the module cannot be created or `body` fails.
pub fn add_submodule(
    parent: &Bound<'_, PyModule>,
    name: &str,
    doc: &'static CStr,
    body: ModuleExec,
) -> PyResult<()> {
    let module = PyModule::new(parent.py(), name)?;
    module.add("__doc__", doc.to_string_lossy().as_ref())?;
    parent.add_submodule(&module)?;
    body(&module)
}

/// The second argument of `wrap_pyfunction!(f, m)`: the module the function
/// object is for, or `py` for a standalone function.
pub trait WrapPyFunctionArg<'py> {
    /// The function object of `function`.
    ///
    /// # Errors
    /// If the function object cannot be created.
    fn wrap_pyfunction(
        self,
        function: &'static PyFunctionDef,
    ) -> PyResult<Bound<'py, crate::types::PyAny>>;
}

impl<'py> WrapPyFunctionArg<'py> for &Bound<'py, PyModule> {
    fn wrap_pyfunction(
        self,
        function: &'static PyFunctionDef,
    ) -> PyResult<Bound<'py, crate::types::PyAny>> {
        self.function_object(function)
    }
}

impl<'py> WrapPyFunctionArg<'py> for Python<'py> {
    fn wrap_pyfunction(
        self,
        function: &'static PyFunctionDef,
    ) -> PyResult<Bound<'py, crate::types::PyAny>> {
        function.to_object(self)
    }
}
