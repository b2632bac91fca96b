//! The other builtin object types: `bytearray`, `complex`, `slice`,
//! `memoryview`, capsules, weak references, the sequence and mapping
//! protocols, `+` and `-`, dict merging, the UTF-8 encoder, `os.fspath` and the file-system encoding
//! (`Include/bytearrayobject.h`, `complexobject.h`, `sliceobject.h`,
//! `memoryobject.h`, `pycapsule.h`, `weakrefobject.h`, `abstract.h`,
//! `osmodule.h`, `unicodeobject.h`).

use std::ffi::{c_char, c_double, c_int, c_void};

use super::object::{PyObject, PyTypeObject, Py_ssize_t};

/// `PyCapsule_Destructor`.
pub type PyCapsule_Destructor = unsafe extern "C" fn(capsule: *mut PyObject);

extern "C" {
    pub static mut PyByteArray_Type: PyTypeObject;
    pub static mut PyComplex_Type: PyTypeObject;
    pub static mut PySlice_Type: PyTypeObject;
    pub static mut PyMemoryView_Type: PyTypeObject;
    pub static mut PyCapsule_Type: PyTypeObject;
    pub static mut _PyWeakref_RefType: PyTypeObject;
    pub static mut _PyWeakref_ProxyType: PyTypeObject;
    pub static mut _PyWeakref_CallableProxyType: PyTypeObject;

    pub fn PyByteArray_FromStringAndSize(s: *const c_char, size: Py_ssize_t) -> *mut PyObject;
    pub fn PyByteArray_FromObject(o: *mut PyObject) -> *mut PyObject;
    pub fn PyByteArray_Size(o: *mut PyObject) -> Py_ssize_t;
    pub fn PyByteArray_AsString(o: *mut PyObject) -> *mut c_char;
    pub fn PyByteArray_Resize(o: *mut PyObject, size: Py_ssize_t) -> c_int;

    pub fn PyComplex_FromDoubles(real: c_double, imag: c_double) -> *mut PyObject;
    pub fn PyComplex_RealAsDouble(o: *mut PyObject) -> c_double;
    pub fn PyComplex_ImagAsDouble(o: *mut PyObject) -> c_double;

    pub fn PySlice_New(
        start: *mut PyObject,
        stop: *mut PyObject,
        step: *mut PyObject,
    ) -> *mut PyObject;
    pub fn PySlice_Unpack(
        slice: *mut PyObject,
        start: *mut Py_ssize_t,
        stop: *mut Py_ssize_t,
        step: *mut Py_ssize_t,
    ) -> c_int;
    pub fn PySlice_AdjustIndices(
        length: Py_ssize_t,
        start: *mut Py_ssize_t,
        stop: *mut Py_ssize_t,
        step: Py_ssize_t,
    ) -> Py_ssize_t;

    pub fn PyMemoryView_FromObject(base: *mut PyObject) -> *mut PyObject;

    pub fn PyCapsule_New(
        pointer: *mut c_void,
        name: *const c_char,
        destructor: Option<PyCapsule_Destructor>,
    ) -> *mut PyObject;
    pub fn PyCapsule_GetPointer(capsule: *mut PyObject, name: *const c_char) -> *mut c_void;
    pub fn PyCapsule_GetName(capsule: *mut PyObject) -> *const c_char;
    pub fn PyCapsule_GetContext(capsule: *mut PyObject) -> *mut c_void;
    pub fn PyCapsule_SetContext(capsule: *mut PyObject, context: *mut c_void) -> c_int;
    pub fn PyCapsule_Import(name: *const c_char, no_block: c_int) -> *mut c_void;

    pub fn PyWeakref_NewRef(ob: *mut PyObject, callback: *mut PyObject) -> *mut PyObject;
    pub fn PyWeakref_NewProxy(ob: *mut PyObject, callback: *mut PyObject) -> *mut PyObject;
    /// Strong-reference form: 1 and a new reference, 0 and null when the
    /// referent is dead, -1 on error. (`PyWeakref_GetObject`, which returns a
    /// borrowed reference, is deliberately not declared.)
    pub fn PyWeakref_GetRef(reference: *mut PyObject, pobj: *mut *mut PyObject) -> c_int;

    pub fn PySequence_GetItem(o: *mut PyObject, i: Py_ssize_t) -> *mut PyObject;
    pub fn PySequence_SetItem(o: *mut PyObject, i: Py_ssize_t, v: *mut PyObject) -> c_int;
    pub fn PySequence_DelItem(o: *mut PyObject, i: Py_ssize_t) -> c_int;
    pub fn PySequence_GetSlice(o: *mut PyObject, i1: Py_ssize_t, i2: Py_ssize_t) -> *mut PyObject;
    pub fn PySequence_Concat(o1: *mut PyObject, o2: *mut PyObject) -> *mut PyObject;
    pub fn PySequence_Repeat(o: *mut PyObject, count: Py_ssize_t) -> *mut PyObject;
    pub fn PySequence_Count(o: *mut PyObject, value: *mut PyObject) -> Py_ssize_t;
    pub fn PySequence_Index(o: *mut PyObject, value: *mut PyObject) -> Py_ssize_t;
    pub fn PySequence_Tuple(o: *mut PyObject) -> *mut PyObject;
    pub fn PySequence_List(o: *mut PyObject) -> *mut PyObject;

    pub fn PyMapping_Size(o: *mut PyObject) -> Py_ssize_t;
    pub fn PyMapping_Keys(o: *mut PyObject) -> *mut PyObject;
    pub fn PyMapping_Values(o: *mut PyObject) -> *mut PyObject;
    pub fn PyMapping_Items(o: *mut PyObject) -> *mut PyObject;

    pub fn PyUnicode_AsUTF8String(unicode: *mut PyObject) -> *mut PyObject;
    pub fn PyBytes_AsString(o: *mut PyObject) -> *mut c_char;

    pub fn PyDict_Update(a: *mut PyObject, b: *mut PyObject) -> c_int;
    pub fn PyDict_Merge(a: *mut PyObject, b: *mut PyObject, override_: c_int) -> c_int;
    pub fn PyDict_MergeFromSeq2(a: *mut PyObject, seq2: *mut PyObject, override_: c_int) -> c_int;

    pub fn PyNumber_Add(o1: *mut PyObject, o2: *mut PyObject) -> *mut PyObject;
    pub fn PyNumber_Subtract(o1: *mut PyObject, o2: *mut PyObject) -> *mut PyObject;

    pub fn PyOS_FSPath(path: *mut PyObject) -> *mut PyObject;
    pub fn PyUnicode_EncodeFSDefault(unicode: *mut PyObject) -> *mut PyObject;
    pub fn PyUnicode_DecodeFSDefaultAndSize(s: *const c_char, size: Py_ssize_t) -> *mut PyObject;
}
