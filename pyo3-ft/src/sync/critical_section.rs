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
/// ```
/// use pyo3_ft::prelude::*;
/// use pyo3_ft::sync::critical_section;
/// use pyo3_ft::types::PyList;
///
/// Python::attach(|py| {
///     let list = PyList::new(py, [1, 2, 3])?;
///     // No other thread can change the list between `len` and `append`.
///     critical_section(&list, || list.append(list.len()))?;
///     assert_eq!(list.len(), 4);
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
