//! `str`, `char` and `bytes`.

use std::borrow::Cow;

use pyo3_ft_runtime::ffi;

use super::{FromPyObject, IntoPyObject};
use crate::err::PyResult;
use crate::exceptions::{PyTypeError, PyValueError};
use crate::instance::{Borrowed, Bound};
use crate::python::Python;
use crate::types::{PyAny, PyByteArray, PyBytes, PyString};

impl<'py> IntoPyObject<'py> for &str {
    const OUTPUT_TYPE: crate::stubs::TypeHint = crate::stubs::TypeHint::Name("str");

    #[inline]
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(PyString::new(py, self).into_any())
    }
}

/// Owned and shared text converts like `&str`.
macro_rules! as_str_into_pyobject {
    ($($ty:ty),*) => {$(
        impl<'py> IntoPyObject<'py> for $ty {
            const OUTPUT_TYPE: $crate::stubs::TypeHint = $crate::stubs::TypeHint::Name("str");

            #[inline]
            fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                let text: &str = &self;
                text.into_pyobject(py)
            }
        }
    )*};
}

as_str_into_pyobject!(String, &String, Cow<'_, str>, Box<str>, std::sync::Arc<str>);

impl<'a> FromPyObject<'a, '_> for &'a str {
    const INPUT_TYPE: crate::stubs::TypeHint = crate::stubs::TypeHint::Name("str");

    /// Borrows the str's cached UTF-8 form.
    #[inline]
    fn extract(object: Borrowed<'a, '_, PyAny>) -> PyResult<Self> {
        object.downcast::<PyString>()?.to_str()
    }
}

impl FromPyObject<'_, '_> for String {
    const INPUT_TYPE: crate::stubs::TypeHint = crate::stubs::TypeHint::Name("str");

    #[inline]
    fn extract(object: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        Ok(object.downcast::<PyString>()?.to_str()?.to_owned())
    }
}

impl<'a> FromPyObject<'a, '_> for Cow<'a, str> {
    const INPUT_TYPE: crate::stubs::TypeHint = crate::stubs::TypeHint::Name("str");

    fn extract(object: Borrowed<'a, '_, PyAny>) -> PyResult<Self> {
        <&str>::extract(object).map(Cow::Borrowed)
    }
}

impl<'py> IntoPyObject<'py> for char {
    const OUTPUT_TYPE: crate::stubs::TypeHint = crate::stubs::TypeHint::Name("str");

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.encode_utf8(&mut [0; 4]).into_pyobject(py)
    }
}

impl FromPyObject<'_, '_> for char {
    const INPUT_TYPE: crate::stubs::TypeHint = crate::stubs::TypeHint::Name("str");

    /// A str of exactly one character (`TypeError` otherwise, as `ord()`).
    fn extract(object: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        let text = object.downcast::<PyString>()?;
        // SAFETY: `text` is a str.
        let len = unsafe { ffi::PyUnicode_GetLength(text.as_ptr()) };
        if len != 1 {
            return Err(PyTypeError::new_err(format!(
                "expected a character, but string of length {len} found"
            )));
        }
        // SAFETY: index 0 exists.
        let code = unsafe { ffi::PyUnicode_ReadChar(text.as_ptr(), 0) };
        char::from_u32(code).ok_or_else(|| {
            PyValueError::new_err(format!("lone surrogate U+{code:04X} is not a Rust char"))
        })
    }
}

impl<'py> IntoPyObject<'py> for &[u8] {
    const OUTPUT_TYPE: crate::stubs::TypeHint = crate::stubs::TypeHint::Name("bytes");

    /// `bytes`.
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(PyBytes::new(py, self).into_any())
    }
}

impl<'a> FromPyObject<'a, '_> for &'a [u8] {
    const INPUT_TYPE: crate::stubs::TypeHint = crate::stubs::TypeHint::Name("bytes");

    /// Borrows the contents of a `bytes` object.
    fn extract(object: Borrowed<'a, '_, PyAny>) -> PyResult<Self> {
        Ok(object.downcast::<PyBytes>()?.as_bytes())
    }
}

impl<'py> IntoPyObject<'py> for Cow<'_, [u8]> {
    const OUTPUT_TYPE: crate::stubs::TypeHint = crate::stubs::TypeHint::Name("bytes");

    /// `bytes`.
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        (&*self).into_pyobject(py)
    }
}

impl<'a> FromPyObject<'a, '_> for Cow<'a, [u8]> {
    const INPUT_TYPE: crate::stubs::TypeHint = crate::stubs::TypeHint::Union(&[
        crate::stubs::TypeHint::Name("bytes"),
        crate::stubs::TypeHint::Name("bytearray"),
    ]);

    /// Borrows a `bytes` object's contents; copies a `bytearray`'s (taken
    /// under its lock, see `PyByteArray::to_vec`); `TypeError` otherwise.
    fn extract(object: Borrowed<'a, '_, PyAny>) -> PyResult<Self> {
        if let Ok(bytes) = object.downcast::<PyBytes>() {
            return Ok(Cow::Borrowed(bytes.as_bytes()));
        }
        Ok(Cow::Owned(object.downcast::<PyByteArray>()?.to_vec()))
    }
}
