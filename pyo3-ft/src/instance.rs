//! The three smart pointers to Python objects: [`Bound`], [`Borrowed`] and
//! [`Py`].

use std::fmt;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::ops::Deref;

use pyo3_ft_runtime::{ffi, thread_state};

use crate::err::{PyErr, PyResult};
use crate::python::Python;
use crate::thread_bound::{BoundMarker, ObjectPtr};
use crate::type_info::{DowncastError, DowncastIntoError, PyTypeInfo};
use crate::types::PyAny;

/// A strong reference to a Python object of type `T`, usable on the attached
/// thread for `'py`. Cloning and dropping count references (inline, biased
/// on free-threaded builds). Neither `Send` nor `Sync`: to keep or share a
/// reference beyond `'py`, turn it into a [`Py`] with [`Bound::unbind`].
#[repr(transparent)]
pub struct Bound<'py, T = PyAny> {
    ptr: ObjectPtr,
    marker: PhantomData<(&'py (), T)>,
    thread: BoundMarker,
}

/// A borrowed reference: no reference-count traffic, valid for `'a`.
/// Neither `Send` nor `Sync`.
#[repr(transparent)]
pub struct Borrowed<'a, 'py, T = PyAny> {
    ptr: ObjectPtr,
    marker: PhantomData<&'a Bound<'py, T>>,
}

/// A strong reference that is not tied to an attached thread: store it in
/// structs and statics, send it to other threads, share it between them.
/// Use it through [`Py::bind`] once attached.
///
/// Dropping a `Py` on a thread that is not attached attaches that thread
/// briefly (creating its persistent thread state the first time) to release
/// the reference. Once the interpreter has started finalizing, it does
/// nothing: the object is neither freed nor touched. A `Py` dropped by a
/// thread-local's destructor, after the thread's own thread state is gone,
/// is released through a temporary thread state.
#[repr(transparent)]
pub struct Py<T = PyAny> {
    ptr: ObjectPtr,
    marker: PhantomData<T>,
}

// SAFETY: a `Py` only touches the object through `bind` (which needs an
// attached thread) or its reference count (see `Drop`); any thread may do
// either, and the object's own synchronization is CPython's business.
unsafe impl<T> Send for Py<T> {}
// SAFETY: as above: `&Py` gives no access without attaching.
unsafe impl<T> Sync for Py<T> {}

impl<'py> Bound<'py, PyAny> {
    /// Takes ownership of a new reference.
    ///
    /// # Safety
    /// `ptr` must be a non-null owned reference to an object,
    /// and the thread attached for `'py`.
    #[inline]
    pub unsafe fn from_owned_ptr(_py: Python<'py>, ptr: *mut ffi::PyObject) -> Self {
        Bound {
            // SAFETY: the caller guarantees `ptr` is not null.
            ptr: unsafe { ObjectPtr::new_unchecked(ptr) },
            marker: PhantomData,
            thread: PhantomData,
        }
    }

    /// Takes ownership of a new reference, or fetches the exception if `ptr`
    /// is null (the convention of most C API functions).
    ///
    /// # Safety
    /// As for [`Bound::from_owned_ptr`] when `ptr` is not null.
    #[inline]
    pub unsafe fn from_owned_ptr_or_err(
        py: Python<'py>,
        ptr: *mut ffi::PyObject,
    ) -> PyResult<Self> {
        if ptr.is_null() {
            Err(PyErr::fetch(py))
        } else {
            // SAFETY: `ptr` is not null; the rest is the caller's contract.
            Ok(unsafe { Self::from_owned_ptr(py, ptr) })
        }
    }

    /// Makes a new reference from a borrowed pointer.
    ///
    /// # Safety
    /// `ptr` must point to a live object, and the thread be
    /// attached for `'py`.
    #[inline]
    pub unsafe fn from_borrowed_ptr(py: Python<'py>, ptr: *mut ffi::PyObject) -> Self {
        // SAFETY: `ptr` is live and the thread attached (the caller's
        // contract); the new reference is the one the `Bound` owns.
        unsafe {
            ffi::Py_INCREF(ptr);
            Self::from_owned_ptr(py, ptr)
        }
    }
}

impl<'py, T> Bound<'py, T> {
    /// The attached-thread token.
    #[inline(always)]
    pub fn py(&self) -> Python<'py> {
        // SAFETY: a `Bound<'py, _>` only exists while attached for `'py`.
        unsafe { Python::assume_attached() }
    }

    /// The raw pointer, still owned by `self`.
    #[inline(always)]
    pub fn as_ptr(&self) -> *mut ffi::PyObject {
        self.ptr.as_ptr()
    }

    /// Gives up ownership and returns the raw owned pointer.
    #[inline]
    pub fn into_ptr(self) -> *mut ffi::PyObject {
        ManuallyDrop::new(self).as_ptr()
    }

    /// This reference, viewed as `&Bound<PyAny>`.
    #[inline(always)]
    pub fn as_any(&self) -> &Bound<'py, PyAny> {
        // SAFETY: `Bound` is `repr(transparent)` over the pointer for every `T`.
        unsafe { &*(self as *const Self).cast::<Bound<'py, PyAny>>() }
    }

    /// This reference as a `Bound<PyAny>`.
    #[inline(always)]
    pub fn into_any(self) -> Bound<'py, PyAny> {
        // SAFETY: every object is a `PyAny`.
        unsafe { self.downcast_into_unchecked() }
    }

    /// A borrowed view, without touching the reference count.
    #[inline(always)]
    pub fn as_borrowed<'a>(&'a self) -> Borrowed<'a, 'py, T> {
        Borrowed {
            ptr: self.ptr,
            marker: PhantomData,
        }
    }

    /// Detaches the reference from the thread: a [`Py`] can be stored and
    /// sent anywhere.
    #[inline]
    pub fn unbind(self) -> Py<T> {
        Py {
            ptr: ManuallyDrop::new(self).ptr,
            marker: PhantomData,
        }
    }

    /// A new `Py` to the same object, keeping `self`.
    #[inline]
    pub fn to_unbound(&self) -> Py<T> {
        self.clone().unbind()
    }

    /// Reinterprets the type without checking.
    ///
    /// # Safety
    /// The object must be of type `U`.
    #[inline(always)]
    pub unsafe fn downcast_into_unchecked<U>(self) -> Bound<'py, U> {
        Bound {
            ptr: ManuallyDrop::new(self).ptr,
            marker: PhantomData,
            thread: PhantomData,
        }
    }

    /// Reinterprets `&self` without checking.
    ///
    /// # Safety
    /// The object must be of type `U`.
    #[inline(always)]
    pub unsafe fn downcast_unchecked<U>(&self) -> &Bound<'py, U> {
        // SAFETY: `Bound` is `repr(transparent)` over the pointer for every
        // type; the caller guarantees the object is a `U`.
        unsafe { &*(self as *const Self).cast::<Bound<'py, U>>() }
    }

    /// Whether `self` and `other` are the same object (`is`).
    #[inline]
    pub fn is<U>(&self, other: &Bound<'_, U>) -> bool {
        self.as_ptr() == other.as_ptr()
    }

    /// The total reference count: for tests and diagnostics only; other
    /// threads may change it at any time.
    pub fn get_refcnt(&self) -> isize {
        // SAFETY: `self` keeps the object alive.
        unsafe { ffi::Py_REFCNT(self.as_ptr()) }
    }
}

impl<'py> Bound<'py, PyAny> {
    /// Checks the type and returns `&Bound<T>`, or an error that converts
    /// into a `TypeError` naming both types.
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::types::{PyList, PyInt};
    ///
    /// Python::attach(|py| {
    ///     let obj = 5i32.into_pyobject(py)?;
    ///     assert!(obj.downcast::<PyInt>().is_ok());
    ///     let err = PyErr::from(obj.downcast::<PyList>().unwrap_err());
    ///     assert_eq!(err.to_string(), "TypeError: 'int' object cannot be converted to 'list'");
    ///     Ok::<_, PyErr>(())
    /// })?;
    /// # Ok::<(), PyErr>(())
    /// ```
    #[inline]
    pub fn downcast<T: PyTypeInfo>(&self) -> Result<&Bound<'py, T>, DowncastError<'_, 'py>> {
        if T::is_type_of(self) {
            // SAFETY: checked just above.
            Ok(unsafe { self.downcast_unchecked() })
        } else {
            Err(DowncastError::new(self.as_borrowed(), T::NAME))
        }
    }

    /// Like [`Bound::downcast`], taking ownership.
    #[inline]
    pub fn downcast_into<T: PyTypeInfo>(self) -> Result<Bound<'py, T>, DowncastIntoError<'py>> {
        if T::is_type_of(&self) {
            // SAFETY: checked just above.
            Ok(unsafe { self.downcast_into_unchecked() })
        } else {
            Err(DowncastIntoError::new(self, T::NAME))
        }
    }
}

impl<T> Clone for Bound<'_, T> {
    #[inline]
    fn clone(&self) -> Self {
        // SAFETY: `self` keeps the object alive; attached for `'py`.
        unsafe { ffi::Py_INCREF(self.as_ptr()) };
        Bound {
            ptr: self.ptr,
            marker: PhantomData,
            thread: PhantomData,
        }
    }
}

impl<T> Drop for Bound<'_, T> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: `self` owns one reference and the thread is attached.
        unsafe { ffi::Py_DECREF(self.as_ptr()) }
    }
}

/// Every `Bound<T>` of a concrete type can be used as a `Bound<PyAny>`.
impl<'py, T: crate::type_info::DerefToPyAny> Deref for Bound<'py, T> {
    type Target = Bound<'py, PyAny>;

    #[inline(always)]
    fn deref(&self) -> &Bound<'py, PyAny> {
        self.as_any()
    }
}

impl<'a, 'py, T> Borrowed<'a, 'py, T> {
    /// Borrows a pointer.
    ///
    /// # Safety
    /// `ptr` must be a non-null pointer to an object of type `T` that stays
    /// alive for `'a`, and the thread attached for `'py`.
    #[inline(always)]
    pub unsafe fn from_ptr(_py: Python<'py>, ptr: *mut ffi::PyObject) -> Self {
        Borrowed {
            // SAFETY: the caller guarantees `ptr` is not null.
            ptr: unsafe { ObjectPtr::new_unchecked(ptr) },
            marker: PhantomData,
        }
    }

    /// Reinterprets the type without checking.
    ///
    /// # Safety
    /// The object must be of type `U`.
    #[inline(always)]
    pub unsafe fn cast_unchecked<U>(self) -> Borrowed<'a, 'py, U> {
        Borrowed {
            ptr: self.ptr,
            marker: PhantomData,
        }
    }

    /// Takes a new strong reference.
    #[inline]
    pub fn to_owned(self) -> Bound<'py, T> {
        (*self).clone()
    }

    /// The borrowed pointer.
    #[inline(always)]
    pub fn as_ptr(self) -> *mut ffi::PyObject {
        self.ptr.as_ptr()
    }
}

impl<'a, 'py> Borrowed<'a, 'py, PyAny> {
    /// Checks the type, keeping the borrow's lifetime.
    #[inline]
    pub fn downcast<T: PyTypeInfo>(self) -> Result<Borrowed<'a, 'py, T>, DowncastError<'a, 'py>>
    where
        'py: 'a,
    {
        if T::is_type_of(&self) {
            Ok(Borrowed {
                ptr: self.ptr,
                marker: PhantomData,
            })
        } else {
            Err(DowncastError::new(self, T::NAME))
        }
    }
}

impl<T> Clone for Borrowed<'_, '_, T> {
    #[inline(always)]
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Borrowed<'_, '_, T> {}

impl<'py, T> Deref for Borrowed<'_, 'py, T> {
    type Target = Bound<'py, T>;

    #[inline(always)]
    fn deref(&self) -> &Bound<'py, T> {
        // SAFETY: `Borrowed` and `Bound` are both `repr(transparent)` over
        // the same pointer; the returned reference cannot outlive `self`, and
        // `&Bound` gives no way to drop it.
        unsafe { &*(self as *const Self).cast::<Bound<'py, T>>() }
    }
}

impl<T> Py<T> {
    /// Uses the object on the attached thread.
    #[inline(always)]
    pub fn bind<'py>(&self, _py: Python<'py>) -> &Bound<'py, T> {
        // SAFETY: `Py` and `Bound` are both `repr(transparent)` over the
        // pointer; `py` proves the thread is attached for `'py`, and the
        // borrow of `self` keeps the reference alive.
        unsafe { &*(self as *const Self).cast::<Bound<'py, T>>() }
    }

    /// Turns the reference into a `Bound` for the attached thread.
    #[inline]
    pub fn into_bound(self, py: Python<'_>) -> Bound<'_, T> {
        let _ = py;
        Bound {
            ptr: ManuallyDrop::new(self).ptr,
            marker: PhantomData,
            thread: PhantomData,
        }
    }

    /// A new reference to the same object.
    #[inline]
    pub fn clone_ref(&self, py: Python<'_>) -> Py<T> {
        self.bind(py).clone().unbind()
    }

    /// The raw pointer, still owned by `self`.
    #[inline(always)]
    pub fn as_ptr(&self) -> *mut ffi::PyObject {
        self.ptr.as_ptr()
    }

    /// Takes ownership of a new reference.
    ///
    /// # Safety
    /// `ptr` must be a non-null owned reference to an object of type `T`.
    #[inline]
    pub unsafe fn from_owned_ptr(ptr: *mut ffi::PyObject) -> Self {
        Py {
            // SAFETY: the caller guarantees `ptr` is not null.
            ptr: unsafe { ObjectPtr::new_unchecked(ptr) },
            marker: PhantomData,
        }
    }
}

impl<T> Clone for Py<T> {
    /// Attaches if needed (cheap once the thread has a thread state).
    fn clone(&self) -> Self {
        Python::attach(|py| self.clone_ref(py))
    }
}

impl<T> Drop for Py<T> {
    fn drop(&mut self) {
        if thread_state::is_traversing() {
            // The collector is counting references: leave this one alone
            // (leaked) and report the `__traverse__` that dropped it.
            if !std::thread::panicking() {
                panic!("a Py was dropped inside __traverse__, which may only visit references");
            }
            return;
        }
        if thread_state::is_attached() {
            // SAFETY: `self` owns one reference and the thread is attached.
            unsafe { ffi::Py_DECREF(self.as_ptr()) };
            return;
        }
        // Once the interpreter closes, the reference is left to it: it frees
        // its objects wholesale.
        if let Ok(_guard) = thread_state::try_attach() {
            // SAFETY: as above, now that the guard attached the thread.
            unsafe { ffi::Py_DECREF(self.as_ptr()) };
        }
    }
}

impl<T> fmt::Debug for Py<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Py").field(&self.ptr).finish()
    }
}

impl<T> fmt::Debug for Bound<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.as_any().repr() {
            Ok(repr) => f.write_str(&repr.to_string_lossy()),
            Err(_) => f.debug_tuple("Bound").field(&self.ptr).finish(),
        }
    }
}

impl<T> fmt::Display for Bound<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.as_any().str() {
            Ok(text) => f.write_str(&text.to_string_lossy()),
            Err(err) => {
                err.write_unraisable(self.py(), Some(self.as_any()));
                f.write_str("<unprintable object>")
            }
        }
    }
}

impl<'py, T> From<Bound<'py, T>> for Py<T> {
    #[inline]
    fn from(bound: Bound<'py, T>) -> Self {
        bound.unbind()
    }
}
