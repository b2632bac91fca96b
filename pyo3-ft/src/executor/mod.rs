//! Calling Python from async Rust: a pool of worker threads that keep their
//! thread states, fed through a bounded queue, with one future per job.
//!
//! (Feature `executor`.)
//!
//! An async server (tokio, async-std, smol, ...) must not run Python on its
//! reactor threads: a Python call may take milliseconds, and a thread
//! attached to the interpreter must not block in the reactor either. An
//! [`Executor`] owns `N` OS threads instead. Each attaches once when it
//! starts and keeps its `PyThreadState` until the executor shuts down, so a
//! job costs a queue hand-off and a re-attach (tens of nanoseconds), never
//! the creation of a thread state (over 100 µs on free-threaded builds, and
//! it throws away the thread's allocator heaps). On a free-threaded
//! interpreter the `N` workers run Python in parallel; on a GIL build they
//! take turns. Idle workers wait detached, so they never hold up a
//! stop-the-world pause or the GIL.
//!
//! ```
//! use pyo3_ft::executor::{ExecError, Executor, ShutdownMode};
//! use pyo3_ft::types::PyString;
//!
//! let executor = Executor::builder().workers(2).queue_capacity(64).build()?;
//!
//! // Any runtime can await the future; `wait` blocks a plain thread.
//! async fn word_count(executor: &Executor, text: String) -> Result<usize, ExecError> {
//!     executor
//!         .submit(move |py| PyString::new(py, &text).call_method0("split")?.len())
//!         .await
//! }
//! # let _ = word_count;
//! let squares: Vec<i64> = executor
//!     .submit(|py| py.eval("[x * x for x in range(5)]", None, None)?.extract())
//!     .wait()?;
//! assert_eq!(squares, [0, 1, 4, 9, 16]);
//!
//! // Exceptions and panics come back as errors; the worker goes on.
//! let err = executor.submit(|py| py.eval("1 / 0", None, None).map(drop)).wait().unwrap_err();
//! assert!(err.to_string().ends_with("ZeroDivisionError: division by zero"));
//!
//! executor.shutdown_blocking(ShutdownMode::Drain);
//! # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
//! ```
//!
//! # Backpressure
//! The queue holds at most [`Builder::queue_capacity`] jobs that no worker
//! has started. A [`Submit`] future polled while it is full waits, in
//! arrival order, for room; it does not fail. [`Executor::try_submit`] is
//! the variant that refuses instead (for load shedding).
//!
//! # Cancellation
//! Dropping a [`Submit`] whose job is still queued removes the job; the
//! closure is dropped unrun. A job that a worker has started runs to its
//! end (Python code cannot be stopped at an arbitrary point); its result is
//! dropped. Timeouts (`tokio::time::timeout(d, executor.submit(...))`)
//! therefore cancel queued work only.
//!
//! # Shutdown
//! [`Executor::shutdown`] stops accepting jobs ([`ExecError::ShutDown`]),
//! then either lets the workers finish every queued job
//! ([`ShutdownMode::Drain`]) or cancels the queued ones
//! ([`ShutdownMode::CancelQueued`], their futures resolve to
//! [`ExecError::Cancelled`]); running jobs always finish. Each worker then
//! exits, which releases its thread state. The returned [`Shutdown`] future
//! (or [`Executor::shutdown_blocking`]) completes once every worker thread
//! is gone; after that, none of them touches the interpreter again.
//! Dropping the [`Executor`] starts a `Drain` shutdown without waiting.

mod error;
pub(crate) mod oneshot;
mod queue;
mod submit;

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::{pin, Pin};
use std::sync::atomic::Ordering;
use std::sync::{mpsc, Arc};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};

use parking_lot::{Mutex, MutexGuard};
use pyo3_ft_runtime::thread_state;

pub use error::{ExecError, PanicError, TrySubmitError};
pub use submit::Submit;

use crate::err::PyResult;
use crate::python::{detach_if_attached, Python, Ungil};
use queue::{Enqueue, Job, Shared};

/// How [`Executor::shutdown`] treats the jobs still queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShutdownMode {
    /// The workers run every queued job, then exit.
    Drain,
    /// Queued jobs are dropped unrun (their futures give
    /// [`ExecError::Cancelled`]); running jobs finish; then the workers exit.
    CancelQueued,
}

/// A snapshot of an executor's counters (see [`Executor::metrics`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Metrics {
    /// Worker threads.
    pub workers: usize,
    /// Jobs in the queue that no worker has started.
    pub queued: usize,
    /// Submitters waiting for room in a full queue.
    pub waiting_submitters: usize,
    /// Workers running a job right now.
    pub busy: usize,
    /// Jobs that ran, whatever their outcome.
    pub completed: u64,
    /// Of those, jobs that returned a Python exception.
    pub failed: u64,
    /// Of those, jobs that panicked.
    pub panicked: u64,
    /// Jobs dropped unrun: their future was dropped, or shutdown cancelled them.
    pub cancelled: u64,
}

/// Configures an [`Executor`].
///
/// ```
/// use pyo3_ft::executor::Executor;
///
/// let executor = Executor::builder()
///     .workers(2)
///     .queue_capacity(16)
///     .thread_name("python-worker")
///     .build()?;
/// assert_eq!(executor.metrics().workers, 2);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Builder {
    workers: usize,
    queue_capacity: usize,
    thread_name: String,
    stack_size: Option<usize>,
}

impl Default for Builder {
    fn default() -> Self {
        Builder::new()
    }
}

impl Builder {
    /// One worker per CPU, a queue of 256 jobs, threads named
    /// `pyo3-ft-worker-N`.
    pub fn new() -> Builder {
        Builder {
            workers: thread::available_parallelism().map_or(1, |n| n.get()),
            queue_capacity: 256,
            thread_name: "pyo3-ft-worker".to_owned(),
            stack_size: None,
        }
    }

    /// The number of worker threads (at least 1).
    pub fn workers(mut self, workers: usize) -> Builder {
        self.workers = workers;
        self
    }

    /// How many jobs may wait in the queue before submitters wait (at
    /// least 1).
    pub fn queue_capacity(mut self, capacity: usize) -> Builder {
        self.queue_capacity = capacity;
        self
    }

    /// The worker threads' name prefix; `-N` is appended.
    pub fn thread_name(mut self, name: impl Into<String>) -> Builder {
        self.thread_name = name.into();
        self
    }

    /// The worker threads' stack size in bytes (default: Rust's).
    pub fn stack_size(mut self, bytes: usize) -> Builder {
        self.stack_size = Some(bytes);
        self
    }

    /// Starts the workers and waits until each has attached (created its
    /// thread state), detached if the calling thread is attached. In an
    /// embedding program the first worker to attach initializes the
    /// interpreter if nothing did yet.
    ///
    /// # Panics
    /// If the interpreter is finalizing.
    ///
    /// # Errors
    /// `InvalidInput` for zero workers or a zero capacity; the error of a
    /// thread that could not be started; `Other` if a worker could not
    /// attach (the interpreter is finalizing).
    pub fn build(self) -> io::Result<Executor> {
        if self.workers == 0 || self.queue_capacity == 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "an executor needs at least one worker and room for one job",
            ));
        }
        let shared = Arc::new(Shared::new(self.workers, self.queue_capacity));
        let (ready, attached) = mpsc::channel::<()>();
        let mut handles = Vec::with_capacity(self.workers);
        let mut spawn_error = None;
        for index in 0..self.workers {
            let mut builder = thread::Builder::new().name(format!("{}-{index}", self.thread_name));
            if let Some(bytes) = self.stack_size {
                builder = builder.stack_size(bytes);
            }
            let (shared, ready) = (Arc::clone(&shared), ready.clone());
            let spawned = builder.spawn(move || {
                Python::attach(|py| {
                    let _ = ready.send(());
                    drop(ready);
                    shared.work(py);
                });
            });
            match spawned {
                Ok(handle) => handles.push(handle),
                Err(err) => {
                    spawn_error = Some(err);
                    break;
                }
            }
        }
        drop(ready);
        let started = handles.len();
        shared.set_handles(handles);
        let executor = Executor { shared };
        if let Some(err) = spawn_error {
            return Err(err);
        }
        // Each worker sends once attached; one that cannot attach panics and
        // drops its sender unsent.
        let all_attached = detach_if_attached((attached, started), |(attached, started)| {
            (0..started).all(|_| attached.recv().is_ok())
        });
        if !all_attached {
            return Err(io::Error::other(
                "an executor worker could not attach to the Python interpreter (is it finalizing?)",
            ));
        }
        Ok(executor)
    }
}

/// A pool of worker threads that run Python jobs for async (or plain) Rust
/// code. See the [module documentation](self).
///
/// It is `Send + Sync`: share it behind an `Arc` (or a `&'static`). The
/// futures it returns are `'static` and `Send` when the job's result is.
pub struct Executor {
    shared: Arc<Shared>,
}

impl Executor {
    /// An executor with `workers` threads and the default queue capacity.
    ///
    /// ```
    /// let executor = pyo3_ft::executor::Executor::new(2)?;
    /// assert_eq!(executor.metrics().workers, 2);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn new(workers: usize) -> io::Result<Executor> {
        Builder::new().workers(workers).build()
    }

    /// A [`Builder`] with the defaults.
    pub fn builder() -> Builder {
        Builder::new()
    }

    /// Runs `f` on a worker. The returned future gives its value, or why
    /// there is none ([`ExecError`]): the Python exception it returned, its
    /// panic, or that it was cancelled or never accepted.
    ///
    /// The job enters the queue now if there is room, else when the future
    /// is polled, waiting for room; see [`Submit`].
    ///
    /// ```
    /// use pyo3_ft::executor::{ExecError, Executor};
    /// use pyo3_ft::exceptions::PyKeyError;
    ///
    /// let executor = Executor::new(1)?;
    /// let err = executor
    ///     .submit(|py| py.eval("{}['missing']", None, None).map(drop))
    ///     .wait()
    ///     .unwrap_err();
    /// let ExecError::Python(err) = err else { panic!("{err}") };
    /// pyo3_ft::Python::attach(|py| assert!(err.is_instance_of::<PyKeyError>(py)));
    ///
    /// let panicked = executor.submit(|_| -> pyo3_ft::PyResult<()> { panic!("boom") }).wait();
    /// assert!(matches!(panicked, Err(ExecError::Panicked(p)) if p.message() == "boom"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn submit<F, R>(&self, f: F) -> Submit<R>
    where
        F: FnOnce(Python<'_>) -> PyResult<R> + Send + 'static,
        R: Send + 'static,
    {
        let (sender, receiver) = oneshot::channel();
        Submit::new(Arc::clone(&self.shared), Job::new(f, sender), receiver)
    }

    /// Queues `f` now if there is room (and nobody waits for room), or gives
    /// it back: for callers that would rather shed load than wait.
    ///
    /// ```
    /// use pyo3_ft::executor::{Executor, TrySubmitError};
    ///
    /// let executor = Executor::builder().workers(1).queue_capacity(1).build()?;
    /// let (release, blocked) = std::sync::mpsc::channel::<()>();
    /// let (started, running) = std::sync::mpsc::channel::<()>();
    /// let busy = executor
    ///     .try_submit(move |py| {
    ///         started.send(()).unwrap();
    ///         py.detach(move || blocked.recv()).unwrap();
    ///         Ok(())
    ///     })
    ///     .unwrap();
    /// running.recv().unwrap(); // The worker is busy...
    /// let queued = executor.try_submit(|_| Ok(1)).unwrap(); // ... the queue holds one ...
    /// let refused = executor.try_submit(|_| Ok(2)); // ... and is full.
    /// assert!(matches!(refused, Err(TrySubmitError::Full(_))));
    /// release.send(()).unwrap();
    /// busy.wait()?;
    /// assert_eq!(queued.wait()?, 1);
    /// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
    /// ```
    pub fn try_submit<F, R>(&self, f: F) -> Result<Submit<R>, TrySubmitError<F>>
    where
        F: FnOnce(Python<'_>) -> PyResult<R> + Send + 'static,
        R: Send + 'static,
    {
        let (sender, receiver) = oneshot::channel();
        let take_back = |job: Job| job.into_closure::<F, R>().expect("the job's own type");
        match self.shared.try_enqueue(Job::new(f, sender)) {
            Enqueue::Queued(id) => Ok(Submit::queued(Arc::clone(&self.shared), id, receiver)),
            Enqueue::Full(job) => Err(TrySubmitError::Full(take_back(job))),
            Enqueue::Closed(job) => Err(TrySubmitError::ShutDown(take_back(job))),
        }
    }

    /// The counters right now (each read on its own; they may move while
    /// they are read).
    pub fn metrics(&self) -> Metrics {
        let shared = &self.shared;
        let (queued, waiting_submitters) = shared.waiting_submitters();
        Metrics {
            workers: shared.workers,
            queued,
            waiting_submitters,
            busy: shared.busy.load(Ordering::Relaxed),
            completed: shared.completed.load(Ordering::Relaxed),
            failed: shared.failed.load(Ordering::Relaxed),
            panicked: shared.panicked.load(Ordering::Relaxed),
            cancelled: shared.cancelled.load(Ordering::Relaxed),
        }
    }

    /// The queue's capacity.
    pub fn queue_capacity(&self) -> usize {
        self.shared.capacity
    }

    /// Starts shutting down now (see the [module documentation](self#shutdown));
    /// the returned future completes when every worker thread has exited and
    /// released its thread state. Calling it again is harmless; a later
    /// `CancelQueued` still cancels what is queued.
    ///
    /// ```
    /// use pyo3_ft::executor::{ExecError, Executor, ShutdownMode};
    ///
    /// let executor = Executor::new(1)?;
    /// let shutdown = executor.shutdown(ShutdownMode::Drain);
    /// let refused = executor.submit(|_| Ok(())).wait();
    /// assert!(matches!(refused, Err(ExecError::ShutDown)));
    /// shutdown.wait();
    /// assert_eq!(executor.metrics().busy, 0);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn shutdown(&self, mode: ShutdownMode) -> Shutdown {
        self.shared.begin_shutdown(mode);
        Shutdown {
            shared: Arc::clone(&self.shared),
        }
    }

    /// [`Executor::shutdown`], then blocks until every worker has exited
    /// (detached, if the calling thread is attached).
    pub fn shutdown_blocking(&self, mode: ShutdownMode) {
        self.shutdown(mode).wait();
    }
}

impl Drop for Executor {
    /// Starts a [`ShutdownMode::Drain`] shutdown without waiting for it.
    fn drop(&mut self) {
        self.shared.begin_shutdown(ShutdownMode::Drain);
    }
}

impl fmt::Debug for Executor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Executor")
            .field("metrics", &self.metrics())
            .finish()
    }
}

/// Completes when every worker of a shut-down executor has exited (see
/// [`Executor::shutdown`]).
#[must_use = "the shutdown has started; await the future (or `wait`) to know when it ends"]
pub struct Shutdown {
    shared: Arc<Shared>,
}

impl Shutdown {
    /// Blocks until every worker has exited, detached if the calling thread
    /// is attached.
    pub fn wait(self) {
        detach_if_attached(self.shared, |shared| shared.wait_joined());
    }
}

impl Future for Shutdown {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.shared.poll_joined(cx.waker()) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

impl fmt::Debug for Shutdown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shutdown").finish_non_exhaustive()
    }
}

/// Locks `mutex`, waiting detached if the thread is attached and the lock is
/// taken. Its holders never run Python code or wait for anything, so the
/// wait is short either way.
pub(crate) fn lock_detached<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    if let Some(guard) = mutex.try_lock() {
        return guard;
    }
    if thread_state::is_attached() {
        // SAFETY: attached (checked just above); the closure only locks a
        // Rust mutex.
        unsafe { thread_state::detach(|| mutex.lock()) }
    } else {
        mutex.lock()
    }
}

/// Drives `future` to completion on this thread, parking it between
/// wake-ups. For threads that have no async runtime, such as a worker
/// bridging to one.
///
/// An attached thread is detached for the whole call, so that its waits
/// never hold up a stop-the-world pause (or, on GIL builds, the GIL). The
/// future is therefore polled detached, and like the closure of
/// [`Python::detach`] it and its output must be [`Ungil`]: a future that
/// holds a `Python`, `Bound`, `Borrowed`, `PyRef` or lock guard does not
/// compile. Hold `Py<T>` across awaits instead, and attach inside the
/// future (`Python::attach`) where it touches Python.
///
/// ```
/// use pyo3_ft::executor::block_on;
/// use pyo3_ft::prelude::*;
/// use pyo3_ft::types::PyList;
///
/// let value = block_on(async { 6 * 7 });
/// assert_eq!(value, 42);
///
/// Python::attach(|py| {
///     let list = PyList::empty(py).unbind();
///     let len = block_on(async {
///         // Polled detached: attach to touch the list.
///         Python::attach(|py| list.bind(py).append(1).map(|()| list.bind(py).len()))
///     })?;
///     assert_eq!(len, 1);
///     Ok::<_, PyErr>(())
/// })?;
/// # Ok::<(), PyErr>(())
/// ```
///
/// A future that uses an attached value does not compile:
///
/// ```compile_fail,E0277
/// use pyo3_ft::executor::block_on;
/// use pyo3_ft::prelude::*;
/// use pyo3_ft::types::PyList;
///
/// Python::attach(|py| {
///     let list = PyList::empty(py);
///     block_on(async { list.append(1) }) // `&Bound` is not `Ungil`
/// })?;
/// # Ok::<(), PyErr>(())
/// ```
pub fn block_on<F>(future: F) -> F::Output
where
    F: Future + Ungil,
    F::Output: Ungil,
{
    detach_if_attached(future, poll_to_end)
}

/// `block_on`'s loop: polls `future`, parking the thread until it is woken.
fn poll_to_end<F: Future>(future: F) -> F::Output {
    struct Unpark(Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
        fn wake_by_ref(self: &Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
            return value;
        }
        thread::park();
    }
}
