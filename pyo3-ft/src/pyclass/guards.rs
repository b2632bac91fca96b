//! [`PyRef`] and [`PyRefMut`]: borrows of a `#[pyclass]` value.

use std::ops::{Deref, DerefMut};

use super::layout::PyClassObject;
use super::storage::{ClassStorage, ClassStorageMut};
use super::PyClass;
use crate::conversion::{FromPyObject, IntoPyObject};
use crate::err::PyResult;
use crate::impl_::args::ArgHolder;
use crate::instance::{Borrowed, Bound};
use crate::python::Python;
use crate::types::PyAny;

/// Shared access to the Rust value of a `#[pyclass]` instance. Neither
/// `Send` nor `Sync`; keeps the object alive.
pub struct PyRef<'py, T: PyClass> {
    // Declared first: dropped before `object` releases the instance.
    guard: <T::Storage as ClassStorage<T>>::Ref<'py>,
    object: Bound<'py, T>,
}

/// Exclusive access to the Rust value of a `mutable` or `unsendable`
/// class. Neither `Send` nor `Sync`; keeps the object alive.
pub struct PyRefMut<'py, T: PyClass>
where
    T::Storage: ClassStorageMut<T>,
{
    guard: <T::Storage as ClassStorageMut<T>>::RefMut<'py>,
    object: Bound<'py, T>,
}

/// The storage of `object`, for as long as `'py`.
///
/// # Safety
/// The caller must keep a strong reference to `object` for as long as it
/// uses the result.
unsafe fn storage<'py, T: PyClass>(object: &Bound<'py, T>) -> &'py T::Storage {
    // SAFETY: `object` is an instance of `T`, kept alive by the caller for
    // as long as the result is used.
    unsafe { &*PyClassObject::<T>::contents(object.as_ptr()) }
}

impl<'py, T: PyClass> PyRef<'py, T> {
    /// Borrows `object`; `method` (`Class.method`) names the caller in errors.
    pub fn borrow(object: &Bound<'py, T>, method: &'static str) -> PyResult<Self> {
        // SAFETY: the returned `PyRef` holds `object` and drops the guard first.
        let guard = unsafe { storage(object) }.borrow(object.py(), method)?;
        Ok(PyRef {
            guard,
            object: object.clone(),
        })
    }

    /// The object this borrow is of.
    pub fn as_bound(&self) -> &Bound<'py, T> {
        &self.object
    }
}

impl<'py, T: PyClass> PyRefMut<'py, T>
where
    T::Storage: ClassStorageMut<T>,
{
    /// Borrows `object` exclusively; `method` names the caller in errors.
    pub fn borrow(object: &Bound<'py, T>, method: &'static str) -> PyResult<Self> {
        // SAFETY: the returned `PyRefMut` holds `object` and drops the guard first.
        let guard = unsafe { storage(object) }.borrow_mut(object.py(), method)?;
        Ok(PyRefMut {
            guard,
            object: object.clone(),
        })
    }

    /// The object this borrow is of.
    pub fn as_bound(&self) -> &Bound<'py, T> {
        &self.object
    }
}

impl<T: PyClass> Deref for PyRef<'_, T> {
    type Target = T;

    #[inline(always)]
    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T: PyClass> Deref for PyRefMut<'_, T>
where
    T::Storage: ClassStorageMut<T>,
{
    type Target = T;

    #[inline(always)]
    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T: PyClass> DerefMut for PyRefMut<'_, T>
where
    T::Storage: ClassStorageMut<T>,
{
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut T {
        &mut self.guard
    }
}

impl<'py, T: PyClass> FromPyObject<'_, 'py> for PyRef<'py, T> {
    const INPUT_TYPE: crate::stubs::TypeHint = T::TYPE_HINT;

    fn extract(object: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        PyRef::borrow(&*object.downcast::<T>()?, "")
    }
}

impl<'py, T: PyClass> FromPyObject<'_, 'py> for PyRefMut<'py, T>
where
    T::Storage: ClassStorageMut<T>,
{
    const INPUT_TYPE: crate::stubs::TypeHint = T::TYPE_HINT;

    fn extract(object: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        PyRefMut::borrow(&*object.downcast::<T>()?, "")
    }
}

/// A `&T` parameter borrows the instance for the call.
impl<'a, 'py, T: PyClass> ArgHolder<'a, 'py> for T {
    const INPUT_TYPE: crate::stubs::TypeHint = T::TYPE_HINT;
    type Holder = PyRef<'py, T>;

    fn extract_holder(object: Borrowed<'a, 'py, PyAny>) -> PyResult<PyRef<'py, T>> {
        PyRef::extract(object)
    }
}

/// Returning `PyRef<Self>` from a method returns the object itself (the
/// borrow ends first), as for a builder method that returns `slf`.
impl<'py, T: PyClass> IntoPyObject<'py> for PyRef<'py, T> {
    const OUTPUT_TYPE: crate::stubs::TypeHint = T::TYPE_HINT;

    fn into_pyobject(self, _py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let PyRef { guard, object } = self;
        drop(guard);
        Ok(object.into_any())
    }
}

/// Returning `PyRefMut<Self>` returns the object itself, the exclusive
/// borrow released first.
impl<'py, T: PyClass> IntoPyObject<'py> for PyRefMut<'py, T>
where
    T::Storage: ClassStorageMut<T>,
{
    const OUTPUT_TYPE: crate::stubs::TypeHint = T::TYPE_HINT;

    fn into_pyobject(self, _py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let PyRefMut { guard, object } = self;
        drop(guard);
        Ok(object.into_any())
    }
}
