//! The C layout of a `#[pyclass]` instance, and its deallocation.

use pyo3_ft_runtime::ffi;

use super::storage::ClassStorage;
use super::{PyClass, PyClassBaseType};
use crate::python::Python;
use crate::types::PyAny;

/// An instance of `T`: the base's layout, then `T`'s storage.
#[repr(C)]
pub struct PyClassObject<T: PyClass> {
    base: <T::BaseType as PyClassBaseType>::Layout,
    contents: T::Storage,
}

impl<T: PyClass> PyClassObject<T> {
    /// The storage inside `object`.
    ///
    /// # Safety
    /// `object` must point to an instance of `T` (or a subclass).
    #[inline(always)]
    pub unsafe fn contents(object: *mut ffi::PyObject) -> *mut T::Storage {
        // SAFETY: the caller's contract: `object` has `T`'s layout.
        unsafe { std::ptr::addr_of_mut!((*object.cast::<Self>()).contents) }
    }

    /// Drops `T`'s contents, then the bases'.
    ///
    /// # Safety
    /// `object` must be an initialized instance being deallocated.
    pub unsafe fn drop_contents(object: *mut ffi::PyObject) {
        // SAFETY: the caller's contract: an initialized instance being
        // deallocated, whose parts are dropped once each, `T`'s first.
        unsafe {
            T::Storage::drop_in_place(Self::contents(object), T::NAME);
            <T::BaseType as PyClassBaseType>::drop_contents(object);
        }
    }
}

// SAFETY: instances of `object` are bare `PyObject`s.
unsafe impl PyClassBaseType for PyAny {
    type Layout = ffi::PyObject;
    type Initializer = ();

    unsafe fn drop_contents(_object: *mut ffi::PyObject) {}

    fn base_type_object(
        _py: Python<'_>,
    ) -> crate::err::PyResult<Option<crate::Bound<'_, crate::types::PyType>>> {
        Ok(None)
    }

    unsafe fn allocate(
        py: Python<'_>,
        subtype: *mut ffi::PyTypeObject,
    ) -> crate::err::PyResult<*mut ffi::PyObject> {
        // SAFETY: `subtype` is a live type (caller); `Py_tp_alloc` holds an
        // `allocfunc`, and either allocator returns a new object or null
        // with an exception set.
        unsafe {
            let alloc = ffi::PyType_GetSlot(subtype, ffi::Py_tp_alloc);
            let alloc: ffi::allocfunc = if alloc.is_null() {
                ffi::PyType_GenericAlloc
            } else {
                std::mem::transmute::<*mut std::ffi::c_void, ffi::allocfunc>(alloc)
            };
            let object = alloc(subtype, 0);
            if object.is_null() {
                return Err(crate::err::PyErr::fetch(py));
            }
            Ok(object)
        }
    }

    unsafe fn deallocate(object: *mut ffi::PyObject) {
        // SAFETY: `object` is being deallocated (caller); `Py_tp_free` holds
        // a `freefunc`, the default matching how the object was allocated.
        unsafe {
            let ty = ffi::Py_TYPE(object);
            let free = ffi::PyType_GetSlot(ty, ffi::Py_tp_free);
            let free: ffi::freefunc = if !free.is_null() {
                std::mem::transmute::<*mut std::ffi::c_void, ffi::freefunc>(free)
            } else if ffi::PyType_HasFeature(ty, ffi::Py_TPFLAGS_HAVE_GC) {
                ffi::PyObject_GC_Del
            } else {
                ffi::PyObject_Free
            };
            free(object.cast());
        }
    }
}

/// `tp_dealloc` of every `#[pyclass]`.
///
/// # Safety
/// Called by CPython with an instance whose reference count reached zero.
pub unsafe extern "C" fn tp_dealloc<T: PyClass>(object: *mut ffi::PyObject) {
    // SAFETY: CPython deallocates an unreachable instance of `T` on an
    // attached thread: each step below runs once, in the order CPython's own
    // types use, and the object is never touched after `deallocate`.
    unsafe {
        let ty = ffi::Py_TYPE(object);
        if ffi::PyType_HasFeature(ty, ffi::Py_TPFLAGS_HAVE_GC) {
            ffi::PyObject_GC_UnTrack(object.cast());
        }
        if ffi::PyType_HasFeature(ty, ffi::Py_TPFLAGS_MANAGED_WEAKREF) {
            ffi::PyObject_ClearWeakRefs(object);
        }
        if ffi::PyType_HasFeature(ty, ffi::Py_TPFLAGS_MANAGED_DICT) {
            ffi::PyObject_ClearManagedDict(object);
        }
        let dropped = std::panic::catch_unwind(|| PyClassObject::<T>::drop_contents(object));
        if let Err(payload) = dropped {
            crate::panic::PanicException::from_panic_payload(payload)
                .write_unraisable(Python::assume_attached(), None);
        }
        <T::BaseType as PyClassBaseType>::deallocate(object);
        // Instances of heap types own a reference to their type.
        ffi::Py_DECREF(ty.cast());
    }
}
