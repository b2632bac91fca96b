//! Identifiers of the current thread: [`unique`], never reused, for
//! ownership checks; [`current`], the raw thread pointer, for the
//! reference-count fast path only.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

/// This thread's identity for ownership checks (`unsendable` objects, the
/// exclusive holder of a `mutable` one): never 0, and never reused, not even
/// after the thread exits, so a new thread is never taken for a dead one.
///
/// Numbered from a global counter the first time a thread asks, then cached
/// in a thread-local (one thread-local read; it has no destructor, so it
/// also works while the thread's other thread-locals are being destroyed).
///
/// ```
/// use pyo3_ft_runtime::thread_id::unique;
///
/// let here = unique();
/// assert_eq!(here, unique());
/// let there: Vec<u64> = (0..4)
///     .map(|_| std::thread::spawn(unique).join().unwrap())
///     .collect();
/// // Each thread exited before the next started; none got an old number.
/// for (i, id) in there.iter().enumerate() {
///     assert!(*id != 0 && *id != here && !there[..i].contains(id));
/// }
/// ```
#[inline]
pub fn unique() -> u64 {
    thread_local! {
        static ID: Cell<u64> = const { Cell::new(0) };
    }
    ID.with(|id| match id.get() {
        0 => assign(id),
        assigned => assigned,
    })
}

#[cold]
#[inline(never)]
fn assign(id: &Cell<u64>) -> u64 {
    /// The next number to hand out; 2^64 threads would take ages to start.
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let number = NEXT.fetch_add(1, Ordering::Relaxed);
    id.set(number);
    number
}

/// The thread pointer: unique among the threads running now, but **reused**
/// for a new thread once one exits (the C library recycles thread control
/// blocks), so it must not identify an owner; use [`unique`] for that.
///
/// On x86_64 and aarch64 it is the value free-threaded CPython stores in
/// `ob_tid` as the owner of an object on Linux, which the inline
/// reference-count fast path compares against (one instruction, no
/// thread-local lookup); elsewhere the address of a thread-local.
///
/// ```
/// let here = pyo3_ft_runtime::thread_id::current();
/// let there = std::thread::spawn(pyo3_ft_runtime::thread_id::current).join().unwrap();
/// assert_ne!(here, there);
/// assert_eq!(here, pyo3_ft_runtime::thread_id::current());
/// ```
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub fn current() -> usize {
    let tid: usize;
    // SAFETY: on x86_64 Linux `fs:0` holds the thread control block's own
    // address; reading it has no side effects.
    unsafe {
        std::arch::asm!("mov {}, qword ptr fs:0", out(reg) tid, options(nostack, readonly, preserves_flags));
    }
    tid
}

/// See the x86_64 version.
#[cfg(target_arch = "aarch64")]
#[inline(always)]
pub fn current() -> usize {
    let tid: usize;
    // SAFETY: `tpidr_el0` is the thread pointer register; reading it has no
    // side effects.
    unsafe {
        std::arch::asm!("mrs {}, tpidr_el0", out(reg) tid, options(nomem, nostack, preserves_flags));
    }
    tid
}

/// See the x86_64 version.
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
pub fn current() -> usize {
    thread_local! {
        static MARK: u8 = const { 0 };
    }
    MARK.with(|mark| mark as *const u8 as usize)
}
