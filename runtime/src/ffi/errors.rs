//! Exceptions (`Include/pyerrors.h`).

use std::ffi::{c_char, c_int};

use super::object::{PyObject, Py_ssize_t};

/// `PyBaseExceptionObject`: the instance layout of `BaseException` and of
/// the builtin exceptions that add no fields (`Exception`, `ValueError`,
/// ...), which a `#[pyclass(extends = ...)]` builds on.
#[repr(C)]
pub struct PyBaseExceptionObject {
    pub ob_base: PyObject,
    pub dict: *mut PyObject,
    pub args: *mut PyObject,
    pub notes: *mut PyObject,
    pub traceback: *mut PyObject,
    pub context: *mut PyObject,
    pub cause: *mut PyObject,
    pub suppress_context: c_char,
}

extern "C" {
    pub fn PyErr_Occurred() -> *mut PyObject;
    pub fn PyErr_GetRaisedException() -> *mut PyObject;
    pub fn PyErr_SetRaisedException(exc: *mut PyObject);
    pub fn PyErr_SetObject(exc_type: *mut PyObject, value: *mut PyObject);
    pub fn PyErr_SetString(exc_type: *mut PyObject, message: *const c_char);
    pub fn PyErr_SetNone(exc_type: *mut PyObject);
    pub fn PyErr_Clear();
    pub fn PyErr_GivenExceptionMatches(given: *mut PyObject, exc: *mut PyObject) -> c_int;
    pub fn PyErr_NewExceptionWithDoc(
        name: *const c_char,
        doc: *const c_char,
        base: *mut PyObject,
        dict: *mut PyObject,
    ) -> *mut PyObject;
    pub fn PyErr_WriteUnraisable(obj: *mut PyObject);
    pub fn PyErr_DisplayException(exc: *mut PyObject);
    pub fn PyErr_WarnEx(
        category: *mut PyObject,
        message: *const c_char,
        stacklevel: Py_ssize_t,
    ) -> c_int;
    pub fn PyErr_CheckSignals() -> c_int;
    pub fn PyException_GetTraceback(exc: *mut PyObject) -> *mut PyObject;
    pub fn PyException_SetTraceback(exc: *mut PyObject, tb: *mut PyObject) -> c_int;
    pub fn PyException_GetCause(exc: *mut PyObject) -> *mut PyObject;
    pub fn PyException_SetCause(exc: *mut PyObject, cause: *mut PyObject);
    pub fn PyException_GetContext(exc: *mut PyObject) -> *mut PyObject;
    pub fn PyException_GetArgs(exc: *mut PyObject) -> *mut PyObject;
}

/// Declares the `PyExc_*` statics.
macro_rules! exception_statics {
    ($($name:ident),* $(,)?) => {
        extern "C" {
            $(pub static mut $name: *mut PyObject;)*
        }
    };
}

exception_statics!(
    PyExc_BaseException,
    PyExc_Exception,
    PyExc_BaseExceptionGroup,
    PyExc_StopAsyncIteration,
    PyExc_StopIteration,
    PyExc_GeneratorExit,
    PyExc_ArithmeticError,
    PyExc_LookupError,
    PyExc_AssertionError,
    PyExc_AttributeError,
    PyExc_BufferError,
    PyExc_EOFError,
    PyExc_FloatingPointError,
    PyExc_OSError,
    PyExc_ImportError,
    PyExc_ModuleNotFoundError,
    PyExc_IndexError,
    PyExc_KeyError,
    PyExc_KeyboardInterrupt,
    PyExc_MemoryError,
    PyExc_NameError,
    PyExc_OverflowError,
    PyExc_RuntimeError,
    PyExc_RecursionError,
    PyExc_NotImplementedError,
    PyExc_SyntaxError,
    PyExc_IndentationError,
    PyExc_TabError,
    PyExc_ReferenceError,
    PyExc_SystemError,
    PyExc_SystemExit,
    PyExc_TypeError,
    PyExc_UnboundLocalError,
    PyExc_UnicodeError,
    PyExc_UnicodeEncodeError,
    PyExc_UnicodeDecodeError,
    PyExc_UnicodeTranslateError,
    PyExc_ValueError,
    PyExc_ZeroDivisionError,
    PyExc_BlockingIOError,
    PyExc_BrokenPipeError,
    PyExc_ChildProcessError,
    PyExc_ConnectionError,
    PyExc_ConnectionAbortedError,
    PyExc_ConnectionRefusedError,
    PyExc_ConnectionResetError,
    PyExc_FileExistsError,
    PyExc_FileNotFoundError,
    PyExc_InterruptedError,
    PyExc_IsADirectoryError,
    PyExc_NotADirectoryError,
    PyExc_PermissionError,
    PyExc_ProcessLookupError,
    PyExc_TimeoutError,
    PyExc_Warning,
    PyExc_UserWarning,
    PyExc_DeprecationWarning,
    PyExc_PendingDeprecationWarning,
    PyExc_SyntaxWarning,
    PyExc_RuntimeWarning,
    PyExc_FutureWarning,
    PyExc_ImportWarning,
    PyExc_UnicodeWarning,
    PyExc_BytesWarning,
    PyExc_ResourceWarning,
    PyExc_EncodingWarning,
);
