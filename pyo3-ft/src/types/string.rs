//! `str`.

use std::borrow::Cow;

use pyo3_ft_runtime::ffi;

use super::builtin_type;
use crate::err::{PyErr, PyResult};
use crate::instance::{Borrowed, Bound};
use crate::python::Python;

builtin_type!(
    /// Python's `str`.
    PyString, "str", std::ptr::addr_of_mut!(ffi::PyUnicode_Type), |ob| ffi::Py_TypeHasFlag(ob, ffi::Py_TPFLAGS_UNICODE_SUBCLASS)
);

impl PyString {
    /// A new str holding `text`.
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::types::PyString;
    ///
    /// Python::attach(|py| assert_eq!(PyString::new(py, "héllo").to_str().unwrap(), "héllo"));
    /// ```
    pub fn new<'py>(py: Python<'py>, text: &str) -> Bound<'py, PyString> {
        // SAFETY: `text` is valid UTF-8 of the given length.
        unsafe {
            Bound::from_owned_ptr_or_err(
                py,
                ffi::PyUnicode_FromStringAndSize(text.as_ptr().cast(), text.len() as isize),
            )
            .expect("out of memory creating a str")
            .downcast_into_unchecked()
        }
    }

    /// An interned str: equal strings share one object. Prefer the
    /// [`intern!`](crate::intern) macro, which also caches it.
    pub fn intern<'py>(py: Python<'py>, text: &str) -> Bound<'py, PyString> {
        let text = std::ffi::CString::new(text).expect("interned strings cannot contain NUL");
        // SAFETY: `text` is a valid C string.
        unsafe {
            Bound::from_owned_ptr_or_err(py, ffi::PyUnicode_InternFromString(text.as_ptr()))
                .expect("out of memory interning a str")
                .downcast_into_unchecked()
        }
    }
}

impl<'py> Bound<'py, PyString> {
    /// The UTF-8 text, borrowed from the object (CPython caches the UTF-8
    /// form inside the str). Fails with `UnicodeEncodeError` on lone
    /// surrogates, which UTF-8 cannot hold.
    pub fn to_str(&self) -> PyResult<&str> {
        self.as_borrowed().to_str()
    }

    /// The UTF-8 text as a `Cow` (borrowed from the str's cached form),
    /// PyO3's `to_cow`; `UnicodeEncodeError` on lone surrogates.
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::types::PyString;
    ///
    /// Python::attach(|py| {
    ///     let text = PyString::new(py, "naïve");
    ///     assert_eq!(text.to_cow()?, "naïve");
    ///     assert_eq!(text.encode_utf8()?.as_bytes(), "naïve".as_bytes());
    ///     Ok::<_, PyErr>(())
    /// })?;
    /// # Ok::<(), PyErr>(())
    /// ```
    pub fn to_cow(&self) -> PyResult<Cow<'_, str>> {
        self.to_str().map(Cow::Borrowed)
    }

    /// `self.encode("utf-8")`: a new `bytes` (`UnicodeEncodeError` on lone
    /// surrogates).
    pub fn encode_utf8(&self) -> PyResult<Bound<'py, super::PyBytes>> {
        // SAFETY: `self` is a str; returns a new bytes object or null.
        unsafe {
            Ok(
                Bound::from_owned_ptr_or_err(
                    self.py(),
                    ffi::PyUnicode_AsUTF8String(self.as_ptr()),
                )?
                .downcast_into_unchecked(),
            )
        }
    }

    /// The text, with lone surrogates replaced by U+FFFD.
    pub fn to_string_lossy(&self) -> Cow<'_, str> {
        if let Ok(text) = self.to_str() {
            return Cow::Borrowed(text);
        }
        // SAFETY: `self` is a str; the encoding and error handler names are
        // valid C strings; the result is a new bytes object or null.
        let bytes = unsafe {
            Bound::from_owned_ptr_or_err(
                self.py(),
                ffi::PyUnicode_AsEncodedString(
                    self.as_ptr(),
                    c"utf-8".as_ptr(),
                    c"surrogatepass".as_ptr(),
                ),
            )
        };
        match bytes {
            Ok(bytes) => {
                // SAFETY: `PyUnicode_AsEncodedString` returns bytes.
                let bytes: Bound<'_, super::PyBytes> = unsafe { bytes.downcast_into_unchecked() };
                Cow::Owned(String::from_utf8_lossy(bytes.as_bytes()).into_owned())
            }
            Err(_) => Cow::Borrowed("\u{FFFD}"),
        }
    }
}

impl<'a> Borrowed<'a, '_, PyString> {
    /// Like [`Bound::<PyString>::to_str`], for as long as the borrow lasts.
    pub fn to_str(self) -> PyResult<&'a str> {
        let mut size = 0;
        // SAFETY: `self` is a str; the returned buffer lives as long as it.
        let data = unsafe { ffi::PyUnicode_AsUTF8AndSize(self.as_ptr(), &mut size) };
        if data.is_null() {
            return Err(PyErr::fetch(self.py()));
        }
        // SAFETY: CPython returned `size` bytes of valid UTF-8, cached in the
        // str, which outlives `'a`.
        Ok(unsafe {
            std::str::from_utf8_unchecked(std::slice::from_raw_parts(data.cast(), size as usize))
        })
    }
}
