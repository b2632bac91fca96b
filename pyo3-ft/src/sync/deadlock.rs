//! Deadlock detection for `#[pyclass(mutable)]` objects: who holds their
//! locks, and a wait-for graph of the threads waiting for them right now.
//!
//! A thread that must wait for an object's lock joins the graph; if its
//! wait would close a cycle of waits, it leaves at once with an error
//! instead of waiting forever. Only the contended path comes here: taking
//! a free lock touches only the holder records that re-entry checks need
//! anyway, [`Owner`] in the object for exclusive holds and this thread's
//! list of shared holds ([`hold_shared`]).
//!
//! # The graph
//!
//! Its nodes are the threads waiting right now. Each waits for one lock,
//! shared or exclusive, and brings a snapshot of the locks it holds
//! shared. An edge X → Y says that X cannot get its lock before Y releases
//! one:
//! - Y holds X's lock exclusively (the object's [`Owner`] names Y);
//! - Y holds X's lock shared and X wants it exclusively;
//! - Y holds X's lock shared, and X wants it shared too but queues behind
//!   a writer that waits for Y (the lock is fair: once a writer waits, new
//!   readers wait behind it).
//!
//! A thread in the graph has released nothing since it joined (it is
//! blocked, or has just got its lock and is on its way out), so what it
//! holds is a fact for as long as it stays, and a cycle in the graph is a
//! real deadlock: no false positives. Joining, searching and leaving on an
//! error happen under one mutex, so exactly one thread of a cycle finds it
//! (the last to join, or a reader checking again, below) and gets the
//! error; the others keep waiting, and go on once it has released what it
//! holds.
//!
//! The third kind of edge needs care, because a queued reader takes its
//! lock the moment the writer ahead of it is done, possibly before it has
//! left the graph. So the edge counts only if, when the reader last saw
//! (under the graph's mutex) that it could not take the lock, Y was already
//! in the graph: a writer that waits for a holder that cannot release keeps
//! the lock closed to new readers. A waiting reader sees again every
//! [`RECHECK`], so a cycle through such an edge that another thread closed
//! first is found by the reader within about that long.
//!
//! Waits for the framework's [`Mutex`](super::Mutex) and
//! [`RwLock`](super::RwLock) are not in the graph: recording their holders
//! would cost their uncontended path a store and a thread-local read.

use std::cell::{RefCell, UnsafeCell};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use parking_lot::lock_api::{RawRwLock as _, RawRwLockTimed as _};
use parking_lot::{Mutex, RawRwLock};
use pyo3_ft_runtime::thread_id;

use crate::err::PyResult;
use crate::exceptions::PyRuntimeError;
use crate::python::Python;

/// How often a waiting reader checks the graph again (see the module docs).
const RECHECK: Duration = Duration::from_millis(10);

/// Which way a lock is wanted.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Shared,
    Exclusive,
}

/// The exclusive holder of one object's lock, recorded in the object.
pub(crate) struct Owner {
    /// The holder's [`thread_id::unique`], or 0 while no thread holds the
    /// lock exclusively.
    thread: AtomicU64,
    /// The method that holds the lock exclusively. Written only by the
    /// holder, while it holds the lock and before it publishes itself in
    /// `thread`; read by the holder, or under the graph's mutex while the
    /// holder is in the graph (see [`Graph::exclusive_holder`]).
    method: UnsafeCell<&'static str>,
}

// SAFETY: `method` is written only by the thread holding the lock
// exclusively, and read by that thread or while that thread is in the graph
// and so cannot write it (see the field); `thread` is atomic.
unsafe impl Sync for Owner {}

impl Owner {
    /// No holder.
    pub(crate) const fn new() -> Self {
        Owner {
            thread: AtomicU64::new(0),
            method: UnsafeCell::new(""),
        }
    }

    /// Records this thread, which has just taken the lock exclusively, as
    /// its holder in `method`.
    #[inline]
    pub(crate) fn set(&self, method: &'static str) {
        // SAFETY: this thread holds the lock exclusively, so no other thread
        // writes `method`; none reads it either: that needs `thread` to name
        // a thread in the graph, and it names none until the store below
        // (the previous holder cleared it before releasing).
        unsafe { *self.method.get() = method };
        self.thread.store(thread_id::unique(), Ordering::Relaxed);
    }

    /// Clears the record; the holder calls it just before releasing.
    #[inline]
    pub(crate) fn clear(&self) {
        self.thread.store(0, Ordering::Relaxed);
    }

    /// The method holding the lock exclusively, if this thread holds it.
    #[inline]
    pub(crate) fn held_here(&self) -> Option<&'static str> {
        let holder = self.thread.load(Ordering::Relaxed);
        // Without an exclusive holder (the uncontended shared borrow) this
        // skips the thread-local identity.
        if holder == 0 || holder != thread_id::unique() {
            return None;
        }
        // SAFETY: this thread is the holder, the only thread that writes.
        Some(unsafe { *self.method.get() })
    }

    /// The lock's identity in the shared holds and the graph.
    fn key(&self) -> usize {
        std::ptr::from_ref(self) as usize
    }
}

/// One shared hold of a thread.
#[derive(Clone, Copy)]
struct Hold {
    lock: usize,
    method: &'static str,
}

thread_local! {
    /// The locks this thread holds shared (the exclusive holds are in the
    /// objects' [`Owner`]s).
    static SHARED: RefCell<Vec<Hold>> = const { RefCell::new(Vec::new()) };
}

/// The method in which this thread holds `owner`'s lock shared, if it does.
pub(crate) fn held_shared_here(owner: &Owner) -> Option<&'static str> {
    let lock = owner.key();
    SHARED.with_borrow(|held| held.iter().find(|h| h.lock == lock).map(|h| h.method))
}

/// Records that this thread holds `owner`'s lock shared in `method`, until
/// the returned token drops.
pub(crate) fn hold_shared(owner: &Owner, method: &'static str) -> SharedHold {
    let lock = owner.key();
    SHARED.with_borrow_mut(|held| held.push(Hold { lock, method }));
    SharedHold { lock }
}

/// Removes its record of a shared hold when dropped.
pub(crate) struct SharedHold {
    lock: usize,
}

impl Drop for SharedHold {
    fn drop(&mut self) {
        SHARED.with_borrow_mut(|held| {
            if let Some(i) = held.iter().rposition(|h| h.lock == self.lock) {
                held.remove(i);
            }
        });
    }
}

/// What a thread is about to wait for.
#[derive(Clone, Copy)]
pub(crate) struct Want {
    owner: *const Owner,
    mode: Mode,
    /// The object's class, for messages.
    class: &'static str,
    /// The waiting method (`Class.method`; empty for a borrow from Rust).
    method: &'static str,
}

// SAFETY: `owner` is dereferenced only by the waiting thread itself, or
// under the graph's mutex while that thread is in the graph; it keeps the
// object alive (it is borrowing it) until it has left.
unsafe impl Send for Want {}

impl Want {
    pub(crate) fn new(
        owner: &Owner,
        mode: Mode,
        class: &'static str,
        method: &'static str,
    ) -> Self {
        Want {
            owner,
            mode,
            class,
            method,
        }
    }
}

/// Waits, detached, for `raw` in `want`'s mode, after its fast path failed.
///
/// # Errors
/// `RuntimeError` naming the cycle if the wait would close one; the lock
/// is not taken then.
pub(crate) fn wait(py: Python<'_>, raw: &RawRwLock, want: Want) -> PyResult<()> {
    py.detach(move || wait_detached(raw, want))
        .map_err(PyRuntimeError::new_err)
}

fn wait_detached(raw: &RawRwLock, want: Want) -> Result<(), String> {
    let Some(entry) = Entry::join(raw, want)? else {
        return Ok(());
    };
    match want.mode {
        Mode::Exclusive => {
            raw.lock_exclusive();
            Ok(())
        }
        Mode::Shared => entry.wait_shared(raw),
    }
}

fn try_lock(raw: &RawRwLock, mode: Mode) -> bool {
    match mode {
        Mode::Shared => raw.try_lock_shared(),
        Mode::Exclusive => raw.try_lock_exclusive(),
    }
}

/// This thread's place in the graph; it leaves when this drops.
struct Entry {
    thread: u64,
}

impl Entry {
    /// Joins the graph, unless the lock can be taken right now (`None`:
    /// taken) or the wait would close a cycle (the error).
    fn join(raw: &RawRwLock, want: Want) -> Result<Option<Entry>, String> {
        let mut graph = GRAPH.lock();
        if try_lock(raw, want.mode) {
            return Ok(None);
        }
        let thread = thread_id::unique();
        let now = graph.tick();
        let holds = SHARED.with_borrow(Vec::clone);
        graph.waiters.push(Waiter {
            thread,
            joined: now,
            checked: now,
            want,
            holds,
        });
        if let Some(cycle) = graph.cycle_from(thread) {
            graph.leave(thread);
            return Err(cycle);
        }
        Ok(Some(Entry { thread }))
    }

    /// Waits for a shared lock, checking the graph again every [`RECHECK`].
    fn wait_shared(&self, raw: &RawRwLock) -> Result<(), String> {
        while !raw.try_lock_shared_for(RECHECK) {
            let mut graph = GRAPH.lock();
            if raw.try_lock_shared() {
                graph.leave(self.thread);
                return Ok(());
            }
            graph.check(self.thread);
            if let Some(cycle) = graph.cycle_from(self.thread) {
                // At once: no other thread may find this cycle through us.
                graph.leave(self.thread);
                return Err(cycle);
            }
        }
        Ok(())
    }
}

impl Drop for Entry {
    /// Leaves the graph, if this thread has not already.
    fn drop(&mut self) {
        GRAPH.lock().leave(self.thread);
    }
}

/// A thread in the graph.
struct Waiter {
    thread: u64,
    /// When it joined, on the graph's clock.
    joined: u64,
    /// When it last saw, under the graph's mutex, that it could not take
    /// its lock.
    checked: u64,
    want: Want,
    /// The locks it holds shared.
    holds: Vec<Hold>,
}

/// The threads waiting for a `mutable` object's lock right now.
struct Graph {
    waiters: Vec<Waiter>,
    /// Counts joins and checks, to order them.
    clock: u64,
}

static GRAPH: Mutex<Graph> = Mutex::new(Graph {
    waiters: Vec::new(),
    clock: 0,
});

/// How the thread at the end of an edge holds the lock the other one wants.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Held {
    Exclusively,
    Shared,
}

/// `from` waits for a lock that `to` holds (`held`, in `method`).
struct Edge<'g> {
    from: &'g Waiter,
    to: &'g Waiter,
    held: Held,
    method: &'static str,
}

impl Graph {
    fn tick(&mut self) -> u64 {
        self.clock += 1;
        self.clock
    }

    fn leave(&mut self, thread: u64) {
        self.waiters.retain(|w| w.thread != thread);
    }

    /// `thread` has just seen that it still cannot take its lock.
    fn check(&mut self, thread: u64) {
        let now = self.tick();
        if let Some(waiter) = self.waiters.iter_mut().find(|w| w.thread == thread) {
            waiter.checked = now;
        }
    }

    /// The message for a cycle of waits from `start` back to it, if any
    /// (depth first; the graph holds a few threads at most).
    fn cycle_from(&self, start: u64) -> Option<String> {
        let first = self.waiters.iter().find(|w| w.thread == start)?;
        let mut seen = vec![start];
        let mut path: Vec<Edge<'_>> = Vec::new();
        let mut frontier = vec![self.blockers(first).into_iter()];
        while let Some(edges) = frontier.last_mut() {
            let Some(edge) = edges.next() else {
                frontier.pop();
                path.pop();
                continue;
            };
            let next = edge.to;
            path.push(edge);
            if next.thread == start {
                return Some(describe(&path));
            }
            if seen.contains(&next.thread) {
                path.pop();
                continue;
            }
            seen.push(next.thread);
            frontier.push(self.blockers(next).into_iter());
        }
        None
    }

    /// The edges out of `waiter`: the threads in the graph it waits for.
    fn blockers<'g>(&'g self, waiter: &'g Waiter) -> Vec<Edge<'g>> {
        // SAFETY: `waiter` is in the graph, whose mutex the caller holds;
        // it keeps the object alive until it has left (see `Want`).
        let owner = unsafe { &*waiter.want.owner };
        let exclusive = self.exclusive_holder(owner).map(|(to, method)| Edge {
            from: waiter,
            to,
            held: Held::Exclusively,
            method,
        });
        exclusive
            .into_iter()
            .chain(self.shared_holders(waiter, owner.key()))
            .collect()
    }

    /// The thread in the graph that holds `owner`'s lock exclusively, and
    /// the method it holds it in.
    fn exclusive_holder(&self, owner: &Owner) -> Option<(&Waiter, &'static str)> {
        let thread = owner.thread.load(Ordering::Relaxed);
        let holder = self
            .waiters
            .iter()
            .find(|w| thread != 0 && w.thread == thread)?;
        // SAFETY: `holder` is in the graph. It recorded itself (`method`,
        // then `thread`) before joining, which the graph's mutex orders
        // before this read; it releases the lock, and may write `method`
        // again, only after leaving, which needs the mutex we hold.
        Some((holder, unsafe { *owner.method.get() }))
    }

    /// Edges from `waiter` to the threads in the graph that hold its lock
    /// shared, where they block it (see the module docs).
    fn shared_holders<'g>(
        &'g self,
        waiter: &'g Waiter,
        lock: usize,
    ) -> impl Iterator<Item = Edge<'g>> {
        let blocks = move |holder: &Waiter| {
            holder.thread != waiter.thread
                && (waiter.want.mode == Mode::Exclusive || holder.joined < waiter.checked)
        };
        self.waiters
            .iter()
            .filter(move |holder| blocks(holder))
            .filter_map(move |holder| {
                let hold = holder.holds.iter().find(|h| h.lock == lock)?;
                Some(Edge {
                    from: waiter,
                    to: holder,
                    held: Held::Shared,
                    method: hold.method,
                })
            })
    }
}

/// The `RuntimeError` message for `cycle`, from the thread that would
/// close it: what it wants, who holds it and what they wait for, back to
/// what this thread holds.
fn describe(cycle: &[Edge<'_>]) -> String {
    let mut text = String::from("deadlock: ");
    for (i, edge) in cycle.iter().enumerate() {
        let want = &edge.from.want;
        let queued = if want.mode == Mode::Shared && edge.held == Held::Shared {
            " (behind a waiting writer)"
        } else {
            ""
        };
        let how = match edge.held {
            Held::Exclusively => "exclusively",
            Held::Shared => "shared",
        };
        let (class, holder) = (want.class, site(edge.method));
        let a = article(class);
        let _ = if i == 0 {
            write!(text, "{} would wait{queued} for ", site(want.method))
        } else {
            write!(
                text,
                ", which is waiting in {}{queued} for ",
                site(want.method)
            )
        };
        let _ = if i + 1 == cycle.len() {
            write!(text, "{a} {class} that this thread holds {how} in {holder}")
        } else {
            write!(text, "{a} {class} held {how} by {holder} on another thread")
        };
    }
    text
}

/// A method as messages name it.
fn site(method: &'static str) -> String {
    if method.is_empty() {
        "a borrow from Rust".to_owned()
    } else {
        format!("{method}()")
    }
}

fn article(class: &str) -> &'static str {
    match class.chars().next() {
        Some('A' | 'E' | 'I' | 'O' | 'U') => "an",
        _ => "a",
    }
}
