//! `Py_INCREF` / `Py_DECREF`.
//!
//! On free-threaded builds this is the header's biased reference counting,
//! inline: the owning thread (the one whose thread pointer is in `ob_tid`)
//! updates `ob_ref_local` with plain relaxed stores; every other thread adds
//! to `ob_ref_shared` atomically; immortal objects (`ob_ref_local ==
//! u32::MAX`) are never touched. The slow paths are CPython's own
//! `_Py_MergeZeroLocalRefcount` and `_Py_DecRefShared`.
//!
//! The build script sets `cfg(inline_refcount)` for free-threaded builds on
//! x86_64 and aarch64 Linux, the targets where our thread-pointer read is
//! the one CPython's `_Py_ThreadId` does (macOS and Windows read other
//! registers). On GIL builds, and on every other target, the exported
//! `Py_IncRef` / `Py_DecRef` functions do the work, which keeps the crate
//! independent of each version's GIL-build header details.
//!
//! Versions: the free-threaded `Py_INCREF` / `Py_DECREF` of 3.13
//! (`Include/object.h`), 3.14 and 3.15 (`Include/refcount.h`) are the same
//! code (3.14 only adds statistics macros), and so are `_Py_ThreadId`
//! (moved to `Include/cpython/object.h` in 3.15) and the two slow paths'
//! signatures. What changed: the count `Py_REFCNT` reports for an immortal
//! object (`_Py_IMMORTAL_REFCNT` in 3.13, `_Py_IMMORTAL_INITIAL_REFCNT`
//! from 3.14), and the GIL build's header (see `PyObject`). The layout test
//! checks the constants below against each version's headers.

use super::object::PyObject;

extern "C" {
    pub fn Py_IncRef(op: *mut PyObject);
    pub fn Py_DecRef(op: *mut PyObject);
    #[cfg(inline_refcount)]
    fn _Py_MergeZeroLocalRefcount(op: *mut PyObject);
    #[cfg(inline_refcount)]
    fn _Py_DecRefShared(op: *mut PyObject);
}

/// Whether the biased fast path is compiled in.
const INLINE: bool = cfg!(inline_refcount);

// Immortality and the count fields (`Include/object.h` in 3.13,
// `Include/refcount.h` from 3.14; the `ob_flags` bits are in `object.h`
// again in 3.15). 64-bit values: pyo3-ft targets 64-bit platforms.

/// `_Py_IMMORTAL_REFCNT_LOCAL`: `ob_ref_local` of an immortal object.
#[cfg(Py_GIL_DISABLED)]
pub const _Py_IMMORTAL_REFCNT_LOCAL: u32 = u32::MAX;
/// `_Py_REF_SHARED_SHIFT`: `ob_ref_shared` keeps flags in its low bits.
#[cfg(Py_GIL_DISABLED)]
pub const _Py_REF_SHARED_SHIFT: isize = 2;
/// `_Py_IMMORTAL_REFCNT` (3.13): the count of an immortal object; any count
/// whose low 32 bits have their sign bit set reads as immortal.
#[cfg(not(Py_3_14))]
pub const _Py_IMMORTAL_REFCNT: super::object::Py_ssize_t = u32::MAX as isize;
/// `_Py_IMMORTAL_INITIAL_REFCNT` (3.14): the count an object gets when it is
/// made immortal; what `Py_REFCNT` reports for one on free-threaded builds.
#[cfg(Py_3_14)]
pub const _Py_IMMORTAL_INITIAL_REFCNT: u32 = 3 << 30;
/// `_Py_IMMORTAL_FLAGS` (3.14): `ob_flags` bit of an immortal object.
#[cfg(Py_3_14)]
pub const _Py_IMMORTAL_FLAGS: u16 = 1 << 0;
/// `_Py_STATICALLY_ALLOCATED_FLAG` (3.14): `ob_flags` bit of a statically
/// allocated object, set by `PyObject_HEAD_INIT`.
#[cfg(Py_3_14)]
pub const _Py_STATICALLY_ALLOCATED_FLAG: u16 = 1 << 2;

#[cfg(inline_refcount)]
mod biased {
    use std::sync::atomic::{
        AtomicIsize, AtomicU32, AtomicUsize,
        Ordering::{Relaxed, SeqCst},
    };

    use super::{_Py_IMMORTAL_REFCNT_LOCAL, _Py_REF_SHARED_SHIFT, PyObject};
    use crate::thread_id::current as thread_id;

    /// Views of the header's counters as the atomics the header uses.
    ///
    /// # Safety
    /// `op` must point to a live object.
    #[inline(always)]
    unsafe fn fields<'a>(op: *mut PyObject) -> (&'a AtomicU32, &'a AtomicIsize, &'a AtomicUsize) {
        // SAFETY: `op` is live (caller); CPython accesses these header
        // fields only atomically, with these widths and alignments.
        unsafe {
            (
                AtomicU32::from_ptr(std::ptr::addr_of_mut!((*op).ob_ref_local)),
                AtomicIsize::from_ptr(std::ptr::addr_of_mut!((*op).ob_ref_shared)),
                AtomicUsize::from_ptr(std::ptr::addr_of_mut!((*op).ob_tid)),
            )
        }
    }

    /// # Safety
    /// `op` must point to a live object; the thread must be attached.
    #[inline(always)]
    pub unsafe fn incref(op: *mut PyObject) {
        // SAFETY: forwarded from the caller.
        let (local, shared, tid) = unsafe { fields(op) };
        let new_local = local.load(Relaxed).wrapping_add(1);
        if new_local == 0 {
            return; // immortal
        }
        if tid.load(Relaxed) == thread_id() {
            local.store(new_local, Relaxed);
        } else {
            // `_Py_atomic_add_ssize`: sequentially consistent, as in C (the
            // same `lock xadd` as a relaxed add on x86_64).
            shared.fetch_add(1 << _Py_REF_SHARED_SHIFT, SeqCst);
        }
    }

    /// # Safety
    /// `op` must point to a live object whose reference the caller owns;
    /// the thread must be attached.
    #[inline(always)]
    pub unsafe fn decref(op: *mut PyObject) {
        // SAFETY: forwarded from the caller.
        let (local, _, tid) = unsafe { fields(op) };
        let current = local.load(Relaxed);
        if current == _Py_IMMORTAL_REFCNT_LOCAL {
            return;
        }
        if tid.load(Relaxed) == thread_id() {
            let new_local = current - 1;
            local.store(new_local, Relaxed);
            if new_local == 0 {
                // SAFETY: this thread owns the object and its local count
                // just reached zero: CPython's own slow path takes over.
                unsafe { super::_Py_MergeZeroLocalRefcount(op) };
            }
        } else {
            // SAFETY: the caller owns a reference on an attached thread.
            unsafe { super::_Py_DecRefShared(op) };
        }
    }
}

/// `Py_INCREF(op)`.
///
/// # Safety
/// `op` must point to a live object and the calling thread must be attached.
#[inline(always)]
pub unsafe fn Py_INCREF(op: *mut PyObject) {
    // SAFETY: forwarded from the caller.
    #[cfg(inline_refcount)]
    unsafe {
        biased::incref(op)
    };
    // SAFETY: forwarded from the caller.
    #[cfg(not(inline_refcount))]
    unsafe {
        Py_IncRef(op)
    };
}

/// `Py_DECREF(op)`.
///
/// # Safety
/// `op` must point to a live object whose reference the caller owns, and the
/// calling thread must be attached.
#[inline(always)]
pub unsafe fn Py_DECREF(op: *mut PyObject) {
    // SAFETY: forwarded from the caller.
    #[cfg(inline_refcount)]
    unsafe {
        biased::decref(op)
    };
    // SAFETY: forwarded from the caller.
    #[cfg(not(inline_refcount))]
    unsafe {
        Py_DecRef(op)
    };
}

/// `Py_XDECREF(op)`: `Py_DECREF` unless `op` is null.
///
/// # Safety
/// As for [`Py_DECREF`] when `op` is not null.
#[inline(always)]
pub unsafe fn Py_XDECREF(op: *mut PyObject) {
    if !op.is_null() {
        // SAFETY: forwarded from the caller, `op` being non-null.
        unsafe { Py_DECREF(op) };
    }
}

/// `Py_NewRef(op)`: increments and returns `op`.
///
/// # Safety
/// As for [`Py_INCREF`].
#[inline(always)]
pub unsafe fn Py_NewRef(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: forwarded from the caller.
    unsafe { Py_INCREF(op) };
    op
}

/// `Py_REFCNT(op)`: the total reference count, for diagnostics and tests.
///
/// # Safety
/// `op` must point to a live object.
pub unsafe fn Py_REFCNT(op: *mut PyObject) -> isize {
    #[cfg(Py_GIL_DISABLED)]
    {
        use std::sync::atomic::{AtomicIsize, AtomicU32, Ordering::Relaxed};
        // SAFETY: `op` is live (caller); the counters are only accessed
        // atomically, as these types.
        let (local, shared) = unsafe {
            (
                AtomicU32::from_ptr(std::ptr::addr_of_mut!((*op).ob_ref_local)).load(Relaxed),
                AtomicIsize::from_ptr(std::ptr::addr_of_mut!((*op).ob_ref_shared)).load(Relaxed),
            )
        };
        if local == _Py_IMMORTAL_REFCNT_LOCAL {
            #[cfg(Py_3_14)]
            return _Py_IMMORTAL_INITIAL_REFCNT as isize;
            #[cfg(not(Py_3_14))]
            return _Py_IMMORTAL_REFCNT;
        }
        local as isize + (shared >> _Py_REF_SHARED_SHIFT)
    }
    // `ob_refcnt` is 32 bits from 3.14 (the low half of the count).
    #[cfg(not(Py_GIL_DISABLED))]
    #[allow(clippy::unnecessary_cast)]
    // SAFETY: `op` is live (caller).
    unsafe {
        (*op).ob_refcnt as isize
    }
}

/// Makes `op` immortal, as CPython's internal `_Py_SetImmortal` does:
/// untracked by the collector, its reference count never changes again.
/// From 3.14 the object is also flagged for deferred reference counting
/// (`_PyGC_BITS_DEFERRED` in `ob_gc_bits`), as CPython's own immortal
/// objects are (`_PyObject_HEAD_INIT` in `internal/pycore_object.h`).
/// Free-threaded builds only, where it removes reference-count contention
/// on objects every thread touches (pyo3-ft's types, their descriptors and
/// module functions).
///
/// # Safety
/// `op` must be alive, owned by the framework for the rest of the process,
/// and not yet visible to any other thread.
#[cfg(Py_GIL_DISABLED)]
pub unsafe fn _Py_SetImmortal(op: *mut PyObject) {
    use std::sync::atomic::{AtomicIsize, AtomicU32, AtomicUsize, Ordering::Relaxed};
    // SAFETY: `op` is live and seen by no other thread (caller): untracking
    // it and rewriting its counters races with nothing.
    unsafe {
        if super::PyObject_GC_IsTracked(op) != 0 {
            super::PyObject_GC_UnTrack(op.cast());
        }
        AtomicUsize::from_ptr(std::ptr::addr_of_mut!((*op).ob_tid)).store(0, Relaxed);
        AtomicU32::from_ptr(std::ptr::addr_of_mut!((*op).ob_ref_local))
            .store(_Py_IMMORTAL_REFCNT_LOCAL, Relaxed);
        AtomicIsize::from_ptr(std::ptr::addr_of_mut!((*op).ob_ref_shared)).store(0, Relaxed);
        #[cfg(Py_3_14)]
        std::sync::atomic::AtomicU8::from_ptr(std::ptr::addr_of_mut!((*op).ob_gc_bits))
            .fetch_or(_PyGC_BITS_DEFERRED, std::sync::atomic::Ordering::SeqCst);
    }
}

/// `_PyGC_BITS_DEFERRED` (`internal/pycore_gc.h`): the object uses deferred
/// reference counting.
#[cfg(all(Py_GIL_DISABLED, Py_3_14))]
const _PyGC_BITS_DEFERRED: u8 = 1 << 6;

/// Whether references are counted inline (free-threaded build on x86_64 or
/// aarch64 Linux) rather than through `Py_IncRef` / `Py_DecRef`.
pub const fn is_inline() -> bool {
    INLINE
}
