//! [`Submit`]: the future of one job.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::error::ExecError;
use super::oneshot;
use super::queue::{Enqueue, Job, Shared};

/// The result of a job given to [`Executor::submit`](super::Executor::submit):
/// a future of `Result<R, ExecError>`, usable from any async runtime.
///
/// - The job enters the queue at once when there is room (and nobody is
///   waiting for room), so jobs submitted one after another run while their
///   futures wait to be awaited. Otherwise it enters when the future is
///   polled: a future polled while the queue is full waits, behind those
///   that came first, until a worker frees room. Submitting never fails
///   for lack of room.
/// - Dropping it before a worker took the job removes the job from the
///   queue; the closure is dropped without running. A job already running
///   runs to its end and its result is dropped.
/// - [`Submit::wait`] blocks a thread that is not async instead.
#[must_use = "dropping the future cancels its job if it has not started"]
pub struct Submit<R> {
    shared: Arc<Shared>,
    /// Not yet in the queue.
    job: Option<Job>,
    /// Waiting for room, under this ticket.
    ticket: Option<u64>,
    /// In the queue (or running, or done) under this id.
    queued: Option<u64>,
    result: oneshot::Receiver<R>,
    done: bool,
}

impl<R> Submit<R> {
    /// A future whose job is queued now if it can be, else on first poll.
    pub(crate) fn new(shared: Arc<Shared>, job: Job, result: oneshot::Receiver<R>) -> Self {
        let (job, queued) = match shared.try_enqueue(job) {
            Enqueue::Queued(id) => (None, Some(id)),
            // Retried (and refused or queued for good) on first poll.
            Enqueue::Full(job) | Enqueue::Closed(job) => (Some(job), None),
        };
        Submit {
            shared,
            job,
            ticket: None,
            queued,
            result,
            done: false,
        }
    }

    /// The future of a job queued already.
    pub(crate) fn queued(shared: Arc<Shared>, id: u64, result: oneshot::Receiver<R>) -> Self {
        Submit {
            shared,
            job: None,
            ticket: None,
            queued: Some(id),
            result,
            done: false,
        }
    }

    /// Blocks the current thread until the job has run, then returns its
    /// result. An attached thread is detached while it waits (so it never
    /// holds up the interpreter), and re-attached afterwards.
    ///
    /// Do not call it from a job of the same executor: with every worker
    /// waiting for a job that no worker is free to run, it never returns.
    ///
    /// ```
    /// use pyo3_ft::executor::Executor;
    ///
    /// let executor = Executor::new(1)?;
    /// let n: i64 = executor.submit(|py| py.eval("2 ** 10", None, None)?.extract()).wait()?;
    /// assert_eq!(n, 1024);
    /// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
    /// ```
    pub fn wait(self) -> Result<R, ExecError>
    where
        R: Send,
    {
        super::block_on(self)
    }
}

impl<R> Future for Submit<R> {
    type Output = Result<R, ExecError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        assert!(!this.done, "`Submit` polled after it completed");
        if let Some(job) = this.job.take() {
            match this.shared.enqueue(job, &mut this.ticket, cx.waker()) {
                Enqueue::Queued(id) => this.queued = Some(id),
                Enqueue::Full(job) => {
                    this.job = Some(job);
                    return Poll::Pending;
                }
                Enqueue::Closed(job) => {
                    drop(job);
                    this.done = true;
                    return Poll::Ready(Err(ExecError::ShutDown));
                }
            }
        }
        let result = this.result.poll(cx);
        if result.is_ready() {
            this.queued = None;
            this.done = true;
        }
        result
    }
}

impl<R> Drop for Submit<R> {
    fn drop(&mut self) {
        if let Some(ticket) = self.ticket.take() {
            self.shared.forget_ticket(ticket);
        }
        if let Some(id) = self.queued.take() {
            // Dropped here, with no lock held.
            drop(self.shared.remove_queued(id));
        }
    }
}

impl<R> fmt::Debug for Submit<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = if self.done {
            "done"
        } else if self.queued.is_some() {
            "queued or running"
        } else if self.ticket.is_some() {
            "waiting for room"
        } else {
            "not yet polled"
        };
        f.debug_struct("Submit").field("state", &state).finish()
    }
}
