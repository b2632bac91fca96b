//! The requests handed to Python and not finished yet, so that a shutdown
//! that cannot wait for them any longer can say which it abandoned.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

/// The registry. Its lock is held only to insert or remove an entry (or
/// to list them), never across Python code or a wait.
#[derive(Debug, Default)]
pub struct InFlight {
    next: AtomicU64,
    running: Mutex<HashMap<u64, Entry>>,
    /// Woken when the last request leaves.
    emptied: tokio::sync::Notify,
}

#[derive(Debug)]
struct Entry {
    request: String,
    since: Instant,
}

/// A request's place in the registry, given up when dropped (when its job
/// ends, or is dropped unrun).
#[derive(Debug)]
pub struct Ticket {
    registry: Arc<InFlight>,
    id: u64,
}

impl InFlight {
    /// Registers `request` (a description for the log).
    pub fn enter(self: &Arc<Self>, request: String) -> Ticket {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let entry = Entry {
            request,
            since: Instant::now(),
        };
        self.lock().insert(id, entry);
        Ticket {
            registry: Arc::clone(self),
            id,
        }
    }

    /// The requests not finished, oldest first, each with its age.
    pub fn describe(&self) -> Vec<String> {
        let running = self.lock();
        let mut entries: Vec<&Entry> = running.values().collect();
        entries.sort_by_key(|entry| entry.since);
        entries
            .iter()
            .map(|entry| {
                format!(
                    "{} (for {:.1}s)",
                    entry.request,
                    entry.since.elapsed().as_secs_f64()
                )
            })
            .collect()
    }

    /// Resolves once no request is in flight.
    pub async fn empty(&self) {
        loop {
            let emptied = self.emptied.notified();
            tokio::pin!(emptied);
            emptied.as_mut().enable();
            if self.lock().is_empty() {
                return;
            }
            emptied.await;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Entry>> {
        // An entry map stays consistent even if a holder panicked.
        self.running.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut running = self.registry.lock();
        running.remove(&self.id);
        if running.is_empty() {
            drop(running);
            self.registry.emptied.notify_waiters();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tickets_leave_when_dropped() {
        let registry = Arc::new(InFlight::default());
        let first = registry.enter("GET /a".to_owned());
        let second = registry.enter("GET /b".to_owned());
        drop(first);
        let left = registry.describe();
        assert_eq!(left.len(), 1);
        assert!(left[0].starts_with("GET /b (for "), "{left:?}");
        drop(second);
        assert!(registry.describe().is_empty());
    }
}
