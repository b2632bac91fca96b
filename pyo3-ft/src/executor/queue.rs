//! The state the executor, its workers and its futures share: the bounded
//! job queue, the submitters waiting for room, the counters, and the
//! shutdown state.
//!
//! Locking rules: no Python code runs and no value that might own a Python
//! reference is dropped while [`Shared::queue`] is held (dropping a `Py` may
//! attach the thread); wakers are woken after it is released. Workers take
//! the lock detached; other threads take it with [`lock_detached`], which
//! detaches an attached thread before it waits.

use std::any::Any;
use std::cell::Cell;
use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::Waker;
use std::thread::JoinHandle;

use parking_lot::{Condvar, Mutex, MutexGuard};

use super::error::{ExecError, PanicError};
use super::oneshot;
use super::{lock_detached, ShutdownMode};
use crate::err::{PyErr, PyResult};
use crate::python::Python;

/// A job with its type erased: the closure and the slot for its result.
pub(crate) struct Job {
    pub(crate) id: u64,
    task: Box<dyn Task>,
}

/// How a job ended, for the counters.
enum Outcome {
    Completed,
    Failed,
    Panicked,
    /// Its future was dropped after a worker took it but before it ran.
    Abandoned,
}

trait Task: Send {
    /// For a refused job: the `TypedTask` back.
    fn into_any(self: Box<Self>) -> Box<dyn Any>;

    /// Runs the job; `finish` is called with the outcome just before the
    /// result is delivered (so counters are current when a future resolves).
    fn run(self: Box<Self>, py: Python<'_>, finish: &dyn Fn(Outcome));
}

struct TypedTask<F, R> {
    f: F,
    result: oneshot::Sender<R>,
}

impl<F, R> Task for TypedTask<F, R>
where
    F: FnOnce(Python<'_>) -> PyResult<R> + Send + 'static,
    R: Send + 'static,
{
    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }

    fn run(self: Box<Self>, py: Python<'_>, finish: &dyn Fn(Outcome)) {
        let TypedTask { f, result } = *self;
        if result.is_abandoned() {
            drop(f);
            finish(Outcome::Abandoned);
            return;
        }
        let ran = catch_unwind(AssertUnwindSafe(|| f(py)));
        // A job that returned normally but left an exception set would make
        // the next Python call on this worker fail: clear it.
        if let Some(stray) = PyErr::take(py) {
            drop(stray);
        }
        let (value, outcome) = match ran {
            Ok(Ok(value)) => (Ok(value), Outcome::Completed),
            Ok(Err(err)) => (Err(ExecError::Python(err)), Outcome::Failed),
            Err(payload) => (
                Err(ExecError::Panicked(PanicError::new(payload))),
                Outcome::Panicked,
            ),
        };
        finish(outcome);
        result.send(value);
    }
}

impl Job {
    /// The closure of a job that never entered the queue; `None` if `F` is
    /// not its type.
    pub(crate) fn into_closure<F: 'static, R: 'static>(self) -> Option<F> {
        let task = self.task.into_any().downcast::<TypedTask<F, R>>().ok()?;
        let TypedTask { f, result } = *task;
        // Dropped unsent: the (unused) receiver reads `Cancelled`.
        drop(result);
        Some(f)
    }

    pub(crate) fn new<F, R>(f: F, result: oneshot::Sender<R>) -> Job
    where
        F: FnOnce(Python<'_>) -> PyResult<R> + Send + 'static,
        R: Send + 'static,
    {
        Job {
            id: 0,
            task: Box::new(TypedTask { f, result }),
        }
    }
}

/// A submitter waiting for room in the queue.
struct Waiter {
    ticket: u64,
    waker: Waker,
}

pub(crate) struct Queue {
    /// In submission order, so ids increase from front to back.
    jobs: VecDeque<Job>,
    next_id: u64,
    /// Submitters waiting for room, in arrival order (tickets increase).
    waiters: VecDeque<Waiter>,
    next_ticket: u64,
    /// Room promised to waiters that were woken but have not enqueued yet.
    reserved: usize,
    /// False once shutdown began: no job enters any more.
    open: bool,
}

impl Queue {
    /// Whether a new job fits, counting promised room.
    fn has_room(&self, capacity: usize) -> bool {
        self.jobs.len() + self.reserved < capacity
    }

    /// After room was freed: promises it to the first waiter and returns
    /// its waker, to wake once the lock is released.
    fn grant(&mut self, capacity: usize) -> Option<Waker> {
        if !self.open || !self.has_room(capacity) {
            return None;
        }
        let waiter = self.waiters.pop_front()?;
        self.reserved += 1;
        Some(waiter.waker)
    }

    fn waiter_index(&self, ticket: u64) -> Option<usize> {
        self.waiters
            .binary_search_by_key(&ticket, |waiter| waiter.ticket)
            .ok()
    }

    fn job_index(&self, id: u64) -> Option<usize> {
        self.jobs.binary_search_by_key(&id, |job| job.id).ok()
    }

    fn push(&mut self, mut job: Job) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        job.id = id;
        self.jobs.push_back(job);
        id
    }
}

/// What [`Shared::enqueue`] did with a job.
pub(crate) enum Enqueue {
    /// It is in the queue under this id.
    Queued(u64),
    /// No room: the job comes back, and the caller's ticket is set.
    Full(Job),
    /// Shut down: the job comes back.
    Closed(Job),
}

/// Shutdown progress.
struct Stop {
    /// The worker threads, until the reaper takes them.
    handles: Vec<JoinHandle<()>>,
    /// Every worker thread has exited (so released its thread state).
    joined: bool,
    wakers: Vec<Waker>,
}

pub(crate) struct Shared {
    pub(crate) queue: Mutex<Queue>,
    /// Workers wait here for jobs (detached).
    work: Condvar,
    pub(crate) capacity: usize,
    pub(crate) workers: usize,
    pub(crate) busy: AtomicUsize,
    pub(crate) completed: AtomicU64,
    pub(crate) failed: AtomicU64,
    pub(crate) panicked: AtomicU64,
    pub(crate) cancelled: AtomicU64,
    stop: Mutex<Stop>,
    stopped: Condvar,
}

impl Shared {
    pub(crate) fn new(workers: usize, capacity: usize) -> Shared {
        Shared {
            queue: Mutex::new(Queue {
                jobs: VecDeque::with_capacity(capacity.min(1024)),
                next_id: 0,
                waiters: VecDeque::new(),
                next_ticket: 0,
                reserved: 0,
                open: true,
            }),
            work: Condvar::new(),
            capacity,
            workers,
            busy: AtomicUsize::new(0),
            completed: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            panicked: AtomicU64::new(0),
            cancelled: AtomicU64::new(0),
            stop: Mutex::new(Stop {
                handles: Vec::new(),
                joined: false,
                wakers: Vec::new(),
            }),
            stopped: Condvar::new(),
        }
    }

    pub(crate) fn lock_queue(&self) -> MutexGuard<'_, Queue> {
        lock_detached(&self.queue)
    }

    pub(crate) fn set_handles(&self, handles: Vec<JoinHandle<()>>) {
        self.stop.lock().handles = handles;
    }

    /// Puts `job` in the queue if there is room and the submitter holding
    /// `ticket` may take it: a submitter that was promised room, or a new
    /// one when nobody is waiting. Otherwise records `waker` under the
    /// ticket (assigning one if needed).
    pub(crate) fn enqueue(&self, job: Job, ticket: &mut Option<u64>, waker: &Waker) -> Enqueue {
        let mut queue = self.lock_queue();
        if !queue.open {
            *ticket = None;
            return Enqueue::Closed(job);
        }
        match *ticket {
            Some(mine) => match queue.waiter_index(mine) {
                // Still waiting: refresh the waker.
                Some(index) => {
                    let entry = &mut queue.waiters[index].waker;
                    if !entry.will_wake(waker) {
                        *entry = waker.clone();
                    }
                    return Enqueue::Full(job);
                }
                // Woken with room promised: use it.
                None => {
                    queue.reserved -= 1;
                    *ticket = None;
                }
            },
            None => {
                if !queue.has_room(self.capacity) || !queue.waiters.is_empty() {
                    let mine = queue.next_ticket;
                    queue.next_ticket += 1;
                    queue.waiters.push_back(Waiter {
                        ticket: mine,
                        waker: waker.clone(),
                    });
                    *ticket = Some(mine);
                    return Enqueue::Full(job);
                }
            }
        }
        let id = queue.push(job);
        drop(queue);
        self.work.notify_one();
        Enqueue::Queued(id)
    }

    /// Puts `job` in the queue only if a new submitter could without
    /// waiting; otherwise gives it back.
    pub(crate) fn try_enqueue(&self, job: Job) -> Enqueue {
        let mut queue = self.lock_queue();
        if !queue.open {
            return Enqueue::Closed(job);
        }
        if !queue.has_room(self.capacity) || !queue.waiters.is_empty() {
            return Enqueue::Full(job);
        }
        let id = queue.push(job);
        drop(queue);
        self.work.notify_one();
        Enqueue::Queued(id)
    }

    /// A submitter that holds `ticket` gives up (its future was dropped).
    pub(crate) fn forget_ticket(&self, ticket: u64) {
        let mut queue = self.lock_queue();
        if !queue.open {
            return;
        }
        let waker = match queue.waiter_index(ticket) {
            Some(index) => {
                queue.waiters.remove(index);
                None
            }
            // It had been promised room: pass the promise on.
            None => {
                queue.reserved -= 1;
                queue.grant(self.capacity)
            }
        };
        drop(queue);
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Removes the job `id` if no worker has taken it yet; returns it, to be
    /// dropped by the caller once nothing is locked.
    pub(crate) fn remove_queued(&self, id: u64) -> Option<Job> {
        let mut queue = self.lock_queue();
        let index = queue.job_index(id)?;
        let job = queue.jobs.remove(index);
        let waker = queue.grant(self.capacity);
        drop(queue);
        self.cancelled.fetch_add(1, Ordering::Relaxed);
        if let Some(waker) = waker {
            waker.wake();
        }
        job
    }

    /// The next job for a worker, waiting for one; `None` once the executor
    /// shuts down and the queue is empty. Call it detached.
    fn next_job(&self) -> Option<Job> {
        let mut queue = self.queue.lock();
        loop {
            if let Some(job) = queue.jobs.pop_front() {
                self.busy.fetch_add(1, Ordering::Relaxed);
                let waker = queue.grant(self.capacity);
                drop(queue);
                if let Some(waker) = waker {
                    waker.wake();
                }
                return Some(job);
            }
            if !queue.open {
                return None;
            }
            self.work.wait(&mut queue);
        }
    }

    /// Runs jobs until shutdown. The thread is attached (its one thread
    /// state) for its whole life, and detached while it waits.
    pub(crate) fn work(&self, py: Python<'_>) {
        let finish = |outcome| {
            let counter = match outcome {
                Outcome::Completed => &self.completed,
                Outcome::Failed => {
                    self.completed.fetch_add(1, Ordering::Relaxed);
                    &self.failed
                }
                Outcome::Panicked => {
                    self.completed.fetch_add(1, Ordering::Relaxed);
                    &self.panicked
                }
                Outcome::Abandoned => &self.cancelled,
            };
            counter.fetch_add(1, Ordering::Relaxed);
            self.busy.fetch_sub(1, Ordering::Relaxed);
        };
        while let Some(job) = py.detach(|| self.next_job()) {
            // The job's own panics are caught inside `run`; this catches a
            // panicking `Drop` of a value it drops outside that (an unrun
            // closure, an unwanted result), so that nothing kills the worker.
            let finished = Cell::new(false);
            let counted = |outcome| {
                finished.set(true);
                finish(outcome);
            };
            let ran = catch_unwind(AssertUnwindSafe(|| job.task.run(py, &counted)));
            if ran.is_err() && !finished.get() {
                finish(Outcome::Panicked);
            }
        }
    }

    /// Closes the queue; with [`ShutdownMode::CancelQueued`] also empties it.
    /// Then makes sure a reaper joins the workers. Idempotent; a later
    /// `CancelQueued` still cancels what is queued.
    pub(crate) fn begin_shutdown(self: &Arc<Self>, mode: ShutdownMode) {
        let mut queue = self.lock_queue();
        queue.open = false;
        queue.reserved = 0;
        let waiters = std::mem::take(&mut queue.waiters);
        let cancelled: Vec<Job> = match mode {
            ShutdownMode::CancelQueued => queue.jobs.drain(..).collect(),
            ShutdownMode::Drain => Vec::new(),
        };
        drop(queue);
        self.work.notify_all();
        for waiter in waiters {
            waiter.waker.wake();
        }
        self.cancelled
            .fetch_add(cancelled.len() as u64, Ordering::Relaxed);
        // Each job's result slot reads as `Cancelled` once it is dropped.
        drop(cancelled);
        self.start_reaper();
    }

    /// Joins the worker threads on a thread of its own, so that waiting for
    /// shutdown can be asynchronous.
    fn start_reaper(self: &Arc<Self>) {
        let handles = std::mem::take(&mut lock_detached(&self.stop).handles);
        if handles.is_empty() {
            return;
        }
        let shared = Arc::clone(self);
        let join_all = move || {
            for handle in handles {
                // A worker never panics (jobs' panics are caught); if one
                // did, its thread is gone all the same.
                let _ = handle.join();
            }
            let mut stop = shared.stop.lock();
            stop.joined = true;
            let wakers = std::mem::take(&mut stop.wakers);
            drop(stop);
            shared.stopped.notify_all();
            for waker in wakers {
                waker.wake();
            }
        };
        // The reaper is a plain thread that never attaches.
        let spawned = std::thread::Builder::new()
            .name("pyo3-ft-executor-reaper".into())
            .spawn(join_all);
        if let Err(err) = spawned {
            // Cannot happen in practice; the workers still exit on their
            // own, but nobody will report it.
            eprintln!("pyo3-ft executor: cannot start the thread that joins the workers: {err}");
        }
    }

    /// Whether every worker has exited; registers `waker` if not.
    pub(crate) fn poll_joined(&self, waker: &Waker) -> bool {
        let mut stop = lock_detached(&self.stop);
        if stop.joined {
            return true;
        }
        if !stop.wakers.iter().any(|w| w.will_wake(waker)) {
            stop.wakers.push(waker.clone());
        }
        false
    }

    /// Waits until every worker has exited. Call it detached.
    pub(crate) fn wait_joined(&self) {
        let mut stop = self.stop.lock();
        while !stop.joined {
            self.stopped.wait(&mut stop);
        }
    }

    pub(crate) fn waiting_submitters(&self) -> (usize, usize) {
        let queue = self.lock_queue();
        (queue.jobs.len(), queue.waiters.len())
    }
}
