//! `#[pymodule]` definitions: multi-phase initialization.

use std::ffi::{c_int, c_void, CStr};

use pyo3_ft_runtime::ffi;

use crate::err::PyResult;
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
        ffi::PyModuleDef_Init(self.def.get())
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
    trampoline(|py: Python<'_>| {
        let module = Bound::from_borrowed_ptr(py, module).downcast_into_unchecked::<PyModule>();
        body(&module).map(|()| 0)
    })
}
