//! Locking several [`Mutex`]es at once without deadlock.
//!
//! Two threads that lock the same two mutexes in opposite orders can each
//! end up holding one and waiting forever for the other. [`lock_all`] and
//! [`lock_all_iter`] always lock in one global order (by address), so
//! callers that use them never deadlock each other, whatever order they
//! list the mutexes in.

use std::error::Error;
use std::fmt;

use parking_lot::lock_api::RawMutex as _;
use parking_lot::RawMutex;

use super::{Mutex, MutexGuard};
use crate::err::PyErr;
use crate::exceptions::PyValueError;
use crate::python::Python;

/// Locks all of `mutexes` in a deadlock-free order and returns their guards
/// in the order given.
///
/// It takes free mutexes while attached and detaches only to wait for a
/// busy one (holding the ones it already has, which the global order makes
/// safe). Guards unlock independently when dropped.
///
/// For Python objects, [`critical_section2`](super::critical_section2)
/// locks two at once; CPython offers no critical section over more. To
/// keep more than two Python objects consistent with each other, store or
/// guard them behind one framework [`Mutex`] instead.
///
/// # Errors
/// [`AliasedLockError`] if the same mutex appears twice (locking it twice
/// would deadlock); nothing is locked then. It converts into a Python
/// `ValueError`.
///
/// ```
/// use pyo3_ft::prelude::*;
/// use pyo3_ft::sync::{lock_all, Mutex};
///
/// let alice = Mutex::new(100);
/// let bob = Mutex::new(0);
/// std::thread::scope(|s| {
///     // Opposite orders on two threads: fine with `lock_all`.
///     s.spawn(|| Python::attach(|py| {
///         let [mut from, mut to] = lock_all(py, [&alice, &bob]).unwrap();
///         *from -= 30;
///         *to += 30;
///     }));
///     s.spawn(|| Python::attach(|py| {
///         let [mut from, mut to] = lock_all(py, [&bob, &alice]).unwrap();
///         *from -= 10;
///         *to += 10;
///     }));
/// });
/// assert_eq!((alice.into_inner(), bob.into_inner()), (80, 20));
/// ```
///
/// Passing one mutex twice is an error, not a deadlock:
///
/// ```
/// use pyo3_ft::prelude::*;
/// use pyo3_ft::sync::{lock_all, Mutex};
///
/// let account = Mutex::new(1);
/// Python::attach(|py| {
///     let err = lock_all(py, [&account, &account]).unwrap_err();
///     assert_eq!(err.positions(), (0, 1));
///     assert!(!account.is_locked());
/// });
/// ```
pub fn lock_all<'a, T: ?Sized, const N: usize>(
    py: Python<'_>,
    mutexes: [&'a Mutex<T>; N],
) -> Result<[MutexGuard<'a, T>; N], AliasedLockError> {
    let mut order: [usize; N] = std::array::from_fn(|i| i);
    lock_in_order(py, &mutexes, &mut order)?;
    // SAFETY: `lock_in_order` locked each mutex once for this thread, and
    // each gets exactly one guard.
    Ok(mutexes.map(|mutex| unsafe { MutexGuard::new(mutex) }))
}

/// [`lock_all`] for a number of mutexes known only at run time; returns the
/// guards in the order given.
///
/// # Errors
/// [`AliasedLockError`] if the same mutex appears twice; nothing is locked
/// then.
///
/// ```
/// use pyo3_ft::prelude::*;
/// use pyo3_ft::sync::{lock_all_iter, Mutex};
///
/// let shards: Vec<Mutex<Vec<u32>>> = (0..8).map(|_| Mutex::default()).collect();
/// Python::attach(|py| {
///     let mut all = lock_all_iter(py, shards.iter().rev())?;
///     for (i, shard) in all.iter_mut().enumerate() {
///         shard.push(i as u32);
///     }
///     Ok::<_, PyErr>(())
/// })?;
/// assert_eq!(shards[0].try_lock().unwrap().as_slice(), [7]);
/// # Ok::<(), PyErr>(())
/// ```
pub fn lock_all_iter<'a, T: ?Sized + 'a>(
    py: Python<'_>,
    mutexes: impl IntoIterator<Item = &'a Mutex<T>>,
) -> Result<Vec<MutexGuard<'a, T>>, AliasedLockError> {
    let mutexes: Vec<&Mutex<T>> = mutexes.into_iter().collect();
    let mut order: Vec<usize> = (0..mutexes.len()).collect();
    lock_in_order(py, &mutexes, &mut order)?;
    let guards = mutexes.into_iter();
    // SAFETY: `lock_in_order` locked each mutex once for this thread, and
    // each gets exactly one guard.
    Ok(guards
        .map(|mutex| unsafe { MutexGuard::new(mutex) })
        .collect())
}

/// Sorts `order` (indices into `mutexes`) by address, rejects duplicates,
/// then locks in that order: attached while each lock is free, detached
/// from the first busy one on.
fn lock_in_order<T: ?Sized>(
    py: Python<'_>,
    mutexes: &[&Mutex<T>],
    order: &mut [usize],
) -> Result<(), AliasedLockError> {
    order.sort_unstable_by_key(|&i| mutexes[i].address());
    check_distinct(mutexes, order)?;
    let free = order
        .iter()
        .take_while(|&&i| mutexes[i].raw().try_lock())
        .count();
    if free < order.len() {
        let rest: Vec<&RawMutex> = order[free..].iter().map(|&i| mutexes[i].raw()).collect();
        wait_detached(py, &rest);
    }
    Ok(())
}

#[cold]
fn wait_detached(py: Python<'_>, rest: &[&RawMutex]) {
    py.detach(|| rest.iter().for_each(|raw| raw.lock()));
}

/// Fails if two neighbours in the sorted `order` are the same mutex.
fn check_distinct<T: ?Sized>(
    mutexes: &[&Mutex<T>],
    order: &[usize],
) -> Result<(), AliasedLockError> {
    match order
        .windows(2)
        .find(|pair| mutexes[pair[0]].address() == mutexes[pair[1]].address())
    {
        Some(pair) => Err(AliasedLockError {
            first: pair[0].min(pair[1]),
            second: pair[0].max(pair[1]),
        }),
        None => Ok(()),
    }
}

/// [`lock_all`] was given the same mutex twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AliasedLockError {
    first: usize,
    second: usize,
}

impl AliasedLockError {
    /// Two positions (in the order given, first the lower) that hold the
    /// same mutex.
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::sync::{lock_all, Mutex};
    ///
    /// let (a, b) = (Mutex::new(()), Mutex::new(()));
    /// let err = Python::attach(|py| lock_all(py, [&a, &b, &a]).map(drop)).unwrap_err();
    /// assert_eq!(err.positions(), (0, 2));
    /// assert_eq!(err.to_string(), "lock_all: positions 0 and 2 are the same mutex, which cannot be locked twice");
    /// ```
    pub fn positions(&self) -> (usize, usize) {
        (self.first, self.second)
    }
}

impl fmt::Display for AliasedLockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "lock_all: positions {} and {} are the same mutex, which cannot be locked twice",
            self.first, self.second
        )
    }
}

impl Error for AliasedLockError {}

/// Becomes a `ValueError`, so that `?` works in functions called from Python.
impl From<AliasedLockError> for PyErr {
    fn from(err: AliasedLockError) -> PyErr {
        PyValueError::new_err(err.to_string())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};

    use super::*;
    use crate::sync::tests::{collect_until, with_watchdog};

    /// Threads lock overlapping sets of mutexes in conflicting orders while
    /// another one stops the world; a deadlock fails the watchdog.
    #[test]
    fn conflicting_orders_do_not_deadlock() {
        let totals = with_watchdog(|| {
            let mutexes: Vec<Mutex<u64>> = (0..4).map(|_| Mutex::new(0)).collect();
            let done = AtomicBool::new(false);
            std::thread::scope(|s| {
                let collector = s.spawn(|| collect_until(&done));
                let mutexes = &mutexes;
                let workers: Vec<_> = (0..4)
                    .map(|shift| s.spawn(move || transfer_round_robin(mutexes, shift, 5_000)))
                    .collect();
                workers.into_iter().for_each(|w| w.join().unwrap());
                done.store(true, Ordering::Relaxed);
                collector.join().unwrap();
            });
            mutexes
                .into_iter()
                .map(Mutex::into_inner)
                .collect::<Vec<_>>()
        });
        assert_eq!(totals.iter().sum::<u64>(), 4 * 5_000 * 3);
    }

    /// Locks three of the four mutexes, listed starting at `shift`, and
    /// adds one to each; every 500th round it also runs Python code while
    /// holding them.
    fn transfer_round_robin(mutexes: &[Mutex<u64>], shift: usize, rounds: usize) {
        Python::attach(|py| {
            for round in 0..rounds {
                let picked = (0..3).map(|k| &mutexes[(shift + 3 * k) % 4]);
                let mut guards = lock_all_iter(py, picked).unwrap();
                guards.iter_mut().for_each(|guard| **guard += 1);
                if round % 500 == 0 {
                    py.eval("sum(range(10))", None, None).unwrap();
                }
            }
        });
    }

    #[test]
    fn guards_come_back_in_the_order_given() {
        let (a, b, c) = (Mutex::new('a'), Mutex::new('b'), Mutex::new('c'));
        Python::attach(|py| {
            let guards = lock_all(py, [&c, &a, &b]).unwrap();
            assert_eq!(guards.map(|g| *g), ['c', 'a', 'b']);
        });
        assert!(!a.is_locked() && !b.is_locked() && !c.is_locked());
    }

    #[test]
    fn duplicates_lock_nothing() {
        let (a, b) = (Mutex::new(0), Mutex::new(0));
        Python::attach(|py| {
            let err = lock_all_iter(py, [&b, &a, &b]).unwrap_err();
            assert_eq!(err.positions(), (0, 2));
            let err: PyErr = err.into();
            assert!(err.is_instance_of::<PyValueError>(py));
        });
        assert!(!a.is_locked() && !b.is_locked());
    }

    #[test]
    fn empty_and_single() {
        let a = Mutex::new(1);
        Python::attach(|py| {
            let [] = lock_all::<u8, 0>(py, []).unwrap();
            let [guard] = lock_all(py, [&a]).unwrap();
            assert_eq!(*guard, 1);
            assert!(lock_all_iter::<u8>(py, []).unwrap().is_empty());
        });
    }
}
