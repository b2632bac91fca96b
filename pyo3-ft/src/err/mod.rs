//! [`PyErr`]: a Python exception as a Rust error value.

use std::fmt;
use std::sync::{Mutex, PoisonError};

use pyo3_ft_runtime::ffi;

use crate::conversion::IntoPyObject;
use crate::exceptions::{PyBaseException, PySystemError};
use crate::instance::{Bound, Py};
use crate::python::Python;
use crate::sync::PyOnceLock;
use crate::type_info::PyTypeInfo;
use crate::types::{PyAny, PyTuple, PyType};

/// `Result<T, PyErr>`.
pub type PyResult<T> = Result<T, PyErr>;

/// Creates the exception instance on first use.
type Materialize =
    Box<dyn for<'py> FnOnce(Python<'py>) -> Bound<'py, PyBaseException> + Send + Sync>;

/// A Python exception.
///
/// Errors made in Rust (`PyValueError::new_err("...")`) are lazy: the
/// exception object is only created when Python needs it (raising it,
/// printing it, asking for its value). Errors fetched from Python hold the
/// exception object. `PyErr` is `Send + Sync`, so it works with `?` into
/// `Box<dyn Error + Send + Sync>`.
///
/// ```
/// use pyo3_ft::prelude::*;
/// use pyo3_ft::exceptions::{PyLookupError, PyKeyError};
///
/// Python::attach(|py| {
///     let err = py.eval("{}['missing']", None, None).unwrap_err();
///     assert!(err.is_instance_of::<PyKeyError>(py));
///     assert!(err.is_instance_of::<PyLookupError>(py));
///     assert!(err.to_string().ends_with("KeyError: 'missing'"));
/// });
/// ```
pub struct PyErr {
    /// Created once; racing threads wait detached.
    normalized: PyOnceLock<Py<PyBaseException>>,
    /// Taken by the one initializer of `normalized` (the lock is held only
    /// for the `take`, with no Python call under it).
    lazy: Mutex<Option<Materialize>>,
}

/// Values that can be the arguments of an exception: anything convertible
/// to Python (a tuple is unpacked into several arguments).
pub trait PyErrArguments: Send + Sync + 'static {
    /// The argument object (a tuple means several arguments).
    fn arguments<'py>(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>>;
}

impl<T> PyErrArguments for T
where
    T: for<'py> IntoPyObject<'py> + Send + Sync + 'static,
{
    fn arguments<'py>(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.into_pyobject(py)
    }
}

impl PyErr {
    /// A lazily created exception of type `T` with `args`.
    pub fn new<T: PyTypeInfo, A: PyErrArguments>(args: A) -> PyErr {
        Self::lazy(Box::new(move |py| instantiate(&T::type_object(py), args)))
    }

    /// A lazily created exception of the type object `ty` with `args`.
    pub fn from_type<A: PyErrArguments>(ty: Bound<'_, PyType>, args: A) -> PyErr {
        let ty = ty.unbind();
        Self::lazy(Box::new(move |py| instantiate(ty.bind(py), args)))
    }

    /// An error holding an exception object. If `value` is not an exception
    /// instance, the error is a `TypeError` saying so.
    pub fn from_value(value: Bound<'_, PyAny>) -> PyErr {
        match value.downcast_into::<PyBaseException>() {
            Ok(exc) => Self::normalized(exc.unbind()),
            Err(err) => crate::exceptions::PyTypeError::new_err(format!(
                "exceptions must derive from BaseException, not {}",
                err.into_inner().get_type().qualname_lossy()
            )),
        }
    }

    fn lazy(materialize: Materialize) -> PyErr {
        PyErr {
            normalized: PyOnceLock::new(),
            lazy: Mutex::new(Some(materialize)),
        }
    }

    fn normalized(value: Py<PyBaseException>) -> PyErr {
        PyErr {
            normalized: PyOnceLock::from(value),
            lazy: Mutex::new(None),
        }
    }

    /// Takes the exception currently set on this thread, if any.
    pub fn take(py: Python<'_>) -> Option<PyErr> {
        // SAFETY: attached; returns a new reference or null.
        let raised = unsafe { ffi::PyErr_GetRaisedException() };
        if raised.is_null() {
            return None;
        }
        // SAFETY: a non-null result is an owned exception instance.
        let value = unsafe {
            Bound::from_owned_ptr(py, raised).downcast_into_unchecked::<PyBaseException>()
        };
        Some(Self::normalized(value.unbind()))
    }

    /// Takes the exception a failed C API call set. If none was set (a bug
    /// in the callee), returns a `SystemError` saying so.
    pub fn fetch(py: Python<'_>) -> PyErr {
        Self::take(py)
            .unwrap_or_else(|| PySystemError::new_err("error return without exception set"))
    }

    /// Raises the exception in Python: sets it as the current exception of
    /// this thread.
    pub fn restore(self, py: Python<'_>) {
        let value = self.value(py).clone();
        // SAFETY: attached; `PyErr_SetRaisedException` steals the reference.
        unsafe { ffi::PyErr_SetRaisedException(value.into_ptr()) }
    }

    /// The exception instance, created now if it was lazy.
    pub fn value<'py>(&self, py: Python<'py>) -> &Bound<'py, PyBaseException> {
        let value = self.normalized.get_or_init(py, || {
            let materialize = self
                .lazy
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take()
                .expect("the exception's constructor panicked on an earlier attempt");
            materialize(py).unbind()
        });
        value.bind(py)
    }

    /// The exception instance as a [`Py`], created now if it was lazy: how a
    /// function returns an exception object instead of raising it.
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::exceptions::PyValueError;
    ///
    /// Python::attach(|py| {
    ///     let value = PyValueError::new_err("bad").into_value(py);
    ///     assert_eq!(value.bind(py).str()?.to_str()?, "bad");
    ///     let obj = PyValueError::new_err("again").into_pyobject(py)?;
    ///     assert_eq!(obj.get_type().name()?.to_str()?, "ValueError");
    ///     Ok::<_, PyErr>(())
    /// })?;
    /// # Ok::<(), PyErr>(())
    /// ```
    pub fn into_value(self, py: Python<'_>) -> Py<PyBaseException> {
        self.value(py).clone().unbind()
    }

    /// The exception's type.
    pub fn get_type<'py>(&self, py: Python<'py>) -> Bound<'py, PyType> {
        self.value(py).get_type()
    }

    /// The traceback, if the exception was raised in Python.
    pub fn traceback<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyAny>> {
        // SAFETY: the value is a live exception; returns a new reference or null.
        unsafe {
            let tb = ffi::PyException_GetTraceback(self.value(py).as_ptr());
            (!tb.is_null()).then(|| Bound::from_owned_ptr(py, tb))
        }
    }

    /// Whether the exception is an instance of `T` (or a subclass).
    pub fn is_instance_of<T: PyTypeInfo>(&self, py: Python<'_>) -> bool {
        T::is_type_of(self.value(py))
    }

    /// Whether the exception is an instance of `ty` (or a subclass).
    pub fn is_instance(&self, py: Python<'_>, ty: &Bound<'_, PyType>) -> bool {
        // SAFETY: both objects are alive; the call cannot fail.
        unsafe { ffi::PyErr_GivenExceptionMatches(self.value(py).as_ptr(), ty.as_ptr()) != 0 }
    }

    /// A new `PyErr` holding the same exception object.
    pub fn clone_ref(&self, py: Python<'_>) -> PyErr {
        Self::normalized(self.value(py).clone().unbind())
    }

    /// Sets `__cause__`, as `raise self from cause` would.
    pub fn set_cause(&self, py: Python<'_>, cause: Option<PyErr>) {
        let cause = cause.map_or(std::ptr::null_mut(), |c| c.value(py).clone().into_ptr());
        // SAFETY: the value is alive; `PyException_SetCause` steals `cause`.
        unsafe { ffi::PyException_SetCause(self.value(py).as_ptr(), cause) }
    }

    /// `__cause__`, if set.
    pub fn cause(&self, py: Python<'_>) -> Option<PyErr> {
        // SAFETY: the value is alive; returns a new reference or null.
        let cause = unsafe { ffi::PyException_GetCause(self.value(py).as_ptr()) };
        // SAFETY: a non-null result is an owned reference.
        (!cause.is_null()).then(|| Self::from_value(unsafe { Bound::from_owned_ptr(py, cause) }))
    }

    /// Reports the exception through `sys.unraisablehook`, for errors that
    /// have nowhere to go (destructors, callbacks).
    pub fn write_unraisable(self, py: Python<'_>, context: Option<&Bound<'_, PyAny>>) {
        self.restore(py);
        let context = context.map_or(std::ptr::null_mut(), Bound::as_ptr);
        // SAFETY: an exception is set; `context` is null or alive.
        unsafe { ffi::PyErr_WriteUnraisable(context) }
    }

    /// Prints the exception and its traceback to `sys.stderr`.
    pub fn display(&self, py: Python<'_>) {
        // SAFETY: the value is a live exception.
        unsafe { ffi::PyErr_DisplayException(self.value(py).as_ptr()) }
    }

    /// `Traceback (most recent call last): ...` followed by `Type: message`,
    /// as Python prints it; just `Type: message` when there is no traceback.
    fn render(&self, py: Python<'_>) -> String {
        let value = self.value(py);
        let formatted = self.traceback(py).and_then(|_| {
            let lines = py
                .import("traceback")
                .and_then(|tb| tb.call_method1("format_exception", (value.clone(),)))
                .ok()?;
            let parts: Vec<String> = lines.extract().ok()?;
            Some(parts.concat().trim_end().to_owned())
        });
        formatted.unwrap_or_else(|| {
            let name = value.get_type().qualname_lossy();
            match value.str() {
                Ok(text) => match text.to_string_lossy() {
                    message if message.is_empty() => name,
                    message => format!("{name}: {message}"),
                },
                Err(_) => format!("{name}: <exception str() failed>"),
            }
        })
    }
}

/// Calls `ty(*args)` (or `ty(args)` when `args` is not a tuple) and checks
/// that the result is an exception; any failure becomes the exception.
fn instantiate<'py, A: PyErrArguments>(
    ty: &Bound<'py, PyType>,
    args: A,
) -> Bound<'py, PyBaseException> {
    let py = ty.py();
    let created = args
        .arguments(py)
        .and_then(|args| match args.downcast_into::<PyTuple>() {
            Ok(tuple) => ty.call1(tuple),
            Err(single) => ty.call1((single.into_inner(),)),
        });
    let err = match created {
        Ok(value) => PyErr::from_value(value),
        Err(err) => err,
    };
    err.value(py).clone()
}

impl<'py> IntoPyObject<'py> for PyErr {
    /// The exception instance (see [`PyErr::into_value`]).
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(self.value(py).as_any().clone())
    }
}

impl<'py> IntoPyObject<'py> for &PyErr {
    /// The exception instance.
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(self.value(py).as_any().clone())
    }
}

impl fmt::Display for PyErr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&Python::attach(|py| self.render(py)))
    }
}

impl fmt::Debug for PyErr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Python::attach(|py| {
            f.debug_struct("PyErr")
                .field("type", &self.get_type(py).qualname_lossy())
                .field(
                    "value",
                    &self
                        .value(py)
                        .str()
                        .map(|s| s.to_string_lossy().into_owned()),
                )
                .field("traceback", &self.traceback(py).is_some())
                .finish()
        })
    }
}

impl std::error::Error for PyErr {}
