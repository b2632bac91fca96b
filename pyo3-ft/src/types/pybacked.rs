//! [`PyBackedStr`] and [`PyBackedBytes`]: Rust views of Python `str` and
//! `bytes` data that own a reference to the object, so they are `'static`,
//! `Send` and `Sync` and need no attachment to read.

use std::fmt;
use std::ops::Deref;
use std::ptr::NonNull;
use std::sync::Arc;

use crate::conversion::FromPyObject;
use crate::err::PyResult;
use crate::instance::{Borrowed, Py};
use crate::types::{PyAny, PyByteArray, PyBytes, PyString};

/// The UTF-8 text of a Python `str`, borrowed from the object it keeps
/// alive (CPython caches the UTF-8 form inside the str, immutably).
///
/// ```
/// use pyo3_ft::prelude::*;
/// use pyo3_ft::types::PyBackedStr;
///
/// let text: PyBackedStr = Python::attach(|py| py.eval("'héllo'", None, None)?.extract())?;
/// let handle = std::thread::spawn(move || text.len()); // no attachment needed
/// assert_eq!(handle.join().unwrap(), 6);
/// # Ok::<(), PyErr>(())
/// ```
pub struct PyBackedStr {
    /// Keeps the buffer `data` points into alive.
    storage: Py<PyString>,
    data: NonNull<str>,
}

// SAFETY: `data` points into the immutable UTF-8 buffer of the str that
// `storage` keeps alive; reading it needs no lock or attachment.
unsafe impl Send for PyBackedStr {}
// SAFETY: as above.
unsafe impl Sync for PyBackedStr {}

impl Deref for PyBackedStr {
    type Target = str;

    fn deref(&self) -> &str {
        // SAFETY: see the `Send` impl.
        unsafe { self.data.as_ref() }
    }
}

impl<'a, 'py> FromPyObject<'a, 'py> for PyBackedStr {
    /// A `str` (`TypeError` otherwise; `UnicodeEncodeError` for lone
    /// surrogates).
    fn extract(object: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let text = object.downcast::<PyString>()?;
        let data = NonNull::from(text.to_str()?);
        Ok(PyBackedStr {
            storage: text.to_owned().unbind(),
            data,
        })
    }
}

/// The contents of a Python `bytes` (borrowed from the object it keeps
/// alive) or a copy of a `bytearray`'s (taken under its lock).
///
/// ```
/// use pyo3_ft::prelude::*;
/// use pyo3_ft::types::PyBackedBytes;
///
/// Python::attach(|py| {
///     let data: PyBackedBytes = py.eval("bytearray(b'ab')", None, None)?.extract()?;
///     assert_eq!(&*data, b"ab");
///     Ok::<_, PyErr>(())
/// })?;
/// # Ok::<(), PyErr>(())
/// ```
#[derive(Clone)]
pub struct PyBackedBytes {
    _storage: BytesStorage,
    data: NonNull<[u8]>,
}

/// Keeps the buffer `data` points into alive (never read otherwise).
#[derive(Clone)]
#[allow(dead_code)]
enum BytesStorage {
    Python(Py<PyBytes>),
    Rust(Arc<[u8]>),
}

// SAFETY: `data` points into an immutable buffer owned by `storage`: a
// `bytes` object's, or a shared Rust copy; reading it needs no lock.
unsafe impl Send for PyBackedBytes {}
// SAFETY: as above.
unsafe impl Sync for PyBackedBytes {}

impl Deref for PyBackedBytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        // SAFETY: see the `Send` impl.
        unsafe { self.data.as_ref() }
    }
}

impl<'a, 'py> FromPyObject<'a, 'py> for PyBackedBytes {
    /// `bytes` (borrowed) or `bytearray` (copied); `TypeError` otherwise.
    fn extract(object: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if let Ok(bytes) = object.downcast::<PyBytes>() {
            let data = NonNull::from(bytes.as_bytes());
            return Ok(PyBackedBytes {
                _storage: BytesStorage::Python(bytes.to_owned().unbind()),
                data,
            });
        }
        let array = object.downcast::<PyByteArray>()?;
        let copy: Arc<[u8]> = array.to_vec().into();
        Ok(PyBackedBytes {
            data: NonNull::from(&*copy),
            _storage: BytesStorage::Rust(copy),
        })
    }
}

impl Clone for PyBackedStr {
    fn clone(&self) -> Self {
        PyBackedStr {
            storage: self.storage.clone(),
            data: self.data,
        }
    }
}

/// Comparison, hashing and formatting go through the text or bytes.
macro_rules! view_traits {
    ($ty:ty, $target:ty) => {
        impl PartialEq for $ty {
            fn eq(&self, other: &Self) -> bool {
                **self == **other
            }
        }

        impl Eq for $ty {}

        impl PartialEq<$target> for $ty {
            fn eq(&self, other: &$target) -> bool {
                **self == *other
            }
        }

        impl std::hash::Hash for $ty {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                (**self).hash(state)
            }
        }

        impl AsRef<$target> for $ty {
            fn as_ref(&self) -> &$target {
                self
            }
        }

        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&**self, f)
            }
        }
    };
}

view_traits!(PyBackedStr, str);
view_traits!(PyBackedBytes, [u8]);

impl fmt::Display for PyBackedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self)
    }
}
