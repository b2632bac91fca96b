//! The object header (both layouts), the type object, and the singletons.

use std::ffi::{c_char, c_int, c_uint, c_ulong, c_void};

/// `Py_ssize_t`.
pub type Py_ssize_t = isize;
/// `Py_hash_t`.
pub type Py_hash_t = isize;

/// `PyMutex` (`Include/cpython/lock.h`): one byte of lock bits.
#[repr(C)]
#[derive(Debug)]
pub struct PyMutex {
    pub _bits: u8,
}

/// The object header of a free-threaded build (`Include/object.h`).
#[cfg(Py_GIL_DISABLED)]
#[repr(C)]
#[derive(Debug)]
pub struct PyObject {
    /// Owning thread (its thread pointer), or 0.
    pub ob_tid: usize,
    /// `_padding` in 3.13, `ob_flags` in 3.14: same size and offset.
    pub ob_flags: u16,
    pub ob_mutex: PyMutex,
    pub ob_gc_bits: u8,
    /// Reference count of the owning thread; `u32::MAX` means immortal.
    pub ob_ref_local: u32,
    /// Reference count of all other threads, shifted by 2 (low bits: flags).
    pub ob_ref_shared: Py_ssize_t,
    pub ob_type: *mut PyTypeObject,
}

/// The object header of a default (GIL) build, 3.13.
#[cfg(all(not(Py_GIL_DISABLED), not(Py_3_14)))]
#[repr(C)]
#[derive(Debug)]
pub struct PyObject {
    pub ob_refcnt: Py_ssize_t,
    pub ob_type: *mut PyTypeObject,
}

/// The object header of a default (GIL) build, 3.14 and later: the count
/// word is a union whose 64-bit view (`ob_refcnt_full`) C code uses only to
/// initialize it; `ob_refcnt` is its low 32 bits, and the high half holds
/// `ob_overflow` and `ob_flags` (`Include/object.h`, 64-bit layout).
#[cfg(all(not(Py_GIL_DISABLED), Py_3_14, target_endian = "little"))]
#[repr(C)]
#[derive(Debug)]
pub struct PyObject {
    pub ob_refcnt: u32,
    pub ob_overflow: u16,
    pub ob_flags: u16,
    pub ob_type: *mut PyTypeObject,
}

/// As above, in big-endian field order.
#[cfg(all(not(Py_GIL_DISABLED), Py_3_14, target_endian = "big"))]
#[repr(C)]
#[derive(Debug)]
pub struct PyObject {
    pub ob_flags: u16,
    pub ob_overflow: u16,
    pub ob_refcnt: u32,
    pub ob_type: *mut PyTypeObject,
}

/// `PyObject_HEAD_INIT(NULL)`: the header of a statically allocated object,
/// immortal from the start. 3.14 and later also flag it as statically
/// allocated in `ob_flags` (3.15's `PyModuleDef_Init` refuses a module
/// definition whose header lacks that flag).
#[cfg(Py_GIL_DISABLED)]
pub const PyObject_HEAD_INIT: PyObject = PyObject {
    ob_tid: 0,
    #[cfg(Py_3_14)]
    ob_flags: super::_Py_STATICALLY_ALLOCATED_FLAG,
    #[cfg(not(Py_3_14))]
    ob_flags: 0,
    ob_mutex: PyMutex { _bits: 0 },
    ob_gc_bits: 0,
    ob_ref_local: super::_Py_IMMORTAL_REFCNT_LOCAL,
    ob_ref_shared: 0,
    ob_type: std::ptr::null_mut(),
};

/// `PyObject_HEAD_INIT(NULL)`: the header of a statically allocated object,
/// immortal from the start (`_Py_IMMORTAL_REFCNT`).
#[cfg(all(not(Py_GIL_DISABLED), not(Py_3_14)))]
pub const PyObject_HEAD_INIT: PyObject = PyObject {
    ob_refcnt: super::_Py_IMMORTAL_REFCNT,
    ob_type: std::ptr::null_mut(),
};

/// `PyObject_HEAD_INIT(NULL)`: the header of a statically allocated object,
/// immortal from the start (`_Py_STATIC_IMMORTAL_INITIAL_REFCNT`: the
/// initial immortal count, and the static and immortal flags).
#[cfg(all(not(Py_GIL_DISABLED), Py_3_14))]
pub const PyObject_HEAD_INIT: PyObject = PyObject {
    ob_refcnt: super::_Py_IMMORTAL_INITIAL_REFCNT,
    ob_overflow: 0,
    ob_flags: super::_Py_STATICALLY_ALLOCATED_FLAG | super::_Py_IMMORTAL_FLAGS,
    ob_type: std::ptr::null_mut(),
};

/// `PyVarObject`.
#[repr(C)]
#[derive(Debug)]
pub struct PyVarObject {
    pub ob_base: PyObject,
    pub ob_size: Py_ssize_t,
}

pub type destructor = unsafe extern "C" fn(*mut PyObject);
pub type freefunc = unsafe extern "C" fn(*mut c_void);
pub type reprfunc = unsafe extern "C" fn(*mut PyObject) -> *mut PyObject;
pub type hashfunc = unsafe extern "C" fn(*mut PyObject) -> Py_hash_t;
pub type richcmpfunc = unsafe extern "C" fn(*mut PyObject, *mut PyObject, c_int) -> *mut PyObject;
pub type getattrofunc = unsafe extern "C" fn(*mut PyObject, *mut PyObject) -> *mut PyObject;
pub type setattrofunc = unsafe extern "C" fn(*mut PyObject, *mut PyObject, *mut PyObject) -> c_int;
pub type ternaryfunc =
    unsafe extern "C" fn(*mut PyObject, *mut PyObject, *mut PyObject) -> *mut PyObject;
pub type binaryfunc = unsafe extern "C" fn(*mut PyObject, *mut PyObject) -> *mut PyObject;
pub type unaryfunc = unsafe extern "C" fn(*mut PyObject) -> *mut PyObject;
pub type inquiry = unsafe extern "C" fn(*mut PyObject) -> c_int;
pub type lenfunc = unsafe extern "C" fn(*mut PyObject) -> Py_ssize_t;
pub type ssizeargfunc = unsafe extern "C" fn(*mut PyObject, Py_ssize_t) -> *mut PyObject;
pub type objobjproc = unsafe extern "C" fn(*mut PyObject, *mut PyObject) -> c_int;
pub type objobjargproc = unsafe extern "C" fn(*mut PyObject, *mut PyObject, *mut PyObject) -> c_int;
pub type visitproc = unsafe extern "C" fn(*mut PyObject, *mut c_void) -> c_int;
pub type traverseproc = unsafe extern "C" fn(*mut PyObject, visitproc, *mut c_void) -> c_int;
pub type getiterfunc = unsafe extern "C" fn(*mut PyObject) -> *mut PyObject;
pub type iternextfunc = unsafe extern "C" fn(*mut PyObject) -> *mut PyObject;
pub type descrgetfunc =
    unsafe extern "C" fn(*mut PyObject, *mut PyObject, *mut PyObject) -> *mut PyObject;
pub type descrsetfunc = unsafe extern "C" fn(*mut PyObject, *mut PyObject, *mut PyObject) -> c_int;
pub type initproc = unsafe extern "C" fn(*mut PyObject, *mut PyObject, *mut PyObject) -> c_int;
pub type allocfunc = unsafe extern "C" fn(*mut PyTypeObject, Py_ssize_t) -> *mut PyObject;
pub type newfunc =
    unsafe extern "C" fn(*mut PyTypeObject, *mut PyObject, *mut PyObject) -> *mut PyObject;
pub type vectorcallfunc = unsafe extern "C" fn(
    *mut PyObject,
    *const *mut PyObject,
    usize,
    *mut PyObject,
) -> *mut PyObject;
pub type getter = unsafe extern "C" fn(*mut PyObject, *mut c_void) -> *mut PyObject;
pub type setter = unsafe extern "C" fn(*mut PyObject, *mut PyObject, *mut c_void) -> c_int;

/// `PyTypeObject` (`Include/cpython/object.h`). Only ever used through
/// pointers: heap types are created with `PyType_FromSpec*`.
#[repr(C)]
#[derive(Debug)]
pub struct PyTypeObject {
    pub ob_base: PyVarObject,
    pub tp_name: *const c_char,
    pub tp_basicsize: Py_ssize_t,
    pub tp_itemsize: Py_ssize_t,
    pub tp_dealloc: Option<destructor>,
    pub tp_vectorcall_offset: Py_ssize_t,
    pub tp_getattr: *mut c_void,
    pub tp_setattr: *mut c_void,
    pub tp_as_async: *mut c_void,
    pub tp_repr: Option<reprfunc>,
    pub tp_as_number: *mut c_void,
    pub tp_as_sequence: *mut c_void,
    pub tp_as_mapping: *mut c_void,
    pub tp_hash: Option<hashfunc>,
    pub tp_call: Option<ternaryfunc>,
    pub tp_str: Option<reprfunc>,
    pub tp_getattro: Option<getattrofunc>,
    pub tp_setattro: Option<setattrofunc>,
    pub tp_as_buffer: *mut super::buffer::PyBufferProcs,
    pub tp_flags: c_ulong,
    pub tp_doc: *const c_char,
    pub tp_traverse: Option<traverseproc>,
    pub tp_clear: Option<inquiry>,
    pub tp_richcompare: Option<richcmpfunc>,
    pub tp_weaklistoffset: Py_ssize_t,
    pub tp_iter: Option<getiterfunc>,
    pub tp_iternext: Option<iternextfunc>,
    pub tp_methods: *mut c_void,
    pub tp_members: *mut c_void,
    pub tp_getset: *mut c_void,
    pub tp_base: *mut PyTypeObject,
    pub tp_dict: *mut PyObject,
    pub tp_descr_get: Option<descrgetfunc>,
    pub tp_descr_set: Option<descrsetfunc>,
    pub tp_dictoffset: Py_ssize_t,
    pub tp_init: Option<initproc>,
    pub tp_alloc: Option<allocfunc>,
    pub tp_new: Option<newfunc>,
    pub tp_free: Option<freefunc>,
    pub tp_is_gc: Option<inquiry>,
    pub tp_bases: *mut PyObject,
    pub tp_mro: *mut PyObject,
    pub tp_cache: *mut PyObject,
    pub tp_subclasses: *mut c_void,
    pub tp_weaklist: *mut PyObject,
    pub tp_del: Option<destructor>,
    pub tp_version_tag: c_uint,
    pub tp_finalize: Option<destructor>,
    pub tp_vectorcall: Option<vectorcallfunc>,
    pub tp_watched: u8,
    pub tp_versions_used: u16,
    /// 3.15: `_Py_iteritemfunc`, internal to the VM.
    #[cfg(Py_3_15)]
    pub _tp_iteritem: *mut c_void,
}

// Type flags (`Include/object.h`).
pub const Py_TPFLAGS_MANAGED_DICT: c_ulong = 1 << 4;
pub const Py_TPFLAGS_MANAGED_WEAKREF: c_ulong = 1 << 3;
pub const Py_TPFLAGS_SEQUENCE: c_ulong = 1 << 5;
pub const Py_TPFLAGS_MAPPING: c_ulong = 1 << 6;
pub const Py_TPFLAGS_HEAPTYPE: c_ulong = 1 << 9;
pub const Py_TPFLAGS_BASETYPE: c_ulong = 1 << 10;
pub const Py_TPFLAGS_HAVE_VECTORCALL: c_ulong = 1 << 11;
pub const Py_TPFLAGS_IMMUTABLETYPE: c_ulong = 1 << 8;
pub const Py_TPFLAGS_DISALLOW_INSTANTIATION: c_ulong = 1 << 7;
pub const Py_TPFLAGS_HAVE_GC: c_ulong = 1 << 14;
pub const Py_TPFLAGS_LONG_SUBCLASS: c_ulong = 1 << 24;
pub const Py_TPFLAGS_LIST_SUBCLASS: c_ulong = 1 << 25;
pub const Py_TPFLAGS_TUPLE_SUBCLASS: c_ulong = 1 << 26;
pub const Py_TPFLAGS_BYTES_SUBCLASS: c_ulong = 1 << 27;
pub const Py_TPFLAGS_UNICODE_SUBCLASS: c_ulong = 1 << 28;
pub const Py_TPFLAGS_DICT_SUBCLASS: c_ulong = 1 << 29;
pub const Py_TPFLAGS_BASE_EXC_SUBCLASS: c_ulong = 1 << 30;
pub const Py_TPFLAGS_TYPE_SUBCLASS: c_ulong = 1 << 31;
pub const Py_TPFLAGS_DEFAULT: c_ulong = 0;

// Rich comparison operators.
pub const Py_LT: c_int = 0;
pub const Py_LE: c_int = 1;
pub const Py_EQ: c_int = 2;
pub const Py_NE: c_int = 3;
pub const Py_GT: c_int = 4;
pub const Py_GE: c_int = 5;

extern "C" {
    pub static mut _Py_NoneStruct: PyObject;
    pub static mut _Py_TrueStruct: PyObject;
    pub static mut _Py_FalseStruct: PyObject;
    pub static mut _Py_NotImplementedStruct: PyObject;
    pub static mut _Py_EllipsisObject: PyObject;

    pub static mut PyType_Type: PyTypeObject;
    pub static mut PyBaseObject_Type: PyTypeObject;
    pub static mut PyLong_Type: PyTypeObject;
    pub static mut PyBool_Type: PyTypeObject;
    pub static mut PyFloat_Type: PyTypeObject;
    pub static mut PyUnicode_Type: PyTypeObject;
    pub static mut PyBytes_Type: PyTypeObject;
    pub static mut PyTuple_Type: PyTypeObject;
    pub static mut PyList_Type: PyTypeObject;
    pub static mut PyDict_Type: PyTypeObject;
    pub static mut PySet_Type: PyTypeObject;
    pub static mut PyFrozenSet_Type: PyTypeObject;
    pub static mut PyModule_Type: PyTypeObject;
    pub static mut PyCFunction_Type: PyTypeObject;
    pub static mut PyMethodDescr_Type: PyTypeObject;
    pub static mut PyClassMethodDescr_Type: PyTypeObject;
    pub static mut PyGetSetDescr_Type: PyTypeObject;
    pub static mut PyStaticMethod_Type: PyTypeObject;
}

/// `Py_None`.
#[inline(always)]
pub fn Py_None() -> *mut PyObject {
    // Taking the address of an extern static reads nothing.
    std::ptr::addr_of_mut!(_Py_NoneStruct)
}

/// `Py_True`.
#[inline(always)]
pub fn Py_True() -> *mut PyObject {
    // Taking the address of an extern static reads nothing.
    std::ptr::addr_of_mut!(_Py_TrueStruct)
}

/// `Py_False`.
#[inline(always)]
pub fn Py_False() -> *mut PyObject {
    // Taking the address of an extern static reads nothing.
    std::ptr::addr_of_mut!(_Py_FalseStruct)
}

/// `Py_NotImplemented`.
#[inline(always)]
pub fn Py_NotImplemented() -> *mut PyObject {
    // Taking the address of an extern static reads nothing.
    std::ptr::addr_of_mut!(_Py_NotImplementedStruct)
}

/// `Py_TYPE(op)`.
///
/// # Safety
/// `op` must point to a live object.
#[inline(always)]
pub unsafe fn Py_TYPE(op: *mut PyObject) -> *mut PyTypeObject {
    // SAFETY: `op` points to a live object (caller).
    unsafe { (*op).ob_type }
}

/// `Py_SIZE(op)` of a variable-size object.
///
/// # Safety
/// `op` must point to a live `PyVarObject`.
#[inline(always)]
pub unsafe fn Py_SIZE(op: *mut PyObject) -> Py_ssize_t {
    // SAFETY: `op` points to a live variable-size object (caller).
    unsafe { (*op.cast::<PyVarObject>()).ob_size }
}

/// `PyType_HasFeature(t, flag)` read straight from `tp_flags`.
///
/// # Safety
/// `t` must point to a live type object.
#[inline(always)]
pub unsafe fn PyType_HasFeature(t: *mut PyTypeObject, flag: c_ulong) -> bool {
    // Free-threaded builds read `tp_flags` with a relaxed atomic load, since
    // another thread may be setting flags on the type; `c_ulong` has the size
    // of `usize` on every Unix target.
    // SAFETY: `t` points to a live type (caller); `tp_flags` is a
    // `c_ulong`, which has the size and alignment of an `AtomicUsize`.
    let flags =
        unsafe { &*std::ptr::addr_of!((*t).tp_flags).cast::<std::sync::atomic::AtomicUsize>() };
    flags.load(std::sync::atomic::Ordering::Relaxed) as c_ulong & flag != 0
}

/// `PyType_FastSubclass`: the type-flag checks used by `PyLong_Check` & co.
///
/// # Safety
/// `op` must point to a live object.
#[inline(always)]
pub unsafe fn Py_TypeHasFlag(op: *mut PyObject, flag: c_ulong) -> bool {
    // SAFETY: `op` points to a live object (caller), so its type is live.
    unsafe { PyType_HasFeature(Py_TYPE(op), flag) }
}
