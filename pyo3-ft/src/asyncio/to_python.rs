//! Rust → Python: [`future_into_py`], an asyncio future that a Rust future
//! completes, polled on the loop that awaits it.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::task::{Context, Poll, Wake, Waker};

use parking_lot::Mutex;

use pyo3_ft_runtime::ffi;

use super::inbox::Inbox;
use crate::conversion::IntoPyObject;
use crate::err::{PyErr, PyResult};
use crate::instance::{Bound, Py};
use crate::panic::PanicException;
use crate::python::Python;
use crate::sync::PyOnceLock;
use crate::types::{PyAny, PyCFunction, PyDict};

type BoxedFuture = Pin<Box<dyn Future<Output = PyResult<Py<PyAny>>> + Send>>;

/// Wraps a Rust future as an `asyncio.Future` of the running loop, so
/// Python code can `await` it.
///
/// The Rust future is polled first right here, then on the loop's thread,
/// in the `contextvars` context that was current here (so a Python
/// awaitable it hands to [`into_future`](super::into_future) runs in that
/// context too, on this loop). A future ready at its first poll gives an
/// asyncio future that is already done. When it wakes, from any thread, a
/// poll is scheduled with `call_soon_threadsafe`. It must therefore not block; a future that needs
/// a particular runtime's reactor (tokio's timers and sockets) is spawned
/// on that runtime and its join handle awaited here:
///
/// ```
/// use pyo3_ft::asyncio::{future_into_py, EventLoops};
/// use pyo3_ft::prelude::*;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let loops = EventLoops::new(1)?;
/// let future = Python::attach(|py| {
///     let locals = pyo3_ft::types::PyDict::new(py);
///     // A Rust function Python can await: it returns an awaitable.
///     let double = pyo3_ft::types::PyCFunction::new_closure(py, None, None, |args, _| {
///         let n: i64 = args.get_item(0)?.extract()?;
///         future_into_py(args.py(), async move { Ok(n * 2) }).map(Bound::unbind)
///     })?;
///     locals.set_item("double", double)?;
///     py.run("async def main():\n    return await double(21)", Some(&locals), None)?;
///     loops.into_future(&locals.get_item("main")?.unwrap().call0()?)
/// })?;
/// let answer = pyo3_ft::executor::block_on(future)?;
/// assert_eq!(Python::attach(|py| answer.bind(py).extract::<i64>())?, 42);
/// # Ok(())
/// # }
/// ```
///
/// - `Ok(value)` sets the asyncio future's result (converted with
///   [`IntoPyObject`]); `Err(err)` its exception; a panic raises
///   `PanicException`.
/// - Cancelling the asyncio future (or the task awaiting it) drops the
///   Rust future, on the loop's thread.
/// - `Send + 'static` is required: the future outlives this call and is
///   woken from other threads, so it cannot hold a `Bound` or a `Python`
///   across an `.await` (that does not compile).
///
/// # Errors
/// `RuntimeError` ("no running event loop") when called outside a running
/// asyncio loop.
pub fn future_into_py<'py, F, T>(py: Python<'py>, future: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = PyResult<T>> + Send + 'static,
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    static GET_RUNNING_LOOP: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    static COPY_CONTEXT: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let event_loop = GET_RUNNING_LOOP
        .import(py, "asyncio", "get_running_loop")?
        .call0()?;
    let awaitable = event_loop.call_method0("create_future")?;
    let context = COPY_CONTEXT
        .import(py, "contextvars", "copy_context")?
        .call0()?;
    let boxed: BoxedFuture = Box::pin(async move {
        let value = future.await?;
        Python::attach(|py| value.into_pyobject(py).map(Bound::unbind))
    });
    // On a pool's own loop, wake-ups go through its inbox (no attaching
    // on the waking thread); on any other loop, `call_soon_threadsafe`.
    let inbox = super::event_loops::current_worker(py)
        .filter(|(own, _)| own.as_ptr() == event_loop.as_ptr())
        .map(|(_, inbox)| inbox);
    let task = Arc::new(RustTask {
        future: Mutex::new(Some(boxed)),
        scheduled: AtomicBool::new(false),
        awaitable: awaitable.clone().unbind(),
        event_loop: event_loop.unbind(),
        context: context.unbind(),
        inbox,
    });
    // The first poll runs now: a future that is ready at once gives an
    // awaitable that is done already, so `await` does not suspend (code
    // that awaits in a cancelled scope, such as Starlette's
    // `is_disconnected`, relies on that), and costs no trip through the loop.
    task.poll(py)?;
    // Only a future still pending can be cancelled. Nothing can cancel the
    // asyncio future between the poll and this line: both run on the
    // loop's thread, in this call.
    if task.future.lock().is_some() {
        awaitable.call_method1("add_done_callback", (drop_if_cancelled(py, &task)?,))?;
    }
    Ok(awaitable)
}

/// A coroutine object (a real one: `asyncio.run`, `create_task` and
/// `TaskGroup` take it) that, once awaited, runs `future` as
/// [`future_into_py`] does, on the loop that awaits it. Until then nothing
/// runs, as with an `async def`; it may be created outside any loop.
/// What `#[pyfunction] async fn` returns.
pub(crate) fn coroutine<'py, F, T>(py: Python<'py>, future: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = PyResult<T>> + Send + 'static,
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    let slot = Mutex::new(Some(future));
    let start = PyCFunction::new_closure(py, Some(c"pyo3_ft_start"), None, move |args, _| {
        let future = slot.lock().take().ok_or_else(|| {
            crate::exceptions::PyRuntimeError::new_err("cannot reuse already awaited coroutine")
        })?;
        future_into_py(args.py(), future).map(Bound::unbind)
    })?;
    super::bridge::helper(py, "deferred")?.call1((start,))
}

/// A Rust future driven by one loop, and the asyncio future it completes.
struct RustTask {
    /// `None` once finished or cancelled. Only the loop's thread touches it.
    future: Mutex<Option<BoxedFuture>>,
    /// A poll is queued on the loop; wakes until it runs add nothing.
    scheduled: AtomicBool,
    awaitable: Py<PyAny>,
    event_loop: Py<PyAny>,
    context: Py<PyAny>,
    /// The loop's inbox, when it is a pool's loop.
    inbox: Option<Arc<Inbox>>,
}

impl RustTask {
    /// Queues a poll on the loop unless one is queued already.
    fn schedule(self: &Arc<Self>) {
        if self.scheduled.swap(true, Ordering::AcqRel) {
            return;
        }
        match &self.inbox {
            Some(inbox) => {
                let task = Arc::clone(self);
                inbox.push(Box::new(move |py| task.poll_in_context(py)));
            }
            // Finalizing, or the loop is closed: nobody is left to await it.
            None => {
                let _ = Python::try_attach(|py| self.schedule_threadsafe(py).map_err(drop));
            }
        }
    }

    /// Queues a poll with `call_soon_threadsafe`, in the task's context.
    fn schedule_threadsafe(self: &Arc<Self>, py: Python<'_>) -> PyResult<()> {
        let task = Arc::clone(self);
        let poll = PyCFunction::new_closure(py, Some(c"pyo3_ft_poll"), None, move |args, _| {
            task.poll(args.py())
        })?;
        let options = PyDict::new(py);
        options.set_item("context", self.context.bind(py))?;
        self.event_loop
            .bind(py)
            .call_method("call_soon_threadsafe", (poll,), Some(&options))?;
        Ok(())
    }

    /// One poll from the inbox, in the task's context.
    fn poll_in_context(self: &Arc<Self>, py: Python<'_>) {
        let context = self.context.bind(py);
        // SAFETY: `context` is a `contextvars.Context`, alive while borrowed.
        if unsafe { ffi::PyContext_Enter(context.as_ptr()) } < 0 {
            PyErr::fetch(py).write_unraisable(py, None);
            return;
        }
        let polled = self.poll(py);
        // SAFETY: entered just above, on this thread.
        unsafe { ffi::PyContext_Exit(context.as_ptr()) };
        if let Err(err) = polled {
            err.write_unraisable(py, None);
        }
    }

    /// One poll, on the loop's thread.
    fn poll(self: &Arc<Self>, py: Python<'_>) -> PyResult<()> {
        self.scheduled.store(false, Ordering::Release);
        let awaitable = self.awaitable.bind(py);
        let mut slot = self.future.lock();
        let Some(future) = slot.as_mut() else {
            return Ok(());
        };
        if awaitable.call_method0("done")?.is_truthy()? {
            let finished = slot.take();
            drop(slot);
            drop(finished);
            return Ok(());
        }
        let waker = Waker::from(Arc::clone(self));
        let polled = std::panic::catch_unwind(AssertUnwindSafe(|| {
            future.as_mut().poll(&mut Context::from_waker(&waker))
        }));
        let outcome = match polled {
            Ok(Poll::Pending) => return Ok(()),
            Ok(Poll::Ready(outcome)) => outcome,
            Err(payload) => Err(PanicException::from_panic_payload(payload)),
        };
        let finished = slot.take();
        drop(slot);
        drop(finished);
        complete(awaitable, outcome)
    }
}

impl Wake for RustTask {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if !self.scheduled.load(Ordering::Acquire) {
            self.schedule();
        }
    }
}

/// Sets the asyncio future's result or exception, unless it was
/// cancelled meanwhile.
fn complete(awaitable: &Bound<'_, PyAny>, outcome: PyResult<Py<PyAny>>) -> PyResult<()> {
    if awaitable.call_method0("done")?.is_truthy()? {
        return Ok(());
    }
    match outcome {
        Ok(value) => awaitable.call_method1("set_result", (value,))?,
        Err(err) => awaitable.call_method1("set_exception", (err.into_value(awaitable.py()),))?,
    };
    Ok(())
}

/// The asyncio future's done callback: on cancellation, drops the Rust
/// future (on the loop's thread, where the callback runs).
fn drop_if_cancelled<'py>(
    py: Python<'py>,
    task: &Arc<RustTask>,
) -> PyResult<Bound<'py, PyCFunction>> {
    let task: Weak<RustTask> = Arc::downgrade(task);
    PyCFunction::new_closure(py, Some(c"pyo3_ft_cancel"), None, move |args, _| {
        if !args.get_item(0)?.call_method0("cancelled")?.is_truthy()? {
            return Ok::<_, PyErr>(());
        }
        if let Some(task) = task.upgrade() {
            let cancelled = task.future.lock().take();
            drop(cancelled);
        }
        Ok(())
    })
}
