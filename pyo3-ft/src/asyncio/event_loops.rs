//! [`EventLoops`]: worker threads that each run their own asyncio event
//! loop, with their own persistent thread state.

use std::cell::RefCell;
use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, Weak};
use std::thread::JoinHandle;

use parking_lot::Mutex;
use pyo3_ft_runtime::thread_state;

use super::bridge;
use super::from_python::{self, PyFuture};
use super::inbox::Inbox;
use crate::conversion::FromPyObject;
use crate::err::PyResult;
use crate::instance::{Bound, Py};
use crate::python::Python;
use crate::types::{PyAny, PyCFunction};

thread_local! {
    /// The worker this thread is, if it is one of some [`EventLoops`].
    static THIS_WORKER: RefCell<Option<Worker>> = const { RefCell::new(None) };
}

/// One loop and the inbox its thread runs jobs from.
struct Worker {
    event_loop: Py<PyAny>,
    inbox: Arc<Inbox>,
}

/// Configures an [`EventLoops`] before it starts.
#[derive(Debug, Clone)]
pub struct Builder {
    workers: usize,
    thread_name: String,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            workers: std::thread::available_parallelism().map_or(1, usize::from),
            thread_name: "pyo3-ft-asyncio".into(),
        }
    }
}

impl Builder {
    /// How many loops (and threads); at least 1. Defaults to the number of
    /// CPUs.
    pub fn workers(mut self, workers: usize) -> Builder {
        self.workers = workers.max(1);
        self
    }

    /// The worker threads' name (default `pyo3-ft-asyncio`).
    pub fn thread_name(mut self, name: impl Into<String>) -> Builder {
        self.thread_name = name.into();
        self
    }

    /// Creates the loops and starts one thread per loop.
    ///
    /// # Errors
    /// The exception of `asyncio.new_event_loop()`, or an OS error starting
    /// a thread, as an `io::Error`.
    pub fn build(self) -> io::Result<EventLoops> {
        let loops = Python::attach(|py| {
            let new_loop = py.import("asyncio")?.getattr("new_event_loop")?;
            (0..self.workers)
                .map(|_| new_loop.call0().map(Bound::unbind))
                .collect::<PyResult<Vec<_>>>()
        })
        .map_err(io::Error::other)?;
        let inboxes = (0..self.workers)
            .map(|_| Inbox::new().map(Arc::new))
            .collect::<io::Result<Vec<_>>>()?;
        let inner = Arc::new(Inner {
            loops,
            inboxes,
            next: AtomicUsize::new(0),
            threads: Mutex::new(Vec::new()),
        });
        for (index, event_loop) in inner.loops.iter().enumerate() {
            let worker = Worker {
                event_loop: Python::attach(|py| event_loop.clone_ref(py)),
                inbox: Arc::clone(&inner.inboxes[index]),
            };
            let thread = std::thread::Builder::new()
                .name(format!("{}-{index}", self.thread_name))
                .spawn(move || run_loop(worker));
            match thread {
                Ok(handle) => crate::executor::lock_detached(&inner.threads).push(handle),
                Err(err) => {
                    inner.stop_and_join();
                    return Err(err);
                }
            }
        }
        register_at_exit(&inner);
        Ok(EventLoops { inner })
    }
}

/// A pool of asyncio event loops, one per worker thread; on a free-threaded
/// interpreter they run Python in parallel. Each worker attaches once and
/// keeps its thread state; while its loop waits for I/O it is detached.
///
/// Dropping the pool stops every loop: tasks still pending are cancelled
/// and allowed to unwind, then the loops close and the threads end. A pool
/// still alive when Python exits is stopped the same way by an `atexit`
/// callback.
///
/// ```
/// use pyo3_ft::asyncio::EventLoops;
/// use pyo3_ft::prelude::*;
///
/// let loops = EventLoops::builder().workers(2).build()?;
/// let future = Python::attach(|py| {
///     let sleep = py.eval("__import__('asyncio').sleep(0.01, result=42)", None, None)?;
///     loops.into_future(&sleep)
/// })?;
/// let value = pyo3_ft::executor::block_on(future)?;
/// assert_eq!(Python::attach(|py| value.bind(py).extract::<i64>())?, 42);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct EventLoops {
    inner: Arc<Inner>,
}

struct Inner {
    loops: Vec<Py<PyAny>>,
    /// One per loop, in the same order.
    inboxes: Vec<Arc<Inbox>>,
    next: AtomicUsize,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

impl EventLoops {
    /// A pool of `workers` loops (see [`Builder`]).
    ///
    /// # Errors
    /// As [`Builder::build`].
    pub fn new(workers: usize) -> io::Result<EventLoops> {
        Self::builder().workers(workers).build()
    }

    /// Configures a pool.
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// The process-wide pool that [`into_future`](super::into_future) uses
    /// on threads that run no loop: one loop per CPU, started on first use.
    ///
    /// # Errors
    /// As [`Builder::build`], the first time.
    pub fn global() -> io::Result<&'static EventLoops> {
        static GLOBAL: OnceLock<EventLoops> = OnceLock::new();
        if let Some(loops) = GLOBAL.get() {
            return Ok(loops);
        }
        let loops = Builder::default()
            .thread_name("pyo3-ft-asyncio-global")
            .build()?;
        // A racing thread may have set it first; its pool wins and this
        // one is dropped (stopped).
        Ok(GLOBAL.get_or_init(|| loops))
    }

    /// How many loops the pool runs.
    pub fn workers(&self) -> usize {
        self.inner.loops.len()
    }

    /// Runs `awaitable` (a coroutine, task or future) as a task on one of
    /// the pool's loops, in a copy of the caller's `contextvars` context,
    /// and returns a Rust future of its result. A worker of this pool uses
    /// its own loop; other threads take the loops in turn.
    ///
    /// # Errors
    /// `TypeError` if `awaitable` is not awaitable; `RuntimeError` if the
    /// loop is closed.
    pub fn into_future(&self, awaitable: &Bound<'_, PyAny>) -> PyResult<PyFuture> {
        let py = awaitable.py();
        let event_loop = match self.own_index() {
            Some(index) => self.inner.loops[index].bind(py).clone(),
            None => self.inner.loops[self.next_index()].bind(py).clone(),
        };
        from_python::submit(&event_loop, awaitable)
    }

    /// Runs `make` on one of the pool's loops, on its thread, and the
    /// awaitable it returns as a task there; returns a Rust future of the
    /// task's result, extracted as `T` on that thread. The calling thread
    /// does not attach: a server's I/O threads hand requests to the loops
    /// this way, and every object of a request is made, used and freed by
    /// the loop's thread.
    ///
    /// ```
    /// use pyo3_ft::asyncio::EventLoops;
    ///
    /// let loops = EventLoops::new(2)?;
    /// let length = loops.run::<usize, _>(|py| py.eval("__import__('asyncio').sleep(0, 'four')", None, None));
    /// // Any thread, attached or not, may wait for it.
    /// let text: String = pyo3_ft::executor::block_on(loops.run(|py| {
    ///     py.eval("__import__('asyncio').sleep(0, 'ok')", None, None)
    /// }))?;
    /// assert_eq!(text, "ok");
    /// assert!(pyo3_ft::executor::block_on(length).is_err()); // 'four' is no usize
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn run<T, M>(&self, make: M) -> PyFuture<T>
    where
        T: for<'a, 'py> FromPyObject<'a, 'py> + Send + 'static,
        M: FnOnce(Python<'_>) -> PyResult<Bound<'_, PyAny>> + Send + 'static,
    {
        let index = self.own_index().unwrap_or_else(|| self.next_index());
        from_python::spawn(&self.inner.inboxes[index], make)
    }

    /// The next loop, in turn.
    fn next_index(&self) -> usize {
        self.inner.next.fetch_add(1, Ordering::Relaxed) % self.inner.loops.len()
    }

    /// This thread's loop, if this thread is one of the pool's workers.
    fn own_index(&self) -> Option<usize> {
        THIS_WORKER.with(|worker| {
            let worker = worker.borrow();
            let inbox = &worker.as_ref()?.inbox;
            self.inner
                .inboxes
                .iter()
                .position(|own| Arc::ptr_eq(own, inbox))
        })
    }
}

/// The loop that a worker of some pool runs, and its inbox, on that
/// worker.
pub(super) fn current_worker(py: Python<'_>) -> Option<(Bound<'_, PyAny>, Arc<Inbox>)> {
    THIS_WORKER.with(|worker| {
        let worker = worker.borrow();
        let worker = worker.as_ref()?;
        Some((
            worker.event_loop.bind(py).clone(),
            Arc::clone(&worker.inbox),
        ))
    })
}

impl Drop for EventLoops {
    fn drop(&mut self) {
        self.inner.stop_and_join();
    }
}

impl std::fmt::Debug for EventLoops {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventLoops")
            .field("workers", &self.workers())
            .finish()
    }
}

impl Inner {
    /// Asks every loop to stop, then joins the threads detached. Idempotent.
    fn stop_and_join(&self) {
        let threads = std::mem::take(&mut *crate::executor::lock_detached(&self.threads));
        if threads.is_empty() {
            return;
        }
        for inbox in &self.inboxes {
            inbox.push(Box::new(|py| {
                if let Some((event_loop, _)) = current_worker(py) {
                    let _ = event_loop.call_method0("stop");
                }
            }));
        }
        join_detached(threads);
    }
}

/// Joins `threads`, detached if this thread is attached: they need to
/// attach to finish. A pool dropped by one of its own workers (from a task
/// on its loop) does not wait for that worker, which ends once its loop
/// returns to it.
fn join_detached(threads: Vec<JoinHandle<()>>) {
    let this = std::thread::current().id();
    let join = move || {
        for thread in threads {
            if thread.thread().id() != this {
                let _ = thread.join();
            }
        }
    };
    if thread_state::is_attached() {
        // SAFETY: attached (checked); the closure touches no Python object.
        unsafe { thread_state::detach(join) }
    } else {
        join()
    }
}

/// A worker: runs its loop, with its inbox watched, until stopped; then
/// winds it down.
fn run_loop(worker: Worker) {
    let outcome = Python::try_attach(|py| -> PyResult<()> {
        let event_loop = worker.event_loop.bind(py).clone();
        let inbox = Arc::clone(&worker.inbox);
        py.import("asyncio")?
            .call_method1("set_event_loop", (&event_loop,))?;
        THIS_WORKER.with(|slot| *slot.borrow_mut() = Some(worker));
        let jobs = Arc::clone(&inbox);
        let reader = PyCFunction::new_closure(py, Some(c"pyo3_ft_inbox"), None, move |args, _| {
            jobs.run(args.py());
        })?;
        event_loop.call_method1("add_reader", (inbox.watched_fd(), reader))?;
        let ran = event_loop.call_method0("run_forever");
        let _ = event_loop.call_method1("remove_reader", (inbox.watched_fd(),));
        let finished = bridge::helper(py, "finish")?.call1((&event_loop,));
        // Jobs that came too late (wake-ups of finished tasks) are dropped
        // here, attached.
        inbox.discard();
        let worker = THIS_WORKER.with(|slot| slot.borrow_mut().take());
        drop(worker);
        ran.and(finished).map(drop)
    });
    if let Ok(Err(err)) = outcome {
        let _ = Python::try_attach(|py| err.write_unraisable(py, None));
    }
}

/// Stops the pool from Python's `atexit`, before the interpreter refuses
/// new attaches: a worker stays attached (through its `Python::attach`) for
/// as long as its loop runs.
fn register_at_exit(inner: &Arc<Inner>) {
    let weak: Weak<Inner> = Arc::downgrade(inner);
    let _ = Python::attach(|py| -> PyResult<()> {
        let stop = PyCFunction::new_closure(py, Some(c"stop_event_loops"), None, move |_, _| {
            if let Some(inner) = weak.upgrade() {
                inner.stop_and_join();
            }
        })?;
        py.import("atexit")?.call_method1("register", (stop,))?;
        Ok(())
    });
}
