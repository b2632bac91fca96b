//! `datetime`'s types, through its C API: the capsule
//! `datetime.datetime_CAPI` is imported once per process (a [`PyOnceLock`])
//! and gives the type objects and constructors; field accessors read the
//! instance layouts as the header's `PyDateTime_GET_*` macros do (the
//! objects are immutable, so no lock is needed).

mod date;
mod date_time;
mod delta;
mod time;
mod tzinfo;

pub use date::PyDate;
pub use date_time::PyDateTime;
pub use delta::PyDelta;
pub use time::PyTime;
pub use tzinfo::PyTzInfo;

use pyo3_ft_runtime::ffi;

use crate::err::{PyErr, PyResult};
use crate::instance::Bound;
use crate::python::Python;
use crate::sync::PyOnceLock;
use crate::types::PyAny;

/// The capsule's table, valid for the life of the process.
struct Capi(&'static ffi::PyDateTime_CAPI);

// SAFETY: the table is immutable after the datetime module created it; its
// pointers are type objects and functions that any attached thread may use.
unsafe impl Send for Capi {}
// SAFETY: as above.
unsafe impl Sync for Capi {}

/// The datetime C API, imported on first use.
///
/// # Panics
/// If `datetime` cannot be imported (a broken installation).
fn capi(py: Python<'_>) -> &'static ffi::PyDateTime_CAPI {
    static CAPI: PyOnceLock<Capi> = PyOnceLock::new();
    CAPI.get_or_init(py, || {
        // SAFETY: attached; returns the table or null with an exception set.
        let table = unsafe { ffi::PyDateTime_Import() };
        if table.is_null() {
            panic!("failed to import the datetime C API: {}", PyErr::fetch(py));
        }
        // SAFETY: the capsule points to a static table of the datetime
        // module, which is never unloaded.
        Capi(unsafe { &*table })
    })
    .0
}

/// Declares a datetime type whose type object is the `$field` of the table.
macro_rules! datetime_type {
    ($(#[$doc:meta])* $rust:ident, $name:literal, $field:ident) => {
        $(#[$doc])*
        pub struct $rust {
            _private: [u8; 0],
        }

        // SAFETY: the table's type objects are the datetime types; the
        // default `is_type_of` accepts their instances and subclasses'.
        unsafe impl $crate::type_info::PyTypeInfo for $rust {
            const NAME: &'static str = $name;
            const TYPE_HINT: $crate::stubs::TypeHint =
                $crate::stubs::TypeHint::Name(concat!("datetime.", $name));

            #[inline]
            fn type_object_raw(
                py: $crate::python::Python<'_>,
            ) -> *mut ::pyo3_ft_runtime::ffi::PyTypeObject {
                super::capi(py).$field
            }
        }

        impl $crate::type_info::DerefToPyAny for $rust {}
    };
}

use datetime_type;

/// Wraps a constructor's new reference (or null with an exception set).
///
/// # Safety
/// `made` must follow that convention and be an instance of `T`.
unsafe fn wrap<T>(py: Python<'_>, made: *mut ffi::PyObject) -> PyResult<Bound<'_, T>> {
    // SAFETY: the caller's contract.
    unsafe { Ok(Bound::from_owned_ptr_or_err(py, made)?.downcast_into_unchecked()) }
}

/// The `tzinfo` of a time or datetime whose `hastzinfo` flag and field are
/// given: `None` when it has none.
///
/// # Safety
/// The pointers must come from a live instance, which keeps its tzinfo alive.
unsafe fn tzinfo<'py>(
    object: &Bound<'py, PyAny>,
    hastzinfo: std::ffi::c_char,
    field: *mut ffi::PyObject,
) -> Option<Bound<'py, PyTzInfo>> {
    if hastzinfo == 0 || field == ffi::Py_None() {
        return None;
    }
    // SAFETY: the instance (immutable) keeps `field` alive; a strong
    // reference is taken at once.
    Some(unsafe { Bound::from_borrowed_ptr(object.py(), field).downcast_into_unchecked() })
}

/// A nullable tzinfo argument: `None` when absent.
fn tzinfo_ptr(tzinfo: Option<&Bound<'_, PyTzInfo>>) -> *mut ffi::PyObject {
    tzinfo.map_or(ffi::Py_None(), Bound::as_ptr)
}

/// The big-endian hour, minute, second, microsecond bytes of a time.
fn time_fields(data: &[u8]) -> (u8, u8, u8, u32) {
    let micro = u32::from_be_bytes([0, data[3], data[4], data[5]]);
    (data[0], data[1], data[2], micro)
}
