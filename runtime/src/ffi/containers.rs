//! `tuple`, `list`, `dict`, `set` and `frozenset`. Only the strong-reference
//! forms of item access are declared: borrowed-reference getters of mutable
//! containers (`PyList_GetItem`, `PyDict_GetItem`, ...) are unsafe without
//! the GIL and deliberately absent.

use std::ffi::c_int;

use super::object::{PyObject, PyVarObject, Py_ssize_t};

/// `PyTupleObject`: tuples are immutable, so reading `ob_item` of a tuple one
/// holds a reference to is safe on every build.
#[repr(C)]
pub struct PyTupleObject {
    pub ob_base: PyVarObject,
    /// 3.14 caches the tuple's hash here.
    #[cfg(Py_3_14)]
    pub ob_hash: super::object::Py_hash_t,
    pub ob_item: [*mut PyObject; 1],
}

/// `PyTuple_GET_ITEM(op, i)`: a borrowed reference.
///
/// # Safety
/// `op` must be a live tuple and `i < len(op)`.
#[inline(always)]
pub unsafe fn PyTuple_GET_ITEM(op: *mut PyObject, i: Py_ssize_t) -> *mut PyObject {
    // SAFETY: `op` is a live tuple (caller) whose inline item array holds
    // more than `i` items.
    unsafe {
        *std::ptr::addr_of_mut!((*op.cast::<PyTupleObject>()).ob_item)
            .cast::<*mut PyObject>()
            .offset(i)
    }
}

/// `PyTuple_SET_ITEM(op, i, v)`: steals `v`.
///
/// # Safety
/// `op` must be a tuple that no other code has seen yet, `i < len(op)`.
#[inline(always)]
pub unsafe fn PyTuple_SET_ITEM(op: *mut PyObject, i: Py_ssize_t, v: *mut PyObject) {
    // SAFETY: `op` is a tuple nobody else has seen (caller), so writing slot
    // `i` of its inline item array races with nothing.
    unsafe {
        *std::ptr::addr_of_mut!((*op.cast::<PyTupleObject>()).ob_item)
            .cast::<*mut PyObject>()
            .offset(i) = v;
    }
}

/// `PyListObject`. Its item array may only be read inside a critical
/// section on the list (free-threaded builds) or with the GIL held.
#[repr(C)]
pub struct PyListObject {
    pub ob_base: PyVarObject,
    pub ob_item: *mut *mut PyObject,
    pub allocated: Py_ssize_t,
}

/// `PyDictObject`, the instance layout of `dict`, which a
/// `#[pyclass(extends = PyDict)]` builds on. Its fields are private to
/// CPython; only the size matters here.
#[repr(C)]
pub struct PyDictObject {
    pub ob_base: PyObject,
    pub ma_used: Py_ssize_t,
    pub _ma_watcher_tag: u64,
    pub ma_keys: *mut std::ffi::c_void,
    pub ma_values: *mut std::ffi::c_void,
}

extern "C" {
    pub fn PyTuple_New(size: Py_ssize_t) -> *mut PyObject;
    pub fn PyTuple_Size(o: *mut PyObject) -> Py_ssize_t;
    pub fn PyTuple_GetSlice(o: *mut PyObject, low: Py_ssize_t, high: Py_ssize_t) -> *mut PyObject;

    pub fn PyList_New(size: Py_ssize_t) -> *mut PyObject;
    pub fn PyList_Size(o: *mut PyObject) -> Py_ssize_t;
    pub fn PyList_GetItemRef(o: *mut PyObject, index: Py_ssize_t) -> *mut PyObject;
    pub fn PyList_SetItem(o: *mut PyObject, index: Py_ssize_t, item: *mut PyObject) -> c_int;
    pub fn PyList_Append(o: *mut PyObject, item: *mut PyObject) -> c_int;
    pub fn PyList_Insert(o: *mut PyObject, index: Py_ssize_t, item: *mut PyObject) -> c_int;
    pub fn PyList_AsTuple(o: *mut PyObject) -> *mut PyObject;
    pub fn PyList_Sort(o: *mut PyObject) -> c_int;
    pub fn PyList_Reverse(o: *mut PyObject) -> c_int;
    pub fn PyList_GetSlice(o: *mut PyObject, low: Py_ssize_t, high: Py_ssize_t) -> *mut PyObject;

    pub fn PyDict_New() -> *mut PyObject;
    pub fn PyDict_Size(o: *mut PyObject) -> Py_ssize_t;
    pub fn PyDict_SetItem(o: *mut PyObject, key: *mut PyObject, value: *mut PyObject) -> c_int;
    pub fn PyDict_GetItemRef(
        o: *mut PyObject,
        key: *mut PyObject,
        result: *mut *mut PyObject,
    ) -> c_int;
    pub fn PyDict_DelItem(o: *mut PyObject, key: *mut PyObject) -> c_int;
    pub fn PyDict_Contains(o: *mut PyObject, key: *mut PyObject) -> c_int;
    pub fn PyDict_Clear(o: *mut PyObject);
    pub fn PyDict_Copy(o: *mut PyObject) -> *mut PyObject;
    pub fn PyDict_Keys(o: *mut PyObject) -> *mut PyObject;
    pub fn PyDict_Values(o: *mut PyObject) -> *mut PyObject;
    pub fn PyDict_Items(o: *mut PyObject) -> *mut PyObject;
    /// Must run inside a critical section on `o` on free-threaded builds, and
    /// the borrowed key and value must be increfed before it ends.
    pub fn PyDict_Next(
        o: *mut PyObject,
        pos: *mut Py_ssize_t,
        key: *mut *mut PyObject,
        value: *mut *mut PyObject,
    ) -> c_int;

    pub fn PySet_New(iterable: *mut PyObject) -> *mut PyObject;
    pub fn PyFrozenSet_New(iterable: *mut PyObject) -> *mut PyObject;
    pub fn PySet_Size(o: *mut PyObject) -> Py_ssize_t;
    pub fn PySet_Add(o: *mut PyObject, key: *mut PyObject) -> c_int;
    pub fn PySet_Discard(o: *mut PyObject, key: *mut PyObject) -> c_int;
    pub fn PySet_Contains(o: *mut PyObject, key: *mut PyObject) -> c_int;
    pub fn PySet_Pop(o: *mut PyObject) -> *mut PyObject;
    pub fn PySet_Clear(o: *mut PyObject) -> c_int;
}
