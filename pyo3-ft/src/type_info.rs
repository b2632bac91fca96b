//! [`PyTypeInfo`]: how a Rust marker type names a Python type, and the
//! downcast errors.

use std::borrow::Cow;
use std::fmt;

use pyo3_ft_runtime::ffi;

use crate::err::PyErr;
use crate::exceptions::PyTypeError;
use crate::instance::{Borrowed, Bound};
use crate::python::Python;
use crate::types::{PyAny, PyType};

/// A Rust type that stands for a Python type.
///
/// # Safety
/// `type_object_raw` must return a valid type object, and `is_type_of` must
/// only accept instances of it (or its subclasses) whose layout matches.
pub unsafe trait PyTypeInfo: Sized {
    /// The Python name, for error messages.
    const NAME: &'static str;

    /// The annotation that names this type in generated type stubs (see
    /// [`crate::stubs`]); `typing.Any` unless the type says more.
    const TYPE_HINT: crate::stubs::TypeHint = crate::stubs::TypeHint::ANY;

    /// The type object (a borrowed pointer that lives as long as the
    /// interpreter or the module that created it).
    fn type_object_raw(py: Python<'_>) -> *mut ffi::PyTypeObject;

    /// The type object.
    fn type_object(py: Python<'_>) -> Bound<'_, PyType> {
        // SAFETY: `type_object_raw` returns a valid type object.
        unsafe {
            Bound::from_borrowed_ptr(py, Self::type_object_raw(py).cast()).downcast_into_unchecked()
        }
    }

    /// Whether `object` is an instance of this type or a subclass.
    #[inline]
    fn is_type_of(object: &Bound<'_, PyAny>) -> bool {
        let ty = Self::type_object_raw(object.py());
        // SAFETY: both pointers are valid types.
        unsafe {
            let actual = ffi::Py_TYPE(object.as_ptr());
            actual == ty || ffi::PyType_IsSubtype(actual, ty) != 0
        }
    }

    /// Whether `object` is an instance of exactly this type.
    #[inline]
    fn is_exact_type_of(object: &Bound<'_, PyAny>) -> bool {
        // SAFETY: `object` is alive.
        unsafe { ffi::Py_TYPE(object.as_ptr()) == Self::type_object_raw(object.py()) }
    }
}

/// Marker: `Bound<T>` dereferences to `Bound<PyAny>` (every type but
/// `PyAny` itself).
pub trait DerefToPyAny {}

/// `obj.downcast::<T>()` failed.
pub struct DowncastError<'a, 'py> {
    from: Borrowed<'a, 'py, PyAny>,
    to: &'static str,
}

impl<'a, 'py> DowncastError<'a, 'py> {
    /// `from` is not a `to`.
    pub fn new(from: Borrowed<'a, 'py, PyAny>, to: &'static str) -> Self {
        DowncastError { from, to }
    }
}

/// `obj.downcast_into::<T>()` failed; gives the object back.
pub struct DowncastIntoError<'py> {
    from: Bound<'py, PyAny>,
    to: &'static str,
}

impl<'py> DowncastIntoError<'py> {
    /// `from` is not a `to`.
    pub fn new(from: Bound<'py, PyAny>, to: &'static str) -> Self {
        DowncastIntoError { from, to }
    }

    /// The object that failed to downcast.
    pub fn into_inner(self) -> Bound<'py, PyAny> {
        self.from
    }
}

/// `'<type name>' object cannot be converted to '<to>'`.
fn downcast_message(from: &Bound<'_, PyAny>, to: &str) -> String {
    let name = from
        .get_type()
        .name()
        .map(|n| Cow::Owned(n.to_string_lossy().into_owned()))
        .unwrap_or(Cow::Borrowed("<unknown>"));
    format!("'{name}' object cannot be converted to '{to}'")
}

impl From<DowncastError<'_, '_>> for PyErr {
    fn from(err: DowncastError<'_, '_>) -> PyErr {
        PyTypeError::new_err(downcast_message(&err.from, err.to))
    }
}

impl From<DowncastIntoError<'_>> for PyErr {
    fn from(err: DowncastIntoError<'_>) -> PyErr {
        PyTypeError::new_err(downcast_message(&err.from, err.to))
    }
}

impl fmt::Display for DowncastError<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&downcast_message(&self.from, self.to))
    }
}

impl fmt::Debug for DowncastError<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&downcast_message(&self.from, self.to))
    }
}

impl fmt::Display for DowncastIntoError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&downcast_message(&self.from, self.to))
    }
}

impl fmt::Debug for DowncastIntoError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&downcast_message(&self.from, self.to))
    }
}
