//! What a job can end in besides its value: [`ExecError`].

use std::any::Any;
use std::fmt;
use std::sync::Mutex;

use crate::err::PyErr;
use crate::exceptions::PyRuntimeError;
use crate::panic::PanicException;

/// Why a submitted job produced no value.
///
/// It is `Send + Sync + 'static`, so it travels through `?` into
/// `Box<dyn Error + Send + Sync>` and across tasks. Display shows a Python
/// exception with its traceback, as Python prints it.
///
/// ```
/// use pyo3_ft::executor::ExecError;
/// use pyo3_ft::exceptions::PyValueError;
///
/// let err = ExecError::from(PyValueError::new_err("bad input"));
/// assert_eq!(err.to_string(), "ValueError: bad input");
/// assert!(err.python_error().is_some());
/// assert_eq!(ExecError::Cancelled.to_string(), "the job was cancelled before it ran");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum ExecError {
    /// The job returned a Python exception.
    Python(PyErr),
    /// The job panicked. The worker caught the panic and goes on.
    Panicked(PanicError),
    /// The job was removed from the queue before a worker started it:
    /// [`Executor::shutdown`](super::Executor::shutdown) with
    /// [`ShutdownMode::CancelQueued`](super::ShutdownMode::CancelQueued).
    Cancelled,
    /// The executor had shut down (or was shutting down) when the job was
    /// submitted; the job never entered the queue.
    ShutDown,
}

impl ExecError {
    /// The Python exception, if that is what this is.
    pub fn python_error(&self) -> Option<&PyErr> {
        match self {
            ExecError::Python(err) => Some(err),
            _ => None,
        }
    }

    /// The Python exception, if that is what this is; `self` otherwise.
    pub fn into_python_error(self) -> Result<PyErr, ExecError> {
        match self {
            ExecError::Python(err) => Ok(err),
            other => Err(other),
        }
    }
}

impl fmt::Display for ExecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExecError::Python(err) => fmt::Display::fmt(err, f),
            ExecError::Panicked(panic) => write!(f, "the job panicked: {}", panic.message()),
            ExecError::Cancelled => f.write_str("the job was cancelled before it ran"),
            ExecError::ShutDown => f.write_str("the executor is shut down"),
        }
    }
}

impl std::error::Error for ExecError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ExecError::Python(err) => Some(err),
            _ => None,
        }
    }
}

impl From<PyErr> for ExecError {
    fn from(err: PyErr) -> Self {
        ExecError::Python(err)
    }
}

/// For a `#[pyfunction]` that waits for a job: the Python exception itself,
/// a `PanicException` for a panic, a `RuntimeError` otherwise.
impl From<ExecError> for PyErr {
    fn from(err: ExecError) -> Self {
        match err {
            ExecError::Python(err) => err,
            ExecError::Panicked(panic) => PanicException::new_err(panic.message().to_owned()),
            other => PyRuntimeError::new_err(other.to_string()),
        }
    }
}

/// A panic caught on a worker: its message, and its payload for
/// [`PanicError::resume`].
pub struct PanicError {
    message: String,
    /// `Mutex` only to make the (`!Sync`) payload shareable; it is taken once.
    payload: Mutex<Option<Box<dyn Any + Send>>>,
}

impl PanicError {
    pub(crate) fn new(payload: Box<dyn Any + Send>) -> Self {
        let message = crate::panic::payload_message(&*payload);
        PanicError {
            message,
            payload: Mutex::new(Some(payload)),
        }
    }

    /// The panic message (`panic!("...")`'s text).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The payload `catch_unwind` returned.
    pub fn into_panic(self) -> Box<dyn Any + Send> {
        let payload = self
            .payload
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        payload.unwrap_or_else(|| Box::new(self.message))
    }

    /// Continues the panic on the current thread.
    pub fn resume(self) -> ! {
        std::panic::resume_unwind(self.into_panic())
    }
}

impl fmt::Debug for PanicError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PanicError")
            .field("message", &self.message)
            .finish_non_exhaustive()
    }
}

/// Why [`Executor::try_submit`](super::Executor::try_submit) refused a job;
/// each variant gives the closure back.
pub enum TrySubmitError<F> {
    /// The queue is full (or submitters are already waiting for room).
    Full(F),
    /// The executor is shut down.
    ShutDown(F),
}

impl<F> TrySubmitError<F> {
    /// The closure that was not submitted.
    pub fn into_inner(self) -> F {
        match self {
            TrySubmitError::Full(f) | TrySubmitError::ShutDown(f) => f,
        }
    }
}

impl<F> fmt::Debug for TrySubmitError<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrySubmitError::Full(_) => f.write_str("Full(..)"),
            TrySubmitError::ShutDown(_) => f.write_str("ShutDown(..)"),
        }
    }
}

impl<F> fmt::Display for TrySubmitError<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrySubmitError::Full(_) => f.write_str("the executor's queue is full"),
            TrySubmitError::ShutDown(_) => f.write_str("the executor is shut down"),
        }
    }
}

impl<F> std::error::Error for TrySubmitError<F> {}
