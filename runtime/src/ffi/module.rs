//! Modules and builtin functions (`Include/moduleobject.h`,
//! `Include/methodobject.h`).

use std::ffi::{c_char, c_int, c_void};

use super::object::{freefunc, inquiry, traverseproc, PyObject, PyTypeObject, Py_ssize_t};

/// `PyCFunction`: the C signature stored in `ml_meth`; the real signature
/// depends on `ml_flags`.
pub type PyCFunction = unsafe extern "C" fn(*mut PyObject, *mut PyObject) -> *mut PyObject;
/// `METH_FASTCALL | METH_KEYWORDS` signature.
pub type PyCFunctionFastWithKeywords = unsafe extern "C" fn(
    *mut PyObject,
    *const *mut PyObject,
    Py_ssize_t,
    *mut PyObject,
) -> *mut PyObject;

pub const METH_VARARGS: c_int = 0x0001;
pub const METH_KEYWORDS: c_int = 0x0002;
pub const METH_NOARGS: c_int = 0x0004;
pub const METH_O: c_int = 0x0008;
pub const METH_CLASS: c_int = 0x0010;
pub const METH_STATIC: c_int = 0x0020;
pub const METH_COEXIST: c_int = 0x0040;
pub const METH_FASTCALL: c_int = 0x0080;

/// `PyMethodDef`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct PyMethodDef {
    pub ml_name: *const c_char,
    pub ml_meth: Option<PyCFunction>,
    pub ml_flags: c_int,
    pub ml_doc: *const c_char,
}

impl PyMethodDef {
    /// The zeroed entry that ends a method table.
    pub const SENTINEL: PyMethodDef = PyMethodDef {
        ml_name: std::ptr::null(),
        ml_meth: None,
        ml_flags: 0,
        ml_doc: std::ptr::null(),
    };
}

/// `PyModuleDef_Base`.
#[repr(C)]
pub struct PyModuleDef_Base {
    pub ob_base: PyObject,
    pub m_init: Option<unsafe extern "C" fn() -> *mut PyObject>,
    pub m_index: Py_ssize_t,
    pub m_copy: *mut PyObject,
}

/// `PyModuleDef_HEAD_INIT`.
pub const PyModuleDef_HEAD_INIT: PyModuleDef_Base = PyModuleDef_Base {
    ob_base: super::object::PyObject_HEAD_INIT,
    m_init: None,
    m_index: 0,
    m_copy: std::ptr::null_mut(),
};

/// `PyModuleDef_Slot`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct PyModuleDef_Slot {
    pub slot: c_int,
    pub value: *mut c_void,
}

/// `PyModuleDef`.
#[repr(C)]
pub struct PyModuleDef {
    pub m_base: PyModuleDef_Base,
    pub m_name: *const c_char,
    pub m_doc: *const c_char,
    pub m_size: Py_ssize_t,
    pub m_methods: *mut PyMethodDef,
    pub m_slots: *mut PyModuleDef_Slot,
    pub m_traverse: Option<traverseproc>,
    pub m_clear: Option<inquiry>,
    pub m_free: Option<freefunc>,
}

// Module slot numbers: 3.15 gave every slot, module or type, its own number
// (`Include/slots_generated.h`); the old numbers stay valid only for the
// limited API.
#[cfg(not(Py_3_15))]
pub const Py_mod_create: c_int = 1;
#[cfg(not(Py_3_15))]
pub const Py_mod_exec: c_int = 2;
#[cfg(not(Py_3_15))]
pub const Py_mod_multiple_interpreters: c_int = 3;
#[cfg(not(Py_3_15))]
pub const Py_mod_gil: c_int = 4;
#[cfg(Py_3_15)]
pub const Py_mod_create: c_int = 84;
#[cfg(Py_3_15)]
pub const Py_mod_exec: c_int = 85;
#[cfg(Py_3_15)]
pub const Py_mod_multiple_interpreters: c_int = 86;
#[cfg(Py_3_15)]
pub const Py_mod_gil: c_int = 87;
/// `Py_MOD_GIL_USED`.
pub const Py_MOD_GIL_USED: *mut c_void = std::ptr::null_mut();
/// `Py_MOD_GIL_NOT_USED`.
pub const Py_MOD_GIL_NOT_USED: *mut c_void = std::ptr::without_provenance_mut(1);
/// `Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED`.
pub const Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED: *mut c_void = std::ptr::null_mut();

extern "C" {
    pub fn PyModuleDef_Init(def: *mut PyModuleDef) -> *mut PyObject;
    pub fn PyModule_New(name: *const c_char) -> *mut PyObject;
    pub fn PyModule_GetNameObject(m: *mut PyObject) -> *mut PyObject;
    pub fn PyModule_GetDict(m: *mut PyObject) -> *mut PyObject;
    pub fn PyModule_AddObjectRef(
        m: *mut PyObject,
        name: *const c_char,
        value: *mut PyObject,
    ) -> c_int;
    pub fn PyModule_GetState(m: *mut PyObject) -> *mut c_void;
    pub fn PyModule_AddFunctions(m: *mut PyObject, functions: *mut PyMethodDef) -> c_int;
    pub fn PyCMethod_New(
        ml: *mut PyMethodDef,
        slf: *mut PyObject,
        module: *mut PyObject,
        cls: *mut PyTypeObject,
    ) -> *mut PyObject;
    pub fn PyUnstable_Module_SetGIL(m: *mut PyObject, gil: *mut c_void) -> c_int;
}
