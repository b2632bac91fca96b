//! Conversions between Rust values and Python objects.
//!
//! - [`IntoPyObject`]: Rust → Python (`value.into_pyobject(py)`).
//! - [`FromPyObject`]: Python → Rust (`obj.extract::<T>()`), raising the
//!   exception Python would: `TypeError` for the wrong type,
//!   `OverflowError` for an int out of range, `UnicodeEncodeError` for a
//!   lone surrogate in a `String`.
//!
//! ```
//! use std::collections::HashMap;
//! use pyo3_ft::prelude::*;
//!
//! Python::attach(|py| {
//!     let scores = HashMap::from([("ada".to_owned(), vec![1u8, 2])]);
//!     let obj = scores.clone().into_pyobject(py)?;
//!     assert_eq!(obj.extract::<HashMap<String, Vec<u8>>>()?, scores);
//!     let err = 300.into_pyobject(py)?.extract::<u8>().unwrap_err();
//!     assert!(err.is_instance_of::<pyo3_ft::exceptions::PyOverflowError>(py));
//!     Ok::<_, PyErr>(())
//! })?;
//! # Ok::<(), PyErr>(())
//! ```

#[cfg(feature = "num-bigint")]
mod bigint;
#[cfg(any(feature = "chrono", feature = "jiff"))]
mod calendar;
#[cfg(feature = "chrono")]
mod chrono;
mod collections;
#[cfg(feature = "jiff")]
mod jiff;
mod net;
mod numbers;
mod objects;
mod paths;
mod strings;
mod time;
mod tuples;

use crate::err::PyResult;
use crate::instance::{Borrowed, Bound};
use crate::python::Python;
use crate::stubs::TypeHint;
use crate::types::{PyAny, PyTuple};

/// Converts a Rust value into a Python object.
pub trait IntoPyObject<'py> {
    /// The Python type the conversion gives, for generated type stubs
    /// (see [`crate::stubs`]); `typing.Any` unless the type says more.
    const OUTPUT_TYPE: TypeHint = TypeHint::ANY;

    /// Does the conversion.
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>>;
}

/// Extracts a Rust value from a Python object. `'a` is how long the object
/// is borrowed, so `&'a str` can borrow the str's own UTF-8 buffer.
pub trait FromPyObject<'a, 'py>: Sized {
    /// The Python type the conversion accepts, for generated type stubs
    /// (see [`crate::stubs`]); `typing.Any` unless the type says more.
    const INPUT_TYPE: TypeHint = TypeHint::ANY;

    /// Does the conversion.
    fn extract(object: Borrowed<'a, 'py, PyAny>) -> PyResult<Self>;

    /// A conversion that runs no Python code and keeps no borrow, for
    /// objects of exactly the expected builtin type; `None` means "use
    /// [`FromPyObject::extract`]". Sequence extraction uses it to convert a
    /// whole list inside one critical section, trusting that it runs no
    /// Python code.
    ///
    /// Only pyo3-ft's own conversions can provide it: the [`Sealed`]
    /// parameter cannot be named outside this crate, so no other
    /// implementation can override the method and break that trust.
    #[doc(hidden)]
    #[inline]
    fn extract_exact(object: Borrowed<'_, 'py, PyAny>, _: Sealed) -> Option<Self> {
        let _ = object;
        None
    }
}

mod sealed {
    /// The token that keeps [`FromPyObject::extract_exact`](super::FromPyObject::extract_exact)
    /// to this crate: public, so the method can mention it, in a private
    /// module, so no other crate can name it.
    #[derive(Clone, Copy)]
    pub struct Sealed(pub(crate) ());
}

pub(crate) use sealed::Sealed;

/// The token for [`FromPyObject::extract_exact`].
pub(crate) const SEALED: Sealed = Sealed(());

/// Call arguments: tuples of convertible values, `()`, or a `PyTuple`.
pub trait IntoPyTuple<'py>: Sized {
    /// Builds the argument tuple.
    fn into_py_tuple(self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>>;

    /// Calls `callable` with these positional arguments. Rust tuples
    /// override it to use vectorcall, without building a tuple.
    fn call_positional(self, callable: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let args = self.into_py_tuple(callable.py())?;
        // SAFETY: both objects are alive; a null `kwargs` means none.
        unsafe {
            Bound::from_owned_ptr_or_err(
                callable.py(),
                pyo3_ft_runtime::ffi::PyObject_Call(
                    callable.as_ptr(),
                    args.as_ptr(),
                    std::ptr::null_mut(),
                ),
            )
        }
    }
}

impl<'py> IntoPyTuple<'py> for Bound<'py, PyTuple> {
    fn into_py_tuple(self, _py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        Ok(self)
    }
}

impl<'py> IntoPyTuple<'py> for &Bound<'py, PyTuple> {
    fn into_py_tuple(self, _py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        Ok(self.clone())
    }
}
