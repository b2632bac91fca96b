//! Importing and running code (`Include/import.h`, `Include/pythonrun.h`).

use std::ffi::{c_char, c_int};

use super::object::PyObject;

/// Start symbols of `PyRun_String*`.
pub const Py_single_input: c_int = 256;
pub const Py_file_input: c_int = 257;
pub const Py_eval_input: c_int = 258;

extern "C" {
    pub fn PyImport_Import(name: *mut PyObject) -> *mut PyObject;
    pub fn PyImport_ImportModule(name: *const c_char) -> *mut PyObject;
    pub fn PyImport_GetModule(name: *mut PyObject) -> *mut PyObject;
    pub fn Py_CompileString(
        source: *const c_char,
        filename: *const c_char,
        start: c_int,
    ) -> *mut PyObject;
    pub fn PyEval_EvalCode(
        code: *mut PyObject,
        globals: *mut PyObject,
        locals: *mut PyObject,
    ) -> *mut PyObject;
}
