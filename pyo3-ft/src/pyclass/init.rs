//! [`PyClassInitializer`]: the Rust values of a new instance, one per class
//! in its chain of Rust bases.

use pyo3_ft_runtime::ffi;

use super::layout::PyClassObject;
use super::storage::ClassStorage;
use super::{PyClass, PyClassBaseType};
use crate::err::PyResult;
use crate::instance::Bound;
use crate::python::Python;

/// Writes the Rust contents of a freshly allocated object.
pub trait PyObjectInit {
    /// # Safety
    /// `object` must be a freshly allocated instance of the class (or a
    /// subclass) whose contents this initializer describes.
    unsafe fn init_contents(self, object: *mut ffi::PyObject);
}

impl PyObjectInit for () {
    unsafe fn init_contents(self, _object: *mut ffi::PyObject) {}
}

/// The value of a new `T` and of each of its Rust base classes.
///
/// `#[new]` may return `Self`, `(Self, Base)`, or an initializer built with
/// [`PyClassInitializer::add_subclass`] for deeper chains.
pub struct PyClassInitializer<T: PyClass> {
    value: T,
    base: <T::BaseType as PyClassBaseType>::Initializer,
}

impl<T: PyClass> PyClassInitializer<T> {
    /// `value` on top of the base's initializer.
    pub fn new(value: T, base: <T::BaseType as PyClassBaseType>::Initializer) -> Self {
        PyClassInitializer { value, base }
    }

    /// The value of `T` itself.
    pub(crate) fn value(&self) -> &T {
        &self.value
    }

    /// An initializer for subclass `S` of `T`, with `self` as its base part.
    pub fn add_subclass<S>(self, value: S) -> PyClassInitializer<S>
    where
        S: PyClass,
        S::BaseType: PyClassBaseType<Initializer = Self>,
    {
        PyClassInitializer::new(value, self)
    }

    /// Allocates an instance of `subtype` (`T` or a Python subclass of it)
    /// and moves the values in.
    ///
    /// # Safety
    /// `subtype` must be `T`'s type object or a subtype of it.
    pub unsafe fn create_object<'py>(
        self,
        py: Python<'py>,
        subtype: *mut ffi::PyTypeObject,
    ) -> PyResult<Bound<'py, T>> {
        // SAFETY: `subtype` is `T`'s type or a subtype (the caller's
        // contract), so the allocation has `T`'s layout. Nothing runs Python
        // between allocation and initialization, so no one (not even the
        // GC) sees the uninitialized contents; the new reference is owned.
        unsafe {
            let object = <T::BaseType as PyClassBaseType>::allocate(py, subtype)?;
            self.init_contents(object);
            Ok(Bound::from_owned_ptr(py, object).downcast_into_unchecked())
        }
    }
}

impl<T: PyClass> PyObjectInit for PyClassInitializer<T> {
    unsafe fn init_contents(self, object: *mut ffi::PyObject) {
        // SAFETY: `object` is a fresh allocation of `T`'s layout (the
        // trait's contract): the base's part is initialized first, then `T`'s
        // storage is written into its uninitialized slot.
        unsafe {
            self.base.init_contents(object);
            std::ptr::write(
                PyClassObject::<T>::contents(object),
                T::Storage::new(self.value),
            );
        }
    }
}

impl<T: PyClass> From<T> for PyClassInitializer<T>
where
    <T::BaseType as PyClassBaseType>::Initializer: Default,
{
    fn from(value: T) -> Self {
        PyClassInitializer::new(value, Default::default())
    }
}

impl<T, B> From<(T, B)> for PyClassInitializer<T>
where
    T: PyClass<BaseType = B>,
    B: PyClass + PyClassBaseType<Initializer = PyClassInitializer<B>>,
    PyClassInitializer<B>: From<B>,
{
    fn from((value, base): (T, B)) -> Self {
        PyClassInitializer::new(value, base.into())
    }
}
