//! The markers that keep attached-thread types on their thread, named so
//! that the compiler's error says what went wrong and what to do instead.
//!
//! A type is `!Send` and `!Sync` when it holds a `dyn Trait` without those
//! auto traits; the compiler's error then names that trait object. Every
//! other auto trait (`Unpin`, `UnwindSafe`, `RefUnwindSafe`) is a supertrait,
//! so the markers take away `Send` and `Sync` only. The object pointers are
//! wrapped in [`ObjectPtr`], which is `Send` and `Sync`, so that a `Bound`
//! sent to another thread yields one error, about its marker, instead of a
//! second one about `NonNull<PyObject>`.

use std::marker::PhantomData;
use std::panic::{RefUnwindSafe, UnwindSafe};
use std::ptr::NonNull;

use pyo3_ft_runtime::ffi;

/// Named in the error when a [`Python`](crate::Python) token is sent to or
/// shared with another thread.
#[allow(non_camel_case_types)]
pub trait Python_proves_that_this_thread_is_attached__attach_on_the_other_thread:
    Unpin + UnwindSafe + RefUnwindSafe
{
}

/// Named in the error when a [`Bound`](crate::Bound) or
/// [`Borrowed`](crate::Borrowed) is sent to or shared with another thread.
#[allow(non_camel_case_types)]
pub trait Bound_is_tied_to_its_thread__unbind_it_into_a_Py_that_can_move:
    Unpin + UnwindSafe + RefUnwindSafe
{
}

/// Makes [`Python`](crate::Python) neither `Send` nor `Sync`.
pub(crate) type PythonMarker =
    PhantomData<dyn Python_proves_that_this_thread_is_attached__attach_on_the_other_thread>;

/// Makes [`Bound`](crate::Bound) and [`Borrowed`](crate::Borrowed) neither
/// `Send` nor `Sync`.
pub(crate) type BoundMarker =
    PhantomData<dyn Bound_is_tied_to_its_thread__unbind_it_into_a_Py_that_can_move>;

/// A non-null object pointer. It is `Send` and `Sync` itself: whether the
/// reference that holds it may move is decided by that type's marker.
#[repr(transparent)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct ObjectPtr(NonNull<ffi::PyObject>);

// SAFETY: a bare address; every type holding one carries a marker (or its
// own `Send`/`Sync` impls) that states whether the reference may move.
unsafe impl Send for ObjectPtr {}
// SAFETY: as above.
unsafe impl Sync for ObjectPtr {}

impl ObjectPtr {
    /// Wraps `ptr`.
    ///
    /// # Safety
    /// `ptr` must not be null.
    #[inline]
    pub(crate) unsafe fn new_unchecked(ptr: *mut ffi::PyObject) -> Self {
        // SAFETY: the caller guarantees `ptr` is not null.
        ObjectPtr(unsafe { NonNull::new_unchecked(ptr) })
    }

    /// The raw pointer.
    #[inline]
    pub(crate) fn as_ptr(self) -> *mut ffi::PyObject {
        self.0.as_ptr()
    }
}
