//! `str` and `bytes` (`Include/unicodeobject.h`, `Include/bytesobject.h`).

use std::ffi::{c_char, c_int};

use super::object::{PyObject, Py_ssize_t};

extern "C" {
    pub fn PyUnicode_FromStringAndSize(s: *const c_char, size: Py_ssize_t) -> *mut PyObject;
    pub fn PyUnicode_FromString(s: *const c_char) -> *mut PyObject;
    pub fn PyUnicode_InternFromString(s: *const c_char) -> *mut PyObject;
    pub fn PyUnicode_AsUTF8AndSize(o: *mut PyObject, size: *mut Py_ssize_t) -> *const c_char;
    pub fn PyUnicode_AsEncodedString(
        o: *mut PyObject,
        encoding: *const c_char,
        errors: *const c_char,
    ) -> *mut PyObject;
    pub fn PyUnicode_DecodeUTF8(
        s: *const c_char,
        size: Py_ssize_t,
        errors: *const c_char,
    ) -> *mut PyObject;
    pub fn PyUnicode_GetLength(o: *mut PyObject) -> Py_ssize_t;
    pub fn PyUnicode_ReadChar(o: *mut PyObject, index: Py_ssize_t) -> u32;
    pub fn PyUnicode_FromOrdinal(ordinal: c_int) -> *mut PyObject;
    pub fn PyUnicode_Concat(a: *mut PyObject, b: *mut PyObject) -> *mut PyObject;

    pub fn PyBytes_FromStringAndSize(s: *const c_char, size: Py_ssize_t) -> *mut PyObject;
    pub fn PyBytes_AsStringAndSize(
        o: *mut PyObject,
        buffer: *mut *mut c_char,
        length: *mut Py_ssize_t,
    ) -> c_int;
}
