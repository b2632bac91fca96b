//! CPython's per-object critical sections, for consistent operations on
//! Python containers.
//!
//! A critical section locks the object's own mutex, the one CPython's
//! builtin containers use internally, so the closure sees the container
//! unchanged by other threads. CPython suspends a critical section whenever
//! the thread blocks (on another critical section, or detaching), so it is
//! not a Rust `Mutex`: it cannot hand out `&mut` and must not be relied on
//! across calls that may block. On GIL builds the GIL plays this role and
//! these functions just call `f`.

use crate::instance::Bound;

/// Runs `f` inside a critical section on `object`.
///
/// Use it to read a container consistently with the C API, e.g. several
/// items of a list that another thread may change. On 3.13, a critical
/// section on the same object entered *inside* `f` (CPython's own
/// `list.append`, `dict.__setitem__` and friends enter one) suspends the
/// outer one, so a check-then-act sequence made of such calls is not atomic;
/// guard those with a [`Mutex`](crate::sync::Mutex) instead. CPython 3.14
/// keeps the outer section held.
///
/// ```
/// use pyo3_ft::prelude::*;
/// use pyo3_ft::sync::critical_section;
/// use pyo3_ft::types::PyList;
///
/// Python::attach(|py| {
///     let list = PyList::new(py, [1, 2, 3])?;
///     // The length and the items are read under one lock: no other thread
///     // can shrink the list in between.
///     let (first, last) = critical_section(&list, || -> PyResult<_> {
///         let last = list.len() - 1;
///         Ok((list.get_item(0)?.extract::<i64>()?, list.get_item(last)?.extract::<i64>()?))
///     })?;
///     assert_eq!((first, last), (1, 3));
///     Ok::<_, PyErr>(())
/// })?;
/// # Ok::<(), PyErr>(())
/// ```
pub fn critical_section<T, R>(object: &Bound<'_, T>, f: impl FnOnce() -> R) -> R {
    #[cfg(Py_GIL_DISABLED)]
    {
        use pyo3_ft_runtime::ffi;

        struct End(ffi::PyCriticalSection);
        impl Drop for End {
            fn drop(&mut self) {
                // SAFETY: begun below on this thread, ended exactly once.
                unsafe { ffi::PyCriticalSection_End(&mut self.0) }
            }
        }
        let mut section = End(ffi::PyCriticalSection {
            _cs_prev: 0,
            _cs_mutex: std::ptr::null_mut(),
        });
        // SAFETY: `object` is alive and the thread attached; the section
        // stays at this address until `End` drops it.
        unsafe { ffi::PyCriticalSection_Begin(&mut section.0, object.as_ptr()) };
        f()
    }
    #[cfg(not(Py_GIL_DISABLED))]
    {
        let _ = object;
        f()
    }
}

/// Runs `f` inside a critical section on two objects at once, locked in a
/// deadlock-free order (the same object twice is fine).
pub fn critical_section2<A, B, R>(a: &Bound<'_, A>, b: &Bound<'_, B>, f: impl FnOnce() -> R) -> R {
    #[cfg(Py_GIL_DISABLED)]
    {
        use pyo3_ft_runtime::ffi;

        struct End(ffi::PyCriticalSection2);
        impl Drop for End {
            fn drop(&mut self) {
                // SAFETY: begun below on this thread, ended exactly once.
                unsafe { ffi::PyCriticalSection2_End(&mut self.0) }
            }
        }
        let mut section = End(ffi::PyCriticalSection2 {
            _cs_base: ffi::PyCriticalSection {
                _cs_prev: 0,
                _cs_mutex: std::ptr::null_mut(),
            },
            _cs_mutex2: std::ptr::null_mut(),
        });
        // SAFETY: both objects are alive and the thread attached; the
        // section stays at this address until `End` drops it.
        unsafe { ffi::PyCriticalSection2_Begin(&mut section.0, a.as_ptr(), b.as_ptr()) };
        f()
    }
    #[cfg(not(Py_GIL_DISABLED))]
    {
        let _ = (a, b);
        f()
    }
}
