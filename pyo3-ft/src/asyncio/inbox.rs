//! Work handed to an event loop's thread from any thread without attaching
//! there: a list of jobs, and a socket pair whose read end the loop watches
//! (`loop.add_reader`). Pushing a job onto an empty list writes one byte;
//! the loop's reader callback drains the socket and runs every job, on the
//! loop's thread, attached.
//!
//! This is how the pool's threads get Rust futures' wake-ups and new tasks
//! from tokio's threads: those never attach, so the objects of a request
//! are made, used and freed on one thread (CPython's biased reference
//! counting stays on its fast path), and no thread that is not running
//! Python has to attach just to call `call_soon_threadsafe`.

use std::io::{self, Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::panic::AssertUnwindSafe;

use parking_lot::Mutex;

use crate::executor::lock_detached;
use crate::panic::PanicException;
use crate::python::Python;

/// A job for the loop's thread.
pub(super) type Job = Box<dyn FnOnce(Python<'_>) + Send>;

/// One loop's inbox.
pub(super) struct Inbox {
    jobs: Mutex<Vec<Job>>,
    /// Written to wake the loop.
    wake: UnixStream,
    /// Watched by the loop.
    watched: UnixStream,
}

impl Inbox {
    pub(super) fn new() -> io::Result<Inbox> {
        let (wake, watched) = UnixStream::pair()?;
        wake.set_nonblocking(true)?;
        watched.set_nonblocking(true)?;
        Ok(Inbox {
            jobs: Mutex::new(Vec::new()),
            wake,
            watched,
        })
    }

    /// The descriptor the loop watches for reading.
    pub(super) fn watched_fd(&self) -> i32 {
        self.watched.as_raw_fd()
    }

    /// Hands `job` to the loop's thread; never blocks for long and never
    /// attaches.
    pub(super) fn push(&self, job: Job) {
        let was_empty = {
            let mut jobs = lock_detached(&self.jobs);
            let was_empty = jobs.is_empty();
            jobs.push(job);
            was_empty
        };
        if was_empty {
            // A full socket means a wake-up is pending already.
            let _ = (&self.wake).write(&[1]);
        }
    }

    /// Drops the jobs left (on the loop's thread, after it stopped).
    pub(super) fn discard(&self) {
        let jobs = std::mem::take(&mut *lock_detached(&self.jobs));
        drop(jobs);
    }

    /// The loop's reader callback: drains the socket, then runs jobs until
    /// none is left. A panicking job is reported and the rest still run.
    pub(super) fn run(&self, py: Python<'_>) {
        let mut bytes = [0u8; 256];
        while matches!((&self.watched).read(&mut bytes), Ok(n) if n > 0) {}
        loop {
            let jobs = std::mem::take(&mut *lock_detached(&self.jobs));
            if jobs.is_empty() {
                return;
            }
            for job in jobs {
                if let Err(payload) = std::panic::catch_unwind(AssertUnwindSafe(|| job(py))) {
                    PanicException::from_panic_payload(payload).write_unraisable(py, None);
                }
            }
        }
    }
}
