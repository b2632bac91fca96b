//! The `datetime` C API (`Include/datetime.h`): the instance layouts its
//! accessor macros read (`PyDateTime_GET_YEAR`, ...), and the table of type
//! objects and constructors published in the capsule
//! `datetime.datetime_CAPI`.

use std::ffi::{c_char, c_int};

use super::object::{PyObject, PyTypeObject, Py_hash_t};

/// `PyDateTime_Delta`.
#[repr(C)]
pub struct PyDateTime_Delta {
    pub ob_base: PyObject,
    pub hashcode: Py_hash_t,
    pub days: c_int,
    pub seconds: c_int,
    pub microseconds: c_int,
}

/// `PyDateTime_TZInfo`: a bare object header (the layout a subclass of
/// `tzinfo` extends).
#[repr(C)]
pub struct PyDateTime_TZInfo {
    pub ob_base: PyObject,
}

/// `PyDateTime_Date`: `data` is year (2 bytes, big-endian), month, day.
#[repr(C)]
pub struct PyDateTime_Date {
    pub ob_base: PyObject,
    pub hashcode: Py_hash_t,
    pub hastzinfo: c_char,
    pub data: [u8; 4],
}

/// `PyDateTime_Time`: `data` is hour, minute, second, microsecond (3
/// bytes, big-endian); `tzinfo` exists only when `hastzinfo` is set.
#[repr(C)]
pub struct PyDateTime_Time {
    pub ob_base: PyObject,
    pub hashcode: Py_hash_t,
    pub hastzinfo: c_char,
    pub data: [u8; 6],
    pub fold: u8,
    pub tzinfo: *mut PyObject,
}

/// `PyDateTime_DateTime`: `data` is the date's 4 bytes, then the time's 6;
/// `tzinfo` exists only when `hastzinfo` is set.
#[repr(C)]
pub struct PyDateTime_DateTime {
    pub ob_base: PyObject,
    pub hashcode: Py_hash_t,
    pub hastzinfo: c_char,
    pub data: [u8; 10],
    pub fold: u8,
    pub tzinfo: *mut PyObject,
}

/// `PyDateTime_CAPSULE_NAME`.
pub const PyDateTime_CAPSULE_NAME: &std::ffi::CStr = c"datetime.datetime_CAPI";

/// `PyDateTime_CAPI`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct PyDateTime_CAPI {
    pub DateType: *mut PyTypeObject,
    pub DateTimeType: *mut PyTypeObject,
    pub TimeType: *mut PyTypeObject,
    pub DeltaType: *mut PyTypeObject,
    pub TZInfoType: *mut PyTypeObject,
    pub TimeZone_UTC: *mut PyObject,
    pub Date_FromDate:
        unsafe extern "C" fn(c_int, c_int, c_int, *mut PyTypeObject) -> *mut PyObject,
    pub DateTime_FromDateAndTime: unsafe extern "C" fn(
        c_int,
        c_int,
        c_int,
        c_int,
        c_int,
        c_int,
        c_int,
        *mut PyObject,
        *mut PyTypeObject,
    ) -> *mut PyObject,
    pub Time_FromTime: unsafe extern "C" fn(
        c_int,
        c_int,
        c_int,
        c_int,
        *mut PyObject,
        *mut PyTypeObject,
    ) -> *mut PyObject,
    pub Delta_FromDelta:
        unsafe extern "C" fn(c_int, c_int, c_int, c_int, *mut PyTypeObject) -> *mut PyObject,
    pub TimeZone_FromTimeZone:
        unsafe extern "C" fn(offset: *mut PyObject, name: *mut PyObject) -> *mut PyObject,
    pub DateTime_FromTimestamp:
        unsafe extern "C" fn(*mut PyObject, *mut PyObject, *mut PyObject) -> *mut PyObject,
    pub Date_FromTimestamp: unsafe extern "C" fn(*mut PyObject, *mut PyObject) -> *mut PyObject,
    pub DateTime_FromDateAndTimeAndFold: unsafe extern "C" fn(
        c_int,
        c_int,
        c_int,
        c_int,
        c_int,
        c_int,
        c_int,
        *mut PyObject,
        c_int,
        *mut PyTypeObject,
    ) -> *mut PyObject,
    pub Time_FromTimeAndFold: unsafe extern "C" fn(
        c_int,
        c_int,
        c_int,
        c_int,
        *mut PyObject,
        c_int,
        *mut PyTypeObject,
    ) -> *mut PyObject,
}

/// Imports the table; null with an exception set on failure.
///
/// # Safety
/// The thread must be attached.
#[inline]
pub unsafe fn PyDateTime_Import() -> *mut PyDateTime_CAPI {
    // SAFETY: the caller is attached; the name is a valid C string.
    unsafe { super::PyCapsule_Import(PyDateTime_CAPSULE_NAME.as_ptr().cast::<c_char>(), 0).cast() }
}
