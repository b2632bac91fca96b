//! `int`, `float` and `bool` (`Include/longobject.h`, `Include/floatobject.h`).

use std::ffi::{c_double, c_int, c_long, c_longlong, c_ulonglong, c_void};

use super::object::{PyObject, Py_ssize_t};

/// Flags of `PyLong_AsNativeBytes` / `PyLong_FromNativeBytes`.
pub const Py_ASNATIVEBYTES_LITTLE_ENDIAN: c_int = 1;
pub const Py_ASNATIVEBYTES_NATIVE_ENDIAN: c_int = 3;
pub const Py_ASNATIVEBYTES_UNSIGNED_BUFFER: c_int = 4;
pub const Py_ASNATIVEBYTES_REJECT_NEGATIVE: c_int = 8;

/// `PyFloatObject`.
#[repr(C)]
pub struct PyFloatObject {
    pub ob_base: PyObject,
    pub ob_fval: c_double,
}

/// `PyLongObject` (`Include/cpython/longintrepr.h`) with 30-bit digits,
/// the configuration of every 64-bit build.
#[repr(C)]
pub struct PyLongObject {
    pub ob_base: PyObject,
    /// Number of digits shifted left by 3, then the sign in the low 2 bits
    /// (0 positive, 1 zero, 2 negative).
    pub lv_tag: usize,
    pub ob_digit: [u32; 1],
}

/// `PyUnstable_Long_IsCompact`: the value fits in one digit.
///
/// # Safety
/// `op` must be a live `int`.
#[inline(always)]
pub unsafe fn PyUnstable_Long_IsCompact(op: *mut PyObject) -> bool {
    // SAFETY: `op` is a live int (caller); `lv_tag` is immutable.
    unsafe { (*op.cast::<PyLongObject>()).lv_tag < (2 << 3) }
}

/// `PyUnstable_Long_CompactValue` of a compact `int`.
///
/// # Safety
/// `op` must be a live compact `int`.
#[inline(always)]
pub unsafe fn PyUnstable_Long_CompactValue(op: *mut PyObject) -> Py_ssize_t {
    let long = op.cast::<PyLongObject>();
    // SAFETY: `op` is a live compact int (caller): its tag and first digit
    // are initialized and immutable.
    let (tag, digit) = unsafe { ((*long).lv_tag, (*long).ob_digit[0]) };
    let sign = 1 - (tag & 3) as Py_ssize_t;
    sign * digit as Py_ssize_t
}

extern "C" {
    pub fn PyLong_FromLong(v: c_long) -> *mut PyObject;
    pub fn PyLong_FromLongLong(v: c_longlong) -> *mut PyObject;
    pub fn PyLong_FromUnsignedLongLong(v: c_ulonglong) -> *mut PyObject;
    pub fn PyLong_FromSsize_t(v: Py_ssize_t) -> *mut PyObject;
    pub fn PyLong_AsLong(o: *mut PyObject) -> c_long;
    pub fn PyLong_AsLongLong(o: *mut PyObject) -> c_longlong;
    pub fn PyLong_AsLongLongAndOverflow(o: *mut PyObject, overflow: *mut c_int) -> c_longlong;
    pub fn PyLong_AsUnsignedLongLong(o: *mut PyObject) -> c_ulonglong;
    pub fn PyLong_AsNativeBytes(
        o: *mut PyObject,
        buffer: *mut c_void,
        n_bytes: Py_ssize_t,
        flags: c_int,
    ) -> Py_ssize_t;
    pub fn PyLong_FromNativeBytes(
        buffer: *const c_void,
        n_bytes: usize,
        flags: c_int,
    ) -> *mut PyObject;
    pub fn PyLong_FromUnsignedNativeBytes(
        buffer: *const c_void,
        n_bytes: usize,
        flags: c_int,
    ) -> *mut PyObject;

    pub fn PyFloat_FromDouble(v: c_double) -> *mut PyObject;
    pub fn PyFloat_AsDouble(o: *mut PyObject) -> c_double;

    pub fn PyBool_FromLong(v: c_long) -> *mut PyObject;
}
