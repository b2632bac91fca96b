//! Requests counted by outcome, for the closing summary.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::wsgi::Verdict;

/// The counts, updated by the workers as requests finish.
#[derive(Debug, Default)]
pub struct Counters {
    completed: AtomicU64,
    application_errors: AtomicU64,
    client_errors: AtomicU64,
}

impl Counters {
    /// Counts a finished request.
    pub(crate) fn record(&self, verdict: Verdict) {
        let counter = match verdict {
            Verdict::Ok => None,
            Verdict::ApplicationError => Some(&self.application_errors),
            Verdict::ClientError => Some(&self.client_errors),
        };
        if let Some(counter) = counter {
            counter.fetch_add(1, Ordering::Relaxed);
        }
        self.completed.fetch_add(1, Ordering::Relaxed);
    }

    /// Requests the application finished (whatever their outcome).
    pub fn completed(&self) -> u64 {
        self.completed.load(Ordering::Relaxed)
    }

    /// Requests the application failed: an exception, a broken response.
    pub fn application_errors(&self) -> u64 {
        self.application_errors.load(Ordering::Relaxed)
    }

    /// Requests failed by their client: a malformed body, a stall.
    pub fn client_errors(&self) -> u64 {
        self.client_errors.load(Ordering::Relaxed)
    }
}
