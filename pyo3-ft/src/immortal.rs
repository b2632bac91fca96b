//! Framework objects that every thread touches (class objects, their method
//! descriptors, module functions) are made immortal on free-threaded
//! builds, so threads calling them do not contend on one reference count.
//! CPython 3.13 does the same to deferred-refcount objects when the first
//! extra thread starts, but not to objects created later or by
//! `PyType_FromSpec`. They live as long as the process anyway.

use pyo3_ft_runtime::ffi;

use crate::instance::Bound;
use crate::types::{PyAny, PyType};

/// Makes `object` immortal (free-threaded builds; nothing on GIL builds).
///
/// # Safety
/// `object` must be framework-owned for the rest of the process and not
/// yet visible to other threads.
pub(crate) unsafe fn immortalize(object: &Bound<'_, PyAny>) {
    // SAFETY: the caller's contract is `_Py_SetImmortal`'s.
    #[cfg(Py_GIL_DISABLED)]
    unsafe {
        ffi::_Py_SetImmortal(object.as_ptr())
    };
    #[cfg(not(Py_GIL_DISABLED))]
    let _ = object;
}

/// Whether `object` is a descriptor created for a class's methods or
/// properties.
fn is_descriptor(object: &Bound<'_, PyAny>) -> bool {
    // SAFETY: reads the type of a live object and the addresses of statics.
    unsafe {
        let ty = ffi::Py_TYPE(object.as_ptr());
        [
            std::ptr::addr_of_mut!(ffi::PyMethodDescr_Type),
            std::ptr::addr_of_mut!(ffi::PyClassMethodDescr_Type),
            std::ptr::addr_of_mut!(ffi::PyGetSetDescr_Type),
            std::ptr::addr_of_mut!(ffi::PyStaticMethod_Type),
        ]
        .contains(&ty)
    }
}

/// Makes a new class and its descriptors immortal.
///
/// # Safety
/// `ty` must be a class the framework just created, not yet published.
pub(crate) unsafe fn immortalize_class(ty: &Bound<'_, PyType>) {
    if !cfg!(Py_GIL_DISABLED) {
        return;
    }
    // SAFETY: the class and the descriptors in its dict are new, owned by
    // the framework for good, and unpublished (the caller's contract).
    unsafe {
        for value in ty.type_dict().values().iter().filter(is_descriptor) {
            immortalize(&value);
        }
        immortalize(ty.as_any());
    }
}
