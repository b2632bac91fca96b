//! [`PyOnceLock`]: a value initialized once, by code that may run Python.

use std::convert::Infallible;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use super::Mutex;
use crate::err::PyResult;
use crate::instance::{Bound, Py};
use crate::python::Python;
use crate::types::PyAny;

/// A cell written once, by an initializer that may call Python, and read
/// without locking ever after.
///
/// The initializer runs attached. While it runs, other threads that need
/// the value wait for it **detached**, so the initializer can run Python
/// code, trigger garbage collection (which stops the world) or, on GIL
/// builds, release and retake the GIL without deadlocking them. It runs at
/// most once successfully: callers that waited get its value. If it panics
/// or fails, the cell stays empty and the next caller runs its own.
///
/// Typical uses are module-level caches of imported objects and types:
///
/// ```
/// use pyo3_ft::prelude::*;
/// use pyo3_ft::sync::PyOnceLock;
///
/// static DECIMAL: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
///
/// fn decimal<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
///     let class = DECIMAL.get_or_try_init(py, || {
///         PyResult::Ok(py.import("decimal")?.getattr("Decimal")?.unbind())
///     })?;
///     class.bind(py).call1((text,))
/// }
///
/// Python::attach(|py| {
///     let sum = decimal(py, "0.1")?.call_method1("__add__", (decimal(py, "0.2")?,))?;
///     assert_eq!(sum.to_string(), "0.3");
///     Ok::<_, PyErr>(())
/// })?;
/// # Ok::<(), PyErr>(())
/// ```
///
/// Every thread that reads the cell shares `&T`, so sharing the cell needs
/// `T: Send + Sync`:
///
/// ```compile_fail,E0277
/// use pyo3_ft::sync::PyOnceLock;
///
/// let shared = PyOnceLock::from(std::cell::Cell::new(0));
/// std::thread::scope(|s| {
///     s.spawn(|| shared.get().map(|cell| cell.get()));
/// });
/// ```
pub struct PyOnceLock<T> {
    value: OnceLock<T>,
    /// Held by the thread running an initializer; others wait on it.
    init: Mutex<()>,
    /// [`thread_token`] of the thread running an initializer, or 0.
    initializer: AtomicUsize,
}

impl<T> PyOnceLock<T> {
    /// An empty cell; usable in a `static`.
    ///
    /// ```
    /// use pyo3_ft::sync::PyOnceLock;
    ///
    /// static CELL: PyOnceLock<u32> = PyOnceLock::new();
    /// assert!(CELL.get().is_none());
    /// ```
    pub const fn new() -> Self {
        PyOnceLock {
            value: OnceLock::new(),
            init: Mutex::new(()),
            initializer: AtomicUsize::new(0),
        }
    }

    /// The value, if the cell is initialized; never waits.
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::sync::PyOnceLock;
    ///
    /// let cell = PyOnceLock::new();
    /// assert_eq!(cell.get(), None);
    /// Python::attach(|py| cell.get_or_init(py, || 12));
    /// assert_eq!(cell.get(), Some(&12));
    /// ```
    pub fn get(&self) -> Option<&T> {
        self.value.get()
    }

    /// The value, running `f` (attached) to compute it if the cell is empty.
    ///
    /// If another thread is running its initializer, this one waits
    /// detached and then returns that value. If `f` panics, the cell stays
    /// empty and the panic continues.
    ///
    /// # Panics
    /// If `f` initializes this same cell (reentrant initialization would
    /// deadlock), and if `f` panics. Initializers of two cells that wait for
    /// each other on two threads deadlock, as with any pair of locks.
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::sync::PyOnceLock;
    ///
    /// static PLATFORM: PyOnceLock<String> = PyOnceLock::new();
    /// Python::attach(|py| {
    ///     let name = PLATFORM.get_or_init(py, || {
    ///         py.eval("__import__('sys').platform", None, None)
    ///             .and_then(|p| p.extract())
    ///             .unwrap_or_default()
    ///     });
    ///     assert!(!name.is_empty());
    /// });
    /// ```
    pub fn get_or_init(&self, py: Python<'_>, f: impl FnOnce() -> T) -> &T {
        match self.get_or_try_init(py, || Ok::<T, Infallible>(f())) {
            Ok(value) => value,
            Err(never) => match never {},
        }
    }

    /// Like [`get_or_init`](PyOnceLock::get_or_init) with a fallible
    /// initializer: an error is returned and leaves the cell empty.
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::sync::PyOnceLock;
    ///
    /// let cell: PyOnceLock<i64> = PyOnceLock::new();
    /// Python::attach(|py| {
    ///     let failed = cell.get_or_try_init(py, || py.eval("1 / 0", None, None)?.extract());
    ///     assert!(failed.is_err());
    ///     assert!(cell.get().is_none());
    ///     let value = cell.get_or_try_init(py, || py.eval("6 * 7", None, None)?.extract())?;
    ///     assert_eq!(*value, 42);
    ///     Ok::<_, PyErr>(())
    /// })?;
    /// # Ok::<(), PyErr>(())
    /// ```
    pub fn get_or_try_init<E>(
        &self,
        py: Python<'_>,
        f: impl FnOnce() -> Result<T, E>,
    ) -> Result<&T, E> {
        match self.value.get() {
            Some(value) => Ok(value),
            None => self.initialize(py, f),
        }
    }

    /// Stores `value` if the cell is empty, waiting (detached) for a
    /// running initializer first; gives `value` back if the cell is full.
    ///
    /// # Panics
    /// If called from this cell's initializer.
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::sync::PyOnceLock;
    ///
    /// let cell = PyOnceLock::new();
    /// Python::attach(|py| {
    ///     assert_eq!(cell.set(py, 1), Ok(()));
    ///     assert_eq!(cell.set(py, 2), Err(2));
    /// });
    /// assert_eq!(cell.get(), Some(&1));
    /// ```
    pub fn set(&self, py: Python<'_>, value: T) -> Result<(), T> {
        let _init = self.lock_init(py, "set");
        self.value.set(value)
    }

    /// A mutable reference to the value, if any; `&mut self` proves no
    /// other thread uses the cell.
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::sync::PyOnceLock;
    ///
    /// let mut cell = PyOnceLock::new();
    /// Python::attach(|py| cell.get_or_init(py, || vec![1]));
    /// cell.get_mut().unwrap().push(2);
    /// assert_eq!(cell.into_inner(), Some(vec![1, 2]));
    /// ```
    pub fn get_mut(&mut self) -> Option<&mut T> {
        self.value.get_mut()
    }

    /// Consumes the cell and returns its value, if any.
    ///
    /// ```
    /// use pyo3_ft::sync::PyOnceLock;
    ///
    /// assert_eq!(PyOnceLock::<u8>::new().into_inner(), None);
    /// ```
    pub fn into_inner(self) -> Option<T> {
        self.value.into_inner()
    }

    #[cold]
    fn initialize<E>(&self, py: Python<'_>, f: impl FnOnce() -> Result<T, E>) -> Result<&T, E> {
        let _init = self.lock_init(py, "get_or_init");
        if let Some(value) = self.value.get() {
            return Ok(value); // another thread initialized it while we waited
        }
        let _running = Running::start(&self.initializer);
        let value = f()?;
        Ok(self.value.get_or_init(|| value))
    }

    /// Takes the initialization lock (detached while waiting), first
    /// checking that this thread is not inside the cell's own initializer.
    #[track_caller]
    fn lock_init(&self, py: Python<'_>, method: &str) -> super::MutexGuard<'_, ()> {
        assert!(
            self.initializer.load(Ordering::Relaxed) != thread_token(),
            "PyOnceLock::{method} was called from the same cell's initializer; \
             reentrant initialization would deadlock"
        );
        self.init.lock(py)
    }
}

impl PyOnceLock<Py<PyAny>> {
    /// `module.attribute` (a class, a function), imported the first time
    /// and kept: the usual way to reach a Python object from a hot path.
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::sync::PyOnceLock;
    ///
    /// static FRACTION: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    ///
    /// Python::attach(|py| {
    ///     let half = FRACTION.import(py, "fractions", "Fraction")?.call1((1, 2))?;
    ///     assert_eq!(half.str()?.to_string(), "1/2");
    ///     Ok::<_, PyErr>(())
    /// })?;
    /// # Ok::<(), PyErr>(())
    /// ```
    pub fn import<'py>(
        &self,
        py: Python<'py>,
        module: &str,
        attribute: &str,
    ) -> PyResult<&Bound<'py, PyAny>> {
        let object = self.get_or_try_init(py, || {
            Ok::<_, crate::PyErr>(py.import(module)?.getattr(attribute)?.unbind())
        })?;
        Ok(object.bind(py))
    }
}

/// Records the current thread as the one running an initializer, until
/// dropped (also when the initializer panics).
struct Running<'a>(&'a AtomicUsize);

impl<'a> Running<'a> {
    fn start(initializer: &'a AtomicUsize) -> Self {
        // Relaxed: the only thread that can find its own token here is the
        // one that stored it, and program order covers that.
        initializer.store(thread_token(), Ordering::Relaxed);
        Running(initializer)
    }
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.store(0, Ordering::Relaxed);
    }
}

/// A nonzero number unique among the threads alive right now: the address
/// of a thread-local.
fn thread_token() -> usize {
    thread_local! {
        static TOKEN: u8 = const { 0 };
    }
    TOKEN.with(|token| std::ptr::from_ref(token) as usize)
}

impl<T> Default for PyOnceLock<T> {
    fn default() -> Self {
        PyOnceLock::new()
    }
}

impl<T> From<T> for PyOnceLock<T> {
    fn from(value: T) -> Self {
        PyOnceLock {
            value: OnceLock::from(value),
            ..PyOnceLock::new()
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for PyOnceLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_tuple("PyOnceLock");
        match self.get() {
            Some(value) => d.field(value),
            None => d.field(&format_args!("<uninit>")),
        };
        d.finish()
    }
}

#[cfg(test)]
mod tests {
    use std::panic::{catch_unwind, AssertUnwindSafe};
    use std::sync::atomic::AtomicUsize;
    use std::sync::Barrier;

    use super::*;
    use crate::instance::Py;
    use crate::sync::tests::{gc_collect, with_watchdog};
    use crate::types::PyAny;

    /// Eight threads race to initialize; the initializer runs Python and,
    /// once the others wait, a stop-the-world collection (which deadlocks
    /// if they wait attached). It must run exactly once and every thread sees its value.
    #[test]
    fn racing_initializers_run_once() {
        const THREADS: usize = 8;
        let (runs, seen) = with_watchdog(|| {
            let cell: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
            let runs = AtomicUsize::new(0);
            let barrier = Barrier::new(THREADS);
            let seen: Vec<i64> = std::thread::scope(|s| {
                let threads: Vec<_> = (0..THREADS)
                    .map(|_| s.spawn(|| race(&cell, &runs, &barrier)))
                    .collect();
                threads.into_iter().map(|t| t.join().unwrap()).collect()
            });
            (runs.into_inner(), seen)
        });
        assert_eq!(runs, 1);
        assert_eq!(seen, [499_500; THREADS]);
    }

    fn race(cell: &PyOnceLock<Py<PyAny>>, runs: &AtomicUsize, barrier: &Barrier) -> i64 {
        barrier.wait();
        Python::attach(|py| {
            let value = cell.get_or_init(py, || {
                runs.fetch_add(1, Ordering::Relaxed);
                // Give the other threads time to queue up, then stop the world.
                py.run("import time; time.sleep(0.05)", None, None).unwrap();
                gc_collect(py);
                py.eval("sum(range(1000))", None, None).unwrap().unbind()
            });
            value.bind(py).extract().unwrap()
        })
    }

    #[test]
    fn panicking_initializer_leaves_it_empty() {
        let cell = PyOnceLock::new();
        Python::attach(|py| {
            let result = catch_unwind(AssertUnwindSafe(|| {
                cell.get_or_init(py, || -> u32 { panic!("initializer failed") })
            }));
            assert!(result.is_err());
            assert_eq!(cell.get(), None);
            assert_eq!(*cell.get_or_init(py, || 7), 7);
            assert_eq!(*cell.get_or_init(py, || unreachable!()), 7);
        });
    }

    #[test]
    fn failing_initializer_leaves_it_empty() {
        let cell = PyOnceLock::new();
        Python::attach(|py| {
            assert_eq!(cell.get_or_try_init(py, || Err("no")), Err("no"));
            assert_eq!(cell.get(), None);
            assert_eq!(cell.get_or_try_init(py, || Ok::<_, ()>(3)), Ok(&3));
        });
    }

    #[test]
    fn reentrant_initialization_panics_instead_of_deadlocking() {
        let cell = PyOnceLock::new();
        Python::attach(|py| {
            let result = catch_unwind(AssertUnwindSafe(|| {
                cell.get_or_init(py, || *cell.get_or_init(py, || 1) + 1)
            }));
            let message = *result.unwrap_err().downcast::<String>().unwrap();
            assert!(message.contains("called from the same cell's initializer"));
            // Not poisoned either: the next caller initializes it.
            assert_eq!(*cell.get_or_init(py, || 5), 5);
        });
    }

    #[test]
    fn debug_shows_value_or_uninit() {
        let cell = PyOnceLock::new();
        assert_eq!(format!("{cell:?}"), "PyOnceLock(<uninit>)");
        Python::attach(|py| cell.set(py, 4).unwrap());
        assert_eq!(format!("{cell:?}"), "PyOnceLock(4)");
        assert_eq!(PyOnceLock::from(4).get(), Some(&4));
    }
}
