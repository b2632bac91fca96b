//! Integers, floats and bools.

use std::ffi::{c_int, c_void};

use pyo3_ft_runtime::ffi;

use super::{FromPyObject, IntoPyObject};
use crate::err::{PyErr, PyResult};
use crate::exceptions::PyOverflowError;
use crate::instance::{Borrowed, Bound};
use crate::python::Python;
use crate::types::{PyAny, PyBool, PyFloat};

/// Wraps a new reference from a number constructor.
///
/// # Safety
/// `made` must be a new reference or null with an exception set.
pub(super) unsafe fn wrap(py: Python<'_>, made: *mut ffi::PyObject) -> PyResult<Bound<'_, PyAny>> {
    // SAFETY: the caller's contract is `from_owned_ptr_or_err`'s.
    unsafe { Bound::from_owned_ptr_or_err(py, made) }
}

/// `-1` may be a value or an error: only an exception set tells.
fn error_if_set(py: Python<'_>) -> PyResult<()> {
    PyErr::take(py).map_or(Ok(()), Err)
}

fn out_of_range(kind: &str) -> PyErr {
    PyOverflowError::new_err(format!("Python int too large to convert to {kind}"))
}

/// Signed integers up to 64 bits go through `long long`.
macro_rules! signed_int {
    ($($ty:ty),*) => {$(
        impl<'py> IntoPyObject<'py> for $ty {
            const OUTPUT_TYPE: $crate::stubs::TypeHint = $crate::stubs::TypeHint::Name("int");

            #[inline]
            fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                // SAFETY: returns a new int or null.
                unsafe { wrap(py, ffi::PyLong_FromLongLong(self as i64)) }
            }
        }

        impl FromPyObject<'_, '_> for $ty {
            const INPUT_TYPE: $crate::stubs::TypeHint = $crate::stubs::TypeHint::Name("int");

            #[inline]
            fn extract(object: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
                if let Some(value) = Self::extract_exact(object, super::SEALED) {
                    return Ok(value);
                }
                // SAFETY: `object` is alive; `__index__` is used for non-ints.
                let value = unsafe { ffi::PyLong_AsLongLong(object.as_ptr()) };
                if value == -1 {
                    error_if_set(object.py())?;
                }
                <$ty>::try_from(value).map_err(|_| out_of_range(stringify!($ty)))
            }

            #[inline]
            fn extract_exact(object: Borrowed<'_, '_, PyAny>, _: super::Sealed) -> Option<Self> {
                exact_i64(object).and_then(|value| <$ty>::try_from(value).ok())
            }
        }
    )*};
}

/// Unsigned integers up to 64 bits go through `unsigned long long`, after
/// `__index__` (which `PyLong_AsUnsignedLongLong` does not call itself).
macro_rules! unsigned_int {
    ($($ty:ty),*) => {$(
        impl<'py> IntoPyObject<'py> for $ty {
            const OUTPUT_TYPE: $crate::stubs::TypeHint = $crate::stubs::TypeHint::Name("int");

            #[inline]
            fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                // SAFETY: returns a new int or null.
                unsafe { wrap(py, ffi::PyLong_FromUnsignedLongLong(self as u64)) }
            }
        }

        impl FromPyObject<'_, '_> for $ty {
            const INPUT_TYPE: $crate::stubs::TypeHint = $crate::stubs::TypeHint::Name("int");

            fn extract(object: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
                let py = object.py();
                let index = as_index(object)?;
                // SAFETY: `index` is an int.
                let value = unsafe { ffi::PyLong_AsUnsignedLongLong(index.as_ptr()) };
                if value == u64::MAX {
                    error_if_set(py)?;
                }
                <$ty>::try_from(value).map_err(|_| out_of_range(stringify!($ty)))
            }
        }
    )*};
}

/// The value of an exact `int` that fits in an `i64`, computed without
/// running Python code.
#[inline]
fn exact_i64(object: Borrowed<'_, '_, PyAny>) -> Option<i64> {
    // SAFETY: `object` is alive; for an exact int the conversion runs no
    // Python code and reports overflow through the flag, not an exception.
    unsafe {
        if ffi::Py_TYPE(object.as_ptr()) != std::ptr::addr_of_mut!(ffi::PyLong_Type) {
            return None;
        }
        if ffi::PyUnstable_Long_IsCompact(object.as_ptr()) {
            return Some(ffi::PyUnstable_Long_CompactValue(object.as_ptr()) as i64);
        }
        let mut overflow: c_int = 0;
        let value = ffi::PyLong_AsLongLongAndOverflow(object.as_ptr(), &mut overflow);
        (overflow == 0).then_some(value)
    }
}

signed_int!(i8, i16, i32, i64, isize);
unsigned_int!(u8, u16, u32, u64, usize);

/// `operator.index(object)`: `TypeError` ("'str' object cannot be
/// interpreted as an integer") for non-integers.
pub(super) fn as_index<'py>(object: Borrowed<'_, 'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    // SAFETY: `object` is alive; returns a new int or null.
    unsafe { wrap(object.py(), ffi::PyNumber_Index(object.as_ptr())) }
}

impl<'py> IntoPyObject<'py> for i128 {
    const OUTPUT_TYPE: crate::stubs::TypeHint = crate::stubs::TypeHint::Name("int");

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let bytes = self.to_ne_bytes();
        // SAFETY: `bytes` is valid for its length.
        unsafe {
            wrap(
                py,
                ffi::PyLong_FromNativeBytes(bytes.as_ptr().cast(), bytes.len(), -1),
            )
        }
    }
}

impl<'py> IntoPyObject<'py> for u128 {
    const OUTPUT_TYPE: crate::stubs::TypeHint = crate::stubs::TypeHint::Name("int");

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let bytes = self.to_ne_bytes();
        // SAFETY: `bytes` is valid for its length.
        unsafe {
            wrap(
                py,
                ffi::PyLong_FromUnsignedNativeBytes(bytes.as_ptr().cast(), bytes.len(), -1),
            )
        }
    }
}

/// Copies an int into a 16-byte native buffer; `unsigned` rejects negative
/// values with OverflowError.
fn extract_128(object: Borrowed<'_, '_, PyAny>, unsigned: bool, kind: &str) -> PyResult<[u8; 16]> {
    let py = object.py();
    let index = as_index(object)?;
    if unsigned && index.lt(0)? {
        return Err(PyOverflowError::new_err(
            "can't convert negative int to unsigned",
        ));
    }
    let mut buffer = [0u8; 16];
    let flags: c_int = ffi::Py_ASNATIVEBYTES_NATIVE_ENDIAN
        | if unsigned {
            ffi::Py_ASNATIVEBYTES_UNSIGNED_BUFFER
        } else {
            0
        };
    // SAFETY: `index` is an int; `buffer` is writable for 16 bytes.
    let needed = unsafe {
        ffi::PyLong_AsNativeBytes(
            index.as_ptr(),
            buffer.as_mut_ptr().cast::<c_void>(),
            16,
            flags,
        )
    };
    if needed < 0 {
        return Err(PyErr::fetch(py));
    }
    if needed > 16 {
        return Err(out_of_range(kind));
    }
    Ok(buffer)
}

impl FromPyObject<'_, '_> for i128 {
    const INPUT_TYPE: crate::stubs::TypeHint = crate::stubs::TypeHint::Name("int");

    fn extract(object: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        extract_128(object, false, "i128").map(i128::from_ne_bytes)
    }
}

impl FromPyObject<'_, '_> for u128 {
    const INPUT_TYPE: crate::stubs::TypeHint = crate::stubs::TypeHint::Name("int");

    fn extract(object: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        extract_128(object, true, "u128").map(u128::from_ne_bytes)
    }
}

impl<'py> IntoPyObject<'py> for f64 {
    const OUTPUT_TYPE: crate::stubs::TypeHint = crate::stubs::TypeHint::Name("float");

    #[inline]
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(PyFloat::new(py, self).into_any())
    }
}

impl<'py> IntoPyObject<'py> for f32 {
    const OUTPUT_TYPE: crate::stubs::TypeHint = crate::stubs::TypeHint::Name("float");

    #[inline]
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        f64::from(self).into_pyobject(py)
    }
}

impl FromPyObject<'_, '_> for f64 {
    const INPUT_TYPE: crate::stubs::TypeHint = crate::stubs::TypeHint::Name("float");

    /// Accepts floats and anything with `__float__` or `__index__`
    /// (`TypeError: must be real number, not str` otherwise).
    #[inline]
    fn extract(object: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        if let Ok(float) = object.downcast::<PyFloat>() {
            return Ok(float.value());
        }
        // SAFETY: `object` is alive.
        let value = unsafe { ffi::PyFloat_AsDouble(object.as_ptr()) };
        if value == -1.0 {
            error_if_set(object.py())?;
        }
        Ok(value)
    }

    #[inline]
    fn extract_exact(object: Borrowed<'_, '_, PyAny>, _: super::Sealed) -> Option<Self> {
        // SAFETY: reading the type of a live object.
        let exact =
            unsafe { ffi::Py_TYPE(object.as_ptr()) == std::ptr::addr_of_mut!(ffi::PyFloat_Type) };
        exact
            .then(|| object.downcast::<PyFloat>().map(|f| f.value()).ok())
            .flatten()
    }
}

impl FromPyObject<'_, '_> for f32 {
    const INPUT_TYPE: crate::stubs::TypeHint = crate::stubs::TypeHint::Name("float");

    fn extract(object: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        f64::extract(object).map(|v| v as f32)
    }
}

/// Whether the object's type is NumPy's boolean scalar (`numpy.bool_`,
/// named `numpy.bool` since NumPy 2), recognized by name so that NumPy
/// need not be imported.
fn is_numpy_bool(object: Borrowed<'_, '_, PyAny>) -> bool {
    let ty = object.get_type();
    let named = |attr: &str| {
        ty.getattr(attr)
            .and_then(|name| name.extract::<String>())
            .ok()
    };
    named("__module__").as_deref() == Some("numpy")
        && matches!(named("__name__").as_deref(), Some("bool_" | "bool"))
}

impl<'py> IntoPyObject<'py> for bool {
    const OUTPUT_TYPE: crate::stubs::TypeHint = crate::stubs::TypeHint::Name("bool");

    #[inline]
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(py.bool(self))
    }
}

impl FromPyObject<'_, '_> for bool {
    const INPUT_TYPE: crate::stubs::TypeHint = crate::stubs::TypeHint::Name("bool");

    /// `True` and `False`, and NumPy's `numpy.bool_` (through its
    /// `__bool__`), as PyO3 accepts; no truthiness of other objects:
    /// `TypeError` otherwise.
    #[inline]
    fn extract(object: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        let err = match object.downcast::<PyBool>() {
            Ok(value) => return Ok(value.is_true()),
            Err(err) => err,
        };
        if is_numpy_bool(object) {
            return object.is_truthy();
        }
        Err(err.into())
    }

    #[inline]
    fn extract_exact(object: Borrowed<'_, '_, PyAny>, _: super::Sealed) -> Option<Self> {
        object.downcast::<PyBool>().ok().map(|b| b.is_true())
    }
}
