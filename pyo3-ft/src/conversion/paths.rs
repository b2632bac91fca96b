//! File-system paths and OS strings: `Path`/`PathBuf` ↔ `pathlib.Path`
//! (extracted from anything `os.fspath()` accepts), `OsStr`/`OsString` ↔
//! `str`, through the file-system encoding with `surrogateescape`, so any
//! byte string the OS gives round-trips.

use std::borrow::Cow;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use pyo3_ft_runtime::ffi;

use super::{FromPyObject, IntoPyObject};
use crate::err::PyResult;
use crate::instance::{Borrowed, Bound, Py};
use crate::python::Python;
use crate::sync::PyOnceLock;
use crate::types::{PyAny, PyBytes, PyString};

impl<'py> IntoPyObject<'py> for &OsStr {
    const OUTPUT_TYPE: crate::stubs::TypeHint = crate::stubs::TypeHint::Name("str");

    /// A `str`, decoded with the file-system encoding (`surrogateescape`).
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let bytes = os_bytes(self);
        // SAFETY: `bytes` is valid for its length; returns a new str or null.
        unsafe {
            Bound::from_owned_ptr_or_err(
                py,
                ffi::PyUnicode_DecodeFSDefaultAndSize(bytes.as_ptr().cast(), bytes.len() as isize),
            )
        }
    }
}

/// The OS string's bytes (on Unix, exactly; elsewhere, its UTF-8 form).
fn os_bytes(text: &OsStr) -> Cow<'_, [u8]> {
    #[cfg(unix)]
    {
        Cow::Borrowed(std::os::unix::ffi::OsStrExt::as_bytes(text))
    }
    #[cfg(not(unix))]
    {
        match text.to_string_lossy() {
            Cow::Borrowed(text) => Cow::Borrowed(text.as_bytes()),
            Cow::Owned(text) => Cow::Owned(text.into_bytes()),
        }
    }
}

/// An OS string made of bytes the OS gave.
fn os_string(bytes: &[u8]) -> OsString {
    #[cfg(unix)]
    {
        <OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(bytes).to_owned()
    }
    #[cfg(not(unix))]
    {
        OsString::from(String::from_utf8_lossy(bytes).into_owned())
    }
}

/// Owned and shared OS strings convert like `&OsStr`.
macro_rules! as_os_str_into_pyobject {
    ($($ty:ty),*) => {$(
        impl<'py> IntoPyObject<'py> for $ty {
            const OUTPUT_TYPE: $crate::stubs::TypeHint = $crate::stubs::TypeHint::Name("str");

            #[inline]
            fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                let text: &OsStr = self.as_ref();
                text.into_pyobject(py)
            }
        }
    )*};
}

as_os_str_into_pyobject!(OsString, &OsString, Cow<'_, OsStr>);

impl FromPyObject<'_, '_> for OsString {
    const INPUT_TYPE: crate::stubs::TypeHint = crate::stubs::TypeHint::Name("str");

    /// A `str` (`TypeError` otherwise), encoded with the file-system
    /// encoding (`surrogateescape` gives back the OS's bytes).
    fn extract(object: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        let text = object.downcast::<PyString>()?;
        // SAFETY: `text` is a str; returns a new bytes object or null.
        let bytes = unsafe {
            Bound::from_owned_ptr_or_err(
                object.py(),
                ffi::PyUnicode_EncodeFSDefault(text.as_ptr()),
            )?
        };
        Ok(os_string(bytes.downcast::<PyBytes>()?.as_bytes()))
    }
}

/// `pathlib.Path`, imported once.
fn pathlib_path(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    static PATH: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    PATH.import(py, "pathlib", "Path")
}

impl<'py> IntoPyObject<'py> for &Path {
    const OUTPUT_TYPE: crate::stubs::TypeHint = crate::stubs::TypeHint::Name("pathlib.Path");

    /// A `pathlib.Path`.
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        pathlib_path(py)?.call1((self.as_os_str(),))
    }
}

/// Owned and shared paths convert like `&Path`.
macro_rules! as_path_into_pyobject {
    ($($ty:ty),*) => {$(
        impl<'py> IntoPyObject<'py> for $ty {
            const OUTPUT_TYPE: $crate::stubs::TypeHint = $crate::stubs::TypeHint::Name("pathlib.Path");

            #[inline]
            fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                let path: &Path = self.as_ref();
                path.into_pyobject(py)
            }
        }
    )*};
}

as_path_into_pyobject!(PathBuf, &PathBuf, Cow<'_, Path>);

impl FromPyObject<'_, '_> for PathBuf {
    const INPUT_TYPE: crate::stubs::TypeHint = crate::stubs::TypeHint::Union(&[
        crate::stubs::TypeHint::Name("str"),
        crate::stubs::TypeHint::Name("bytes"),
        crate::stubs::TypeHint::Subscript("os.PathLike", &[crate::stubs::TypeHint::Name("str")]),
    ]);

    /// A `str`, `bytes` or `os.PathLike` (`pathlib.Path`, ...), as
    /// `os.fspath()` takes them: `TypeError` otherwise.
    fn extract(object: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        // SAFETY: `object` is alive; returns a new str or bytes, or null.
        let path = unsafe {
            Bound::from_owned_ptr_or_err(object.py(), ffi::PyOS_FSPath(object.as_ptr()))?
        };
        match path.downcast::<PyBytes>() {
            Ok(bytes) => Ok(os_string(bytes.as_bytes()).into()),
            Err(_) => path.extract::<OsString>().map(PathBuf::from),
        }
    }
}
