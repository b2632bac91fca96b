//! Python → Rust: [`PyFuture`], a Rust future of a Python awaitable that
//! runs as a task on an event loop.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use parking_lot::Mutex;

use super::bridge;
use super::event_loops::{self, EventLoops};
use crate::err::{PyErr, PyResult};
use crate::exceptions::{PyRuntimeError, PyTypeError};
use crate::executor::oneshot;
use crate::executor::ExecError;
use crate::instance::{Bound, Py};
use crate::python::Python;
use crate::types::{PyAny, PyCFunction};

/// The result of a Python awaitable, as a Rust future: `Send`, usable from
/// any async runtime, resolved when the awaitable's task ends on its loop.
///
/// - A Python exception comes back as `Err`; a task cancelled on the Python
///   side comes back as `Err(asyncio.CancelledError())`.
/// - Dropping the future before it resolves cancels the task
///   (`task.cancel()`, on its loop's thread): the coroutine sees
///   `CancelledError` at its current `await`.
/// - If the loop stops before the task ends, the future resolves to a
///   `RuntimeError`.
#[must_use = "dropping the future cancels its task"]
pub struct PyFuture {
    result: oneshot::Receiver<Py<PyAny>>,
    /// `bridge.Bridge` of the task, to cancel it; `None` once resolved.
    bridge: Option<Py<PyAny>>,
}

impl std::fmt::Debug for PyFuture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PyFuture")
            .field("resolved", &self.bridge.is_none())
            .finish()
    }
}

impl Future for PyFuture {
    type Output = PyResult<Py<PyAny>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let outcome = std::task::ready!(self.result.poll(cx));
        // Resolved: nothing to cancel any more. The bridge is dropped here,
        // which may attach briefly.
        self.bridge = None;
        Poll::Ready(outcome.map_err(|err| match err {
            ExecError::Python(err) => err,
            _ => PyRuntimeError::new_err("the event loop stopped before the awaitable finished"),
        }))
    }
}

impl Drop for PyFuture {
    fn drop(&mut self) {
        if let Some(bridge) = self.bridge.take() {
            // Finalizing: the loops are gone, and so is the task.
            let _ = Python::try_attach(|py| {
                let _ = bridge.bind(py).call_method0("cancel");
            });
        }
    }
}

/// Runs `awaitable` on an event loop and returns a Rust future of its
/// result: on this thread's loop when called by a worker of an
/// [`EventLoops`] pool (as from inside a future given to
/// [`future_into_py`](super::future_into_py)), otherwise on the loops of
/// [`EventLoops::global`] in turn. The task runs in a copy of the caller's
/// `contextvars` context.
///
/// ```
/// use pyo3_ft::asyncio::into_future;
/// use pyo3_ft::prelude::*;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let future = Python::attach(|py| {
///     let coroutine = py.eval("__import__('asyncio').sleep(0, result='done')", None, None)?;
///     into_future(&coroutine)
/// })?;
/// // Any runtime can await it; `block_on` is the executor's minimal one.
/// let value = pyo3_ft::executor::block_on(future)?;
/// assert_eq!(Python::attach(|py| value.bind(py).to_string()), "done");
/// # Ok(())
/// # }
/// ```
///
/// # Errors
/// `TypeError` if `awaitable` is not awaitable; `RuntimeError` if the loop
/// is closed; an `io::Error` starting the global pool, as `RuntimeError`.
pub fn into_future(awaitable: &Bound<'_, PyAny>) -> PyResult<PyFuture> {
    if let Some(event_loop) = event_loops::current_loop(awaitable.py()) {
        return submit(&event_loop, awaitable);
    }
    EventLoops::global()
        .map_err(|err| PyRuntimeError::new_err(format!("cannot start the event loops: {err}")))?
        .into_future(awaitable)
}

/// Schedules `awaitable` on `event_loop` through `bridge.submit`.
pub(super) fn submit(
    event_loop: &Bound<'_, PyAny>,
    awaitable: &Bound<'_, PyAny>,
) -> PyResult<PyFuture> {
    let py = awaitable.py();
    check_awaitable(awaitable)?;
    let (sender, result) = oneshot::channel();
    let sender = Mutex::new(Some(sender));
    let done = PyCFunction::new_closure(py, Some(c"pyo3_ft_done"), None, move |args, _| {
        let outcome = task_outcome(&args.get_item(0)?);
        if let Some(sender) = sender.lock().take() {
            sender.send(outcome.map_err(ExecError::Python));
        }
        Ok::<_, PyErr>(())
    })?;
    let bridge = bridge::helper(py, "submit")?.call1((event_loop, awaitable, done))?;
    Ok(PyFuture {
        result,
        bridge: Some(bridge.unbind()),
    })
}

/// `TypeError` in `await`'s words unless `object` is awaitable.
fn check_awaitable(object: &Bound<'_, PyAny>) -> PyResult<()> {
    let py = object.py();
    let awaitable = py
        .import("inspect")?
        .call_method1("isawaitable", (object,))?
        .is_truthy()?;
    if awaitable {
        return Ok(());
    }
    Err(PyTypeError::new_err(format!(
        "'{}' object can't be awaited",
        object.get_type().qualname_lossy()
    )))
}

/// A finished task's result, or its exception; `None` (the task never
/// started) and a cancelled task give `CancelledError`.
fn task_outcome(task: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    let py = task.py();
    if task.is_none() || task.call_method0("cancelled")?.is_truthy()? {
        return Err(bridge::cancelled_error(py));
    }
    let exception = task.call_method0("exception")?;
    if !exception.is_none() {
        return Err(PyErr::from_value(exception));
    }
    Ok(task.call_method0("result")?.unbind())
}
