//! Python → Rust: [`PyFuture`], a Rust future of a Python awaitable that
//! runs as a task on an event loop.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use parking_lot::Mutex;

use super::bridge;
use super::event_loops::{self, EventLoops};
use super::inbox::Inbox;
use crate::conversion::FromPyObject;
use crate::err::{PyErr, PyResult};
use crate::exceptions::{PyRuntimeError, PyTypeError};
use crate::executor::oneshot;
use crate::executor::ExecError;
use crate::instance::{Bound, Py};
use crate::python::Python;
use crate::sync::PyOnceLock;
use crate::types::{PyAny, PyCFunction};

/// The result of a Python awaitable, as a Rust future: `Send`, usable from
/// any async runtime, resolved when the awaitable's task ends on its loop.
/// `T` is what the result is extracted as, on the loop's thread
/// (`Py<PyAny>` by default; `()` when only completion matters).
///
/// - A Python exception comes back as `Err`; a task cancelled on the Python
///   side comes back as `Err(asyncio.CancelledError())`.
/// - Dropping the future before it resolves cancels the task
///   (`task.cancel()`, on its loop's thread): the coroutine sees
///   `CancelledError` at its current `await`.
/// - If the loop stops before the task ends, the future resolves to a
///   `RuntimeError`.
#[must_use = "dropping the future cancels its task"]
pub struct PyFuture<T = Py<PyAny>> {
    result: oneshot::Receiver<T>,
    /// How to cancel the task; `None` once resolved.
    cancel: Option<Cancel>,
}

/// How a [`PyFuture`] cancels its task when dropped.
enum Cancel {
    /// Through the `bridge.Bridge`, from any thread (attaching).
    Bridge(Py<PyAny>),
    /// Through a job on the loop's own thread (no attaching).
    Inbox(Arc<Inbox>, Arc<Mutex<Slot>>),
}

/// The task's bridge once started, kept on the loop's thread's side.
#[derive(Default)]
struct Slot {
    bridge: Option<Py<PyAny>>,
    cancelled: bool,
}

impl<T> std::fmt::Debug for PyFuture<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PyFuture")
            .field("resolved", &self.cancel.is_none())
            .finish()
    }
}

impl<T> Future for PyFuture<T> {
    type Output = PyResult<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let outcome = std::task::ready!(self.result.poll(cx));
        // Resolved: nothing to cancel any more.
        self.cancel = None;
        Poll::Ready(outcome.map_err(|err| match err {
            ExecError::Python(err) => err,
            _ => PyRuntimeError::new_err("the event loop stopped before the awaitable finished"),
        }))
    }
}

impl<T> Drop for PyFuture<T> {
    fn drop(&mut self) {
        match self.cancel.take() {
            None => {}
            Some(Cancel::Inbox(inbox, slot)) => {
                slot.lock().cancelled = true;
                inbox.push(Box::new(move |py| {
                    let bridge = slot.lock().bridge.take();
                    if let Some(bridge) = bridge {
                        let _ = bridge.bind(py).call_method0("_cancel");
                    }
                }));
            }
            Some(Cancel::Bridge(bridge)) => {
                // Finalizing: the loops are gone, and so is the task.
                let _ = Python::try_attach(|py| {
                    let _ = bridge.bind(py).call_method0("cancel");
                });
            }
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
    if let Some((event_loop, _)) = event_loops::current_worker(awaitable.py()) {
        return submit(&event_loop, awaitable);
    }
    EventLoops::global()
        .map_err(|err| PyRuntimeError::new_err(format!("cannot start the event loops: {err}")))?
        .into_future(awaitable)
}

/// Schedules `awaitable` on `event_loop` through `bridge.submit`, from a
/// thread that is attached.
pub(super) fn submit(
    event_loop: &Bound<'_, PyAny>,
    awaitable: &Bound<'_, PyAny>,
) -> PyResult<PyFuture> {
    let py = awaitable.py();
    check_awaitable(awaitable)?;
    let (sender, result) = oneshot::channel();
    let done = done_callback(py, Arc::new(Mutex::new(Some(sender))), None)?;
    let bridge = bridge::helper(py, "submit")?.call1((event_loop, awaitable, done))?;
    Ok(PyFuture {
        result,
        cancel: Some(Cancel::Bridge(bridge.unbind())),
    })
}

/// Hands `make` to the loop of `inbox`: there, on the loop's thread, it
/// makes the awaitable (a coroutine of the application, say), which then
/// runs as a task. Nothing attaches on the calling thread.
pub(super) fn spawn<T, M>(inbox: &Arc<Inbox>, make: M) -> PyFuture<T>
where
    T: for<'a, 'py> FromPyObject<'a, 'py> + Send + 'static,
    M: FnOnce(Python<'_>) -> PyResult<Bound<'_, PyAny>> + Send + 'static,
{
    let (sender, result) = oneshot::channel();
    let sender = Arc::new(Mutex::new(Some(sender)));
    let slot = Arc::new(Mutex::new(Slot::default()));
    let job_slot = Arc::clone(&slot);
    inbox.push(Box::new(move |py| {
        if job_slot.lock().cancelled {
            return; // the sender drops: the future reads as cancelled
        }
        match start_here(py, make, &sender, &job_slot) {
            Ok(bridge) => job_slot.lock().bridge = Some(bridge.unbind()),
            Err(err) => complete(&sender, Err(ExecError::Python(err))),
        }
    }));
    PyFuture {
        result,
        cancel: Some(Cancel::Inbox(Arc::clone(inbox), slot)),
    }
}

/// On the loop's thread: makes the awaitable and starts its task.
fn start_here<'py, T, M>(
    py: Python<'py>,
    make: M,
    sender: &Arc<Mutex<Option<oneshot::Sender<T>>>>,
    slot: &Arc<Mutex<Slot>>,
) -> PyResult<Bound<'py, PyAny>>
where
    T: for<'a, 'p> FromPyObject<'a, 'p> + Send + 'static,
    M: FnOnce(Python<'_>) -> PyResult<Bound<'_, PyAny>>,
{
    let awaitable = make(py)?;
    check_awaitable(&awaitable)?;
    let (event_loop, _) = event_loops::current_worker(py)
        .ok_or_else(|| PyRuntimeError::new_err("an inbox job ran off its loop"))?;
    let done = done_callback(py, Arc::clone(sender), Some(Arc::clone(slot)))?;
    bridge::helper(py, "start_here")?.call1((event_loop, awaitable, done))
}

type Sender<T> = Arc<Mutex<Option<oneshot::Sender<T>>>>;

/// Delivers the outcome, once.
fn complete<T>(sender: &Sender<T>, outcome: Result<T, ExecError>) {
    if let Some(sender) = sender.lock().take() {
        sender.send(outcome);
    }
}

/// The task's done callback: extracts the result as `T` on the loop's
/// thread and delivers it; drops the bridge there too.
fn done_callback<'py, T>(
    py: Python<'py>,
    sender: Sender<T>,
    slot: Option<Arc<Mutex<Slot>>>,
) -> PyResult<Bound<'py, PyCFunction>>
where
    T: for<'a, 'p> FromPyObject<'a, 'p> + Send + 'static,
{
    PyCFunction::new_closure(py, Some(c"pyo3_ft_done"), None, move |args, _| {
        let outcome = task_outcome::<T>(&args.get_item(0)?);
        complete(&sender, outcome.map_err(ExecError::Python));
        let bridge = slot.as_ref().and_then(|slot| slot.lock().bridge.take());
        drop(bridge);
        Ok::<_, PyErr>(())
    })
}

/// `TypeError` in `await`'s words unless `object` is awaitable.
fn check_awaitable(object: &Bound<'_, PyAny>) -> PyResult<()> {
    static IS_AWAITABLE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let awaitable = IS_AWAITABLE
        .import(object.py(), "inspect", "isawaitable")?
        .call1((object,))?
        .is_truthy()?;
    if awaitable {
        return Ok(());
    }
    Err(PyTypeError::new_err(format!(
        "'{}' object can't be awaited",
        object.get_type().qualname_lossy()
    )))
}

/// A finished task's result as `T`, or its exception; `None` (the task
/// never started) and a cancelled task give `CancelledError`.
fn task_outcome<T>(task: &Bound<'_, PyAny>) -> PyResult<T>
where
    T: for<'a, 'p> FromPyObject<'a, 'p>,
{
    let py = task.py();
    if task.is_none() || task.call_method0("cancelled")?.is_truthy()? {
        return Err(bridge::cancelled_error(py));
    }
    let exception = task.call_method0("exception")?;
    if !exception.is_none() {
        return Err(PyErr::from_value(exception));
    }
    task.call_method0("result")?.extract()
}
