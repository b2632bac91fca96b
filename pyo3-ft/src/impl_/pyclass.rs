//! Runtime helpers for the code `#[pyclass]` and `#[pymethods]` generate.

use std::ffi::c_int;
use std::hash::{Hash, Hasher};

use pyo3_ft_runtime::ffi;

use crate::conversion::{FromPyObject, IntoPyObject};
use crate::err::{PyErr, PyResult};
use crate::exceptions::{PyAttributeError, PyOverflowError};
use crate::impl_::trampoline::trampoline;
use crate::instance::{Borrowed, Bound};
use crate::pyclass::{
    ClassStorage, ClassStorageMut, PyClass, PyClassInitializer, PyClassObject, PyRef, PyRefMut,
};
use crate::python::Python;
use crate::types::{CompareOp, PyAny, PyType};

/// `self` of a method or slot, as CPython passes it.
///
/// # Safety
/// `slf` must be an instance of `T` (CPython checks this for methods and
/// slots of `T`'s own type), alive for `'a`.
#[inline(always)]
pub unsafe fn slf<'a, 'py, T>(py: Python<'py>, slf: *mut ffi::PyObject) -> Borrowed<'a, 'py, T> {
    // SAFETY: the caller's contract: `slf` is a live instance of `T`.
    unsafe { Borrowed::<PyAny>::from_ptr(py, slf).cast_unchecked() }
}

/// The class object of a class method.
///
/// # Safety
/// `cls` must be a live type object.
pub unsafe fn cls(py: Python<'_>, cls: *mut ffi::PyObject) -> Bound<'_, PyType> {
    // SAFETY: the caller's contract: `cls` is a live type object.
    unsafe { Bound::from_borrowed_ptr(py, cls).downcast_into_unchecked() }
}

/// `PyTypeInfo::type_object_raw` of a `#[pyclass]`.
///
/// # Panics
/// If the type object cannot be created (a bug in the class definition
/// that CPython rejects); the Python error is printed first.
pub fn type_object_raw<T: PyClass>(py: Python<'_>) -> *mut ffi::PyTypeObject {
    match T::lazy_type_object().get_or_try_init(py) {
        Ok(ty) => ty.as_ptr().cast(),
        Err(err) => {
            err.display(py);
            panic!("failed to create the type object of {}", T::NAME)
        }
    }
}

/// Values `#[new]` may return.
pub trait IntoNew<T: PyClass> {
    /// The initializer of the new instance.
    fn into_new(self) -> PyResult<PyClassInitializer<T>>;
}

impl<T: PyClass, I: Into<PyClassInitializer<T>>> IntoNew<T> for I {
    fn into_new(self) -> PyResult<PyClassInitializer<T>> {
        Ok(self.into())
    }
}

impl<T: PyClass, I: Into<PyClassInitializer<T>>, E: Into<PyErr>> IntoNew<T> for Result<I, E> {
    fn into_new(self) -> PyResult<PyClassInitializer<T>> {
        self.map(Into::into).map_err(Into::into)
    }
}

/// The body of `tp_new`: builds the instance of `subtype` from what
/// `#[new]` returned.
///
/// # Safety
/// `subtype` must be `T`'s type or a subtype of it.
pub unsafe fn new_object<T: PyClass>(
    py: Python<'_>,
    subtype: *mut ffi::PyTypeObject,
    value: impl IntoNew<T>,
) -> PyResult<*mut ffi::PyObject> {
    // SAFETY: the caller's contract: `subtype` is `T`'s type or a subtype.
    Ok(unsafe { value.into_new()?.create_object(py, subtype) }?.into_ptr())
}

/// The getter of a `#[py(get)]` field.
///
/// # Safety
/// Called by CPython as a getter of `T`.
pub unsafe fn get_field<T: PyClass, F>(
    slf: *mut ffi::PyObject,
    method: &'static str,
    get: impl FnOnce(&T) -> F,
) -> *mut ffi::PyObject
where
    F: for<'py> IntoPyObject<'py>,
{
    // SAFETY: CPython calls a getter of `T` attached, with an instance.
    unsafe {
        trampoline(|py| {
            let this = self::slf::<T>(py, slf);
            let value = get(&*borrow_slf(&this, method)?);
            Ok(value.into_pyobject(py)?.into_ptr())
        })
    }
}

/// The setter of a `#[py(set)]` field.
///
/// # Safety
/// Called by CPython as a setter of `T`.
pub unsafe fn set_field<T: PyClass, F>(
    slf: *mut ffi::PyObject,
    value: *mut ffi::PyObject,
    method: &'static str,
    set: impl FnOnce(&mut T, F),
) -> c_int
where
    T::Storage: ClassStorageMut<T>,
    F: for<'a, 'py> FromPyObject<'a, 'py>,
{
    // SAFETY: CPython calls a setter of `T` attached, with an instance and
    // a live value (or null to delete).
    unsafe {
        trampoline(|py| {
            if value.is_null() {
                return Err(PyAttributeError::new_err(format!(
                    "cannot delete attribute {method}"
                )));
            }
            let value = F::extract(Borrowed::from_ptr(py, value))?;
            let this = self::slf::<T>(py, slf);
            set(&mut *borrow_slf_mut(&this, method)?, value);
            Ok(0)
        })
    }
}

/// Checks that a field of a shared class is `Send + Sync`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be shared between threads, so it cannot be a field of this `#[pyclass]`",
    label = "this field type is not `Send + Sync`",
    note = "a default or `mutable` #[pyclass] is used from many threads at once",
    note = "use a thread-safe type (atomics, `pyo3_ft::sync::Mutex<_>`, `Py<_>`), or mark the class `#[pyclass(unsendable)]` to pin it to one thread"
)]
pub trait ShareableField {}

impl<T: ?Sized + Send + Sync> ShareableField for T {}

/// Compile-time check used by `#[pyclass]`.
pub const fn assert_shareable_field<T: ?Sized + ShareableField>() {}

/// Python's hash of a Rust hash: `-1` is reserved for errors.
pub fn hash_value(hash: u64) -> ffi::Py_hash_t {
    match hash as ffi::Py_hash_t {
        -1 => -2,
        other => other,
    }
}

/// What `__hash__` may return.
pub trait IntoPyHash {
    /// The hash.
    fn into_py_hash(self) -> PyResult<ffi::Py_hash_t>;
}

macro_rules! int_hash {
    ($($ty:ty),*) => {$(
        impl IntoPyHash for $ty {
            fn into_py_hash(self) -> PyResult<ffi::Py_hash_t> {
                Ok(hash_value(self as u64))
            }
        }
    )*};
}

int_hash!(u64, i64, u32, i32, usize, isize);

impl<H: IntoPyHash, E: Into<PyErr>> IntoPyHash for Result<H, E> {
    fn into_py_hash(self) -> PyResult<ffi::Py_hash_t> {
        self.map_err(Into::into)?.into_py_hash()
    }
}

/// What `__len__` may return.
pub trait IntoPyLen {
    /// The length.
    fn into_py_len(self) -> PyResult<ffi::Py_ssize_t>;
}

impl IntoPyLen for usize {
    fn into_py_len(self) -> PyResult<ffi::Py_ssize_t> {
        ffi::Py_ssize_t::try_from(self)
            .map_err(|_| PyOverflowError::new_err("length is too large for Python"))
    }
}

impl<E: Into<PyErr>> IntoPyLen for Result<usize, E> {
    fn into_py_len(self) -> PyResult<ffi::Py_ssize_t> {
        self.map_err(Into::into)?.into_py_len()
    }
}

/// What a predicate slot (`__bool__`, `__contains__`) may return.
pub trait IntoPyBool {
    /// The answer as a C int.
    fn into_py_bool(self) -> PyResult<c_int>;
}

impl IntoPyBool for bool {
    fn into_py_bool(self) -> PyResult<c_int> {
        Ok(c_int::from(self))
    }
}

impl<E: Into<PyErr>> IntoPyBool for Result<bool, E> {
    fn into_py_bool(self) -> PyResult<c_int> {
        self.map_err(Into::into)?.into_py_bool()
    }
}

/// What `__next__` may return: `None` ends the iteration.
pub trait IntoIterNext<'py> {
    /// The next item, or null without an exception at the end.
    fn into_iter_next(self, py: Python<'py>) -> PyResult<*mut ffi::PyObject>;
}

impl<'py, T: IntoPyObject<'py>> IntoIterNext<'py> for Option<T> {
    fn into_iter_next(self, py: Python<'py>) -> PyResult<*mut ffi::PyObject> {
        match self {
            Some(item) => Ok(item.into_pyobject(py)?.into_ptr()),
            None => Ok(std::ptr::null_mut()),
        }
    }
}

impl<'py, T: IntoPyObject<'py>, E: Into<PyErr>> IntoIterNext<'py> for Result<Option<T>, E> {
    fn into_iter_next(self, py: Python<'py>) -> PyResult<*mut ffi::PyObject> {
        self.map_err(Into::into)?.into_iter_next(py)
    }
}

/// What a setter, `__setitem__`, `__delitem__` or `__clear__` may return.
pub trait IntoUnit {
    /// `Ok(0)` on success.
    fn into_unit(self) -> PyResult<c_int>;
}

impl IntoUnit for () {
    fn into_unit(self) -> PyResult<c_int> {
        Ok(0)
    }
}

impl<E: Into<PyErr>> IntoUnit for Result<(), E> {
    fn into_unit(self) -> PyResult<c_int> {
        self.map_err(Into::into).map(|()| 0)
    }
}

/// `NotImplemented` as a new reference, for operators that do not apply.
pub fn not_implemented(py: Python<'_>) -> *mut ffi::PyObject {
    py.not_implemented().into_ptr()
}

/// `==` and `!=` from `PartialEq` (`#[pyclass(eq)]`).
pub fn compare_eq<T: PartialEq>(a: &T, b: &T, op: CompareOp) -> Option<bool> {
    match op {
        CompareOp::Eq => Some(a == b),
        CompareOp::Ne => Some(a != b),
        _ => None,
    }
}

/// All six comparisons from `PartialOrd` (`#[pyclass(ord)]`).
pub fn compare_ord<T: PartialOrd>(a: &T, b: &T, op: CompareOp) -> Option<bool> {
    Some(match op {
        CompareOp::Eq => a == b,
        CompareOp::Ne => a != b,
        CompareOp::Lt => a < b,
        CompareOp::Le => a <= b,
        CompareOp::Gt => a > b,
        CompareOp::Ge => a >= b,
    })
}

/// `tp_richcompare` of `#[pyclass(eq)]` / `#[pyclass(ord)]`: `compare`
/// decides; another type, or an operator `compare` does not handle, gives
/// `NotImplemented`.
///
/// # Safety
/// `slf` must be an instance of `T`; `other` alive.
pub unsafe fn derived_richcmp<T: PyClass>(
    py: Python<'_>,
    slf: *mut ffi::PyObject,
    other: *mut ffi::PyObject,
    op: c_int,
    compare: fn(&T, &T, CompareOp) -> Option<bool>,
) -> PyResult<*mut ffi::PyObject> {
    // SAFETY: the caller's contract: `other` is alive, `slf` an instance
    // of `T`, both for the call.
    let (other, this) = unsafe {
        (
            Borrowed::<PyAny>::from_ptr(py, other),
            self::slf::<T>(py, slf),
        )
    };
    let (Ok(other), Some(op)) = (other.downcast::<T>(), CompareOp::from_raw(op)) else {
        return Ok(not_implemented(py));
    };
    let (a, b) = (borrow_slf(&this, "")?, borrow_slf(&other, "")?);
    Ok(match compare(&a, &b, op) {
        Some(result) => py.bool(result).into_ptr(),
        None => not_implemented(py),
    })
}

/// The hash a `#[pyclass(hash)]` derives from the Rust `Hash` impl.
///
/// # Safety
/// `slf` must be an instance of `T`.
pub unsafe fn derived_hash<T: PyClass + Hash>(
    py: Python<'_>,
    slf: *mut ffi::PyObject,
) -> PyResult<ffi::Py_hash_t> {
    // SAFETY: the caller's contract: `slf` is an instance of `T`.
    let this = unsafe { self::slf::<T>(py, slf) };
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    borrow_slf(&this, "")?.hash(&mut hasher);
    Ok(hash_value(hasher.finish()))
}

/// What a typed `slf` receiver may be: `PyRef<'_, Self>`,
/// `PyRefMut<'_, Self>`, `Bound<'_, Self>` or `Py<Self>`.
pub trait FromSlf<'a, 'py, T: PyClass>: Sized {
    /// Builds the receiver; `method` names the caller in errors.
    fn from_slf(slf: &Borrowed<'a, 'py, T>, method: &'static str) -> PyResult<Self>;
}

impl<'a, 'py, T: PyClass> FromSlf<'a, 'py, T> for PyRef<'py, T> {
    fn from_slf(slf: &Borrowed<'a, 'py, T>, method: &'static str) -> PyResult<Self> {
        PyRef::borrow(slf, method)
    }
}

impl<'a, 'py, T: PyClass> FromSlf<'a, 'py, T> for PyRefMut<'py, T>
where
    T::Storage: ClassStorageMut<T>,
{
    fn from_slf(slf: &Borrowed<'a, 'py, T>, method: &'static str) -> PyResult<Self> {
        PyRefMut::borrow(slf, method)
    }
}

impl<'a, 'py, T: PyClass> FromSlf<'a, 'py, T> for Bound<'py, T> {
    fn from_slf(slf: &Borrowed<'a, 'py, T>, _method: &'static str) -> PyResult<Self> {
        Ok((**slf).clone())
    }
}

impl<'a, 'py, T: PyClass> FromSlf<'a, 'py, T> for crate::instance::Py<T> {
    fn from_slf(slf: &Borrowed<'a, 'py, T>, _method: &'static str) -> PyResult<Self> {
        Ok((**slf).clone().unbind())
    }
}

/// `tp_traverse` of a class with `__traverse__` (see
/// [`crate::pyclass::PyVisit`] for what it may do).
///
/// # Safety
/// Called by the collector with an instance of `T`.
pub unsafe fn traverse<T: PyClass>(
    slf: *mut ffi::PyObject,
    visit: ffi::visitproc,
    arg: *mut std::ffi::c_void,
    body: fn(&T, crate::pyclass::PyVisit<'_>) -> Result<(), crate::pyclass::PyTraverseError>,
) -> c_int {
    // SAFETY: forwarded from the collector.
    unsafe { crate::pyclass::gc::traverse::<T>(slf, visit, arg, body) }
}

/// `!=` from `__eq__` when a class defines no `__ne__`, as Python's own
/// `object.__ne__` does: a bool result is inverted, anything else (such as
/// `NotImplemented`) passes through.
///
/// # Safety
/// `result` must be an owned reference.
pub unsafe fn invert_eq(py: Python<'_>, result: *mut ffi::PyObject) -> *mut ffi::PyObject {
    let inverted = if result == ffi::Py_True() {
        ffi::Py_False()
    } else if result == ffi::Py_False() {
        ffi::Py_True()
    } else {
        return result;
    };
    // SAFETY: the caller passed an owned reference; the bools are immortal.
    unsafe { ffi::Py_DECREF(result) };
    py.bool(inverted == ffi::Py_True()).into_ptr()
}

/// Shared access to a receiver, without reference-count traffic: CPython
/// keeps `self` alive for the call.
#[inline(always)]
pub fn borrow_slf<'a, T: PyClass>(
    slf: &'a Borrowed<'_, '_, T>,
    method: &'static str,
) -> PyResult<<T::Storage as ClassStorage<T>>::Ref<'a>> {
    // SAFETY: `slf` is an instance of `T`, alive while it is borrowed.
    let storage = unsafe { &*PyClassObject::<T>::contents(slf.as_ptr()) };
    storage.borrow(slf.py(), method)
}

/// Exclusive access to a receiver (`&mut self`), without reference-count
/// traffic. Its bound reports a default class's missing `mutable` at the
/// method's `&mut self`.
#[inline(always)]
pub fn borrow_slf_mut<'a, T: PyClass>(
    slf: &'a Borrowed<'_, '_, T>,
    method: &'static str,
) -> PyResult<<T::Storage as ClassStorageMut<T>>::RefMut<'a>>
where
    T::Storage: ClassStorageMut<T>,
{
    // SAFETY: as in `borrow_slf`.
    let storage = unsafe { &*PyClassObject::<T>::contents(slf.as_ptr()) };
    storage.borrow_mut(slf.py(), method)
}

/// What `__anext__` may return when it returns an `Option`: `None` raises
/// `StopAsyncIteration`, as the end of an async iteration.
pub trait IntoAsyncNext<'py> {
    /// The awaitable, or the `StopAsyncIteration` error.
    fn into_async_next(self, py: Python<'py>) -> PyResult<*mut ffi::PyObject>;
}

impl<'py, T: IntoPyObject<'py>> IntoAsyncNext<'py> for Option<T> {
    fn into_async_next(self, py: Python<'py>) -> PyResult<*mut ffi::PyObject> {
        match self {
            Some(item) => Ok(item.into_pyobject(py)?.into_ptr()),
            None => Err(crate::exceptions::PyStopAsyncIteration::new_err(())),
        }
    }
}

impl<'py, T: IntoPyObject<'py>, E: Into<PyErr>> IntoAsyncNext<'py> for Result<Option<T>, E> {
    fn into_async_next(self, py: Python<'py>) -> PyResult<*mut ffi::PyObject> {
        self.map_err(Into::into)?.into_async_next(py)
    }
}

/// The result of an in-place operator (`__iadd__`, ...) whose method
/// returned `()`: the object itself, as Python's `a += b` rebinds `a`.
pub fn in_place_return<T: PyClass, R: IntoUnit>(
    result: R,
    slf: &Borrowed<'_, '_, T>,
) -> PyResult<*mut ffi::PyObject> {
    result.into_unit()?;
    Ok((**slf).clone().into_ptr())
}

/// `object.__getattribute__`: the normal lookup, before `__getattr__`.
///
/// # Safety
/// `slf` and `name` must be live objects.
pub unsafe fn generic_getattr(
    py: Python<'_>,
    slf: *mut ffi::PyObject,
    name: *mut ffi::PyObject,
) -> PyResult<*mut ffi::PyObject> {
    // SAFETY: forwarded from the caller.
    let found = unsafe { ffi::PyObject_GenericGetAttr(slf, name) };
    if found.is_null() {
        Err(PyErr::fetch(py))
    } else {
        Ok(found)
    }
}

/// Whether `err` is an `AttributeError`, after which `__getattr__` runs.
pub fn is_attribute_error(py: Python<'_>, err: &PyErr) -> bool {
    err.is_instance_of::<PyAttributeError>(py)
}

/// `object.__setattr__` (`value` non-null) or `object.__delattr__` (null),
/// for the half of `tp_setattro` a class does not define.
///
/// # Safety
/// `slf` and `name` must be live objects, `value` live or null.
pub unsafe fn generic_setattr(
    py: Python<'_>,
    slf: *mut ffi::PyObject,
    name: *mut ffi::PyObject,
    value: *mut ffi::PyObject,
) -> PyResult<c_int> {
    // SAFETY: forwarded from the caller.
    match unsafe { ffi::PyObject_GenericSetAttr(slf, name, value) } {
        0 => Ok(0),
        _ => Err(PyErr::fetch(py)),
    }
}
