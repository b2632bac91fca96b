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
use crate::err::PyResult;
use crate::instance::{Bound, Py};
use crate::python::Python;
use crate::types::{PyAny, PyCFunction};

thread_local! {
    /// The loop this thread runs, if it is a worker of some [`EventLoops`].
    static THIS_LOOP: RefCell<Option<Py<PyAny>>> = const { RefCell::new(None) };
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
        let inner = Arc::new(Inner {
            loops,
            next: AtomicUsize::new(0),
            threads: Mutex::new(Vec::new()),
        });
        for (index, event_loop) in inner.loops.iter().enumerate() {
            let event_loop = Python::attach(|py| event_loop.clone_ref(py));
            let thread = std::thread::Builder::new()
                .name(format!("{}-{index}", self.thread_name))
                .spawn(move || run_loop(event_loop));
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
        let own = current_loop(awaitable.py()).filter(|current| {
            self.inner
                .loops
                .iter()
                .any(|event_loop| event_loop.as_ptr() == current.as_ptr())
        });
        let event_loop = match own {
            Some(event_loop) => event_loop,
            None => self.next_loop(awaitable.py()),
        };
        from_python::submit(&event_loop, awaitable)
    }

    fn next_loop<'py>(&self, py: Python<'py>) -> Bound<'py, PyAny> {
        let index = self.inner.next.fetch_add(1, Ordering::Relaxed) % self.inner.loops.len();
        self.inner.loops[index].bind(py).clone()
    }
}

/// The loop that a worker of some pool runs, on that worker.
pub(super) fn current_loop(py: Python<'_>) -> Option<Bound<'_, PyAny>> {
    THIS_LOOP.with(|slot| {
        slot.borrow()
            .as_ref()
            .map(|event_loop| event_loop.bind(py).clone())
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
        let _ = Python::try_attach(|py| {
            for event_loop in &self.loops {
                let event_loop = event_loop.bind(py);
                if let Ok(stop) = event_loop.getattr("stop") {
                    // A closed loop refuses; its thread is ending already.
                    let _ = event_loop.call_method1("call_soon_threadsafe", (stop,));
                }
            }
        });
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

/// A worker: runs its loop until stopped, then winds it down.
fn run_loop(event_loop: Py<PyAny>) {
    let outcome = Python::try_attach(|py| -> PyResult<()> {
        let event_loop = event_loop.bind(py);
        py.import("asyncio")?
            .call_method1("set_event_loop", (event_loop,))?;
        THIS_LOOP.with(|slot| *slot.borrow_mut() = Some(event_loop.clone().unbind()));
        let ran = event_loop.call_method0("run_forever");
        let finished = bridge::helper(py, "finish")?.call1((event_loop,));
        if let Some(old) = THIS_LOOP.with(|slot| slot.borrow_mut().take()) {
            drop(old);
        }
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
