//! [`Python`]: the proof that the current thread is attached.

use std::ffi::CString;
use std::marker::PhantomData;

pub use pyo3_ft_runtime::lifecycle::AttachError;
use pyo3_ft_runtime::{ffi, thread_state};

use crate::err::{PyErr, PyResult};
use crate::instance::Bound;
use crate::thread_bound::PythonMarker;
use crate::types::{PyAny, PyDict, PyModule, PyString};

/// A token proving that the current thread is attached to the interpreter
/// for the lifetime `'py`.
///
/// It is `Copy` but neither `Send` nor `Sync`: it cannot leave the thread
/// that attached. Get one from [`Python::attach`], or as the `py` argument
/// of a `#[pyfunction]`.
///
/// ```
/// use pyo3_ft::prelude::*;
///
/// let answer: i64 = Python::attach(|py| py.eval("6 * 7", None, None)?.extract())?;
/// assert_eq!(answer, 42);
/// # Ok::<(), PyErr>(())
/// ```
#[derive(Clone, Copy)]
pub struct Python<'py>(PhantomData<&'py ()>, PythonMarker);

/// Values that may cross a [`Python::detach`] boundary: everything that is
/// `Send`. pyo3-ft's attached types (`Python`, `Bound`, `Borrowed`,
/// `PyRef`, lock guards) are not `Send`, so a detached closure cannot
/// capture them, and the compiler says so.
///
/// # What this bound cannot see
///
/// A type that its author declares `Send` for every `T`
/// (`struct Wrapper<T>(T); unsafe impl<T> Send for Wrapper<T> {}`) passes
/// the bound even around a `Bound`. Closing that on stable Rust would need
/// an auto trait with negative impls (`auto trait Ungil`, `impl !Ungil for
/// Python<'_>`), which only nightly Rust has. Such a wrapper is the
/// author's own `unsafe` promise; using a `Bound` through it while detached
/// is undefined behaviour. Rust-level `Send` is also stricter than needed
/// here (the closure runs on the same thread), which is why an `Rc` cannot
/// be captured either.
pub trait Ungil {}
impl<T: Send + ?Sized> Ungil for T {}

/// Runs `f(input)` detached if this thread is attached, as
/// [`Python::detach`] does, for the framework's own waits where no `Python`
/// token is at hand (joins, barriers, blocking receives, `block_on`); on a
/// thread that is not attached it just runs it.
///
/// `f` is a function pointer, so it captures nothing: everything the
/// detached code holds is `input`, and the bound is on `input` itself (a
/// closure around a generic `T: Ungil` would not be `Ungil` to the
/// compiler, which only sees that it holds a `T`).
pub(crate) fn detach_if_attached<T, R>(input: T, f: fn(T) -> R) -> R
where
    T: Ungil,
    R: Ungil,
{
    if thread_state::is_attached() {
        // SAFETY: the thread is attached (checked just above); `f` captures
        // nothing and `Ungil` keeps attached values out of `input` and of
        // the result, as for `Python::detach`.
        unsafe { thread_state::detach(|| f(input)) }
    } else {
        f(input)
    }
}

impl<'py> Python<'py> {
    /// Runs `f` attached to the interpreter, from any thread.
    ///
    /// The first call on a thread gives it a thread state that it keeps until
    /// it exits, so later calls cost tens of nanoseconds. Nested calls only
    /// bump a counter. In a program that embeds Python (feature `embed`),
    /// the first call in the process initializes the interpreter.
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    ///
    /// let handles: Vec<_> = (0..4i64)
    ///     .map(|i| std::thread::spawn(move || Python::attach(|py| i.into_pyobject(py).unwrap().extract::<i64>().unwrap())))
    ///     .collect();
    /// let total: i64 = handles.into_iter().map(|h| h.join().unwrap()).sum();
    /// assert_eq!(total, 6);
    /// ```
    ///
    /// # Panics
    /// If the interpreter is finalizing or has finalized, or if no
    /// interpreter runs in this process and it is not an embedding program
    /// (feature `embed`): [`Python::try_attach`] returns these as errors.
    /// An extension module never starts an interpreter.
    pub fn attach<F, R>(f: F) -> R
    where
        F: for<'a> FnOnce(Python<'a>) -> R,
    {
        let _guard = thread_state::attach();
        // SAFETY: the guard keeps this thread attached while `f` runs.
        f(unsafe { Python::assume_attached() })
    }

    /// Like [`Python::attach`], but reports instead of panicking when the
    /// thread cannot attach.
    ///
    /// Once the interpreter starts finalizing (its `atexit` callbacks run),
    /// every attach from a thread that is not attached already fails with
    /// [`AttachError::Finalizing`], for good; the interpreter is never
    /// started a second time. Threads that serve Python from the
    /// background (worker pools, timers) use it to stop cleanly when the
    /// program exits.
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    ///
    /// let sum = Python::try_attach(|py| py.eval("40 + 2", None, None)?.extract::<i64>());
    /// assert_eq!(sum.unwrap()?, 42);
    /// # Ok::<(), PyErr>(())
    /// ```
    pub fn try_attach<F, R>(f: F) -> Result<R, AttachError>
    where
        F: for<'a> FnOnce(Python<'a>) -> R,
    {
        let _guard = thread_state::try_attach()?;
        // SAFETY: the guard keeps this thread attached while `f` runs.
        Ok(f(unsafe { Python::assume_attached() }))
    }

    /// A token for a thread that is already attached.
    ///
    /// # Safety
    /// The current thread must be attached for all of `'py`.
    #[inline(always)]
    pub unsafe fn assume_attached() -> Python<'py> {
        Python(PhantomData, PhantomData)
    }

    /// Runs `f` with this thread detached, so that other threads can run a
    /// stop-the-world pause (or, on GIL builds, take the GIL) meanwhile. Use
    /// it around blocking calls and long pure-Rust work.
    ///
    /// `f` must be [`Ungil`]: it cannot capture `Python`, `Bound` or other
    /// attached values.
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    ///
    /// Python::attach(|py| {
    ///     let sum: u64 = py.detach(|| (1..=1000u64).sum());
    ///     assert_eq!(sum, 500500);
    /// });
    /// ```
    pub fn detach<F, R>(self, f: F) -> R
    where
        F: Ungil + FnOnce() -> R,
        R: Ungil,
    {
        // SAFETY: `self` proves this thread is attached, and `Ungil` keeps
        // attached values out of `f`.
        unsafe { thread_state::detach(f) }
    }

    /// `None`.
    #[inline]
    pub fn none(self) -> Bound<'py, PyAny> {
        // SAFETY: `None` is immortal and always valid.
        unsafe { Bound::from_borrowed_ptr(self, ffi::Py_None()) }
    }

    /// `None` as a [`Py`], PyO3's spelling (`py.None()`).
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    ///
    /// Python::attach(|py| assert!(py.None().bind(py).is_none()));
    /// ```
    #[allow(non_snake_case)]
    #[inline]
    pub fn None(self) -> crate::instance::Py<PyAny> {
        self.none().unbind()
    }

    /// `True` or `False`.
    #[inline]
    pub fn bool(self, value: bool) -> Bound<'py, PyAny> {
        let ptr = if value {
            ffi::Py_True()
        } else {
            ffi::Py_False()
        };
        // SAFETY: the bool singletons are immortal and always valid.
        unsafe { Bound::from_borrowed_ptr(self, ptr) }
    }

    /// `NotImplemented`.
    #[inline]
    pub fn not_implemented(self) -> Bound<'py, PyAny> {
        // SAFETY: `NotImplemented` is immortal and always valid.
        unsafe { Bound::from_borrowed_ptr(self, ffi::Py_NotImplemented()) }
    }

    /// Imports a module, like `import name`.
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    ///
    /// Python::attach(|py| {
    ///     let math = py.import("math")?;
    ///     let root: f64 = math.getattr("sqrt")?.call1((16.0,))?.extract()?;
    ///     assert_eq!(root, 4.0);
    ///     Ok::<_, PyErr>(())
    /// })?;
    /// # Ok::<(), PyErr>(())
    /// ```
    pub fn import(self, name: &str) -> PyResult<Bound<'py, PyModule>> {
        let name = PyString::new(self, name);
        // SAFETY: `name` is a valid str; the call returns a new reference or
        // null with an exception set.
        unsafe {
            Bound::from_owned_ptr_or_err(self, ffi::PyImport_Import(name.as_ptr()))
                .map(|m| m.downcast_into_unchecked())
        }
    }

    /// Evaluates one expression and returns its value.
    ///
    /// `globals` defaults to a fresh dict holding `__builtins__`; `locals`
    /// defaults to `globals`.
    pub fn eval(
        self,
        code: &str,
        globals: Option<&Bound<'py, PyDict>>,
        locals: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.run_code(code, ffi::Py_eval_input, globals, locals)
    }

    /// Executes statements, like `exec(code, globals, locals)`.
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::types::PyDict;
    ///
    /// Python::attach(|py| {
    ///     let globals = PyDict::new(py);
    ///     py.run("def double(x):\n    return 2 * x\n", Some(&globals), None)?;
    ///     let four: i64 = globals.get_item("double")?.unwrap().call1((2,))?.extract()?;
    ///     assert_eq!(four, 4);
    ///     Ok::<_, PyErr>(())
    /// })?;
    /// # Ok::<(), PyErr>(())
    /// ```
    pub fn run(
        self,
        code: &str,
        globals: Option<&Bound<'py, PyDict>>,
        locals: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<()> {
        self.run_code(code, ffi::Py_file_input, globals, locals)
            .map(drop)
    }

    fn run_code(
        self,
        code: &str,
        start: std::ffi::c_int,
        globals: Option<&Bound<'py, PyDict>>,
        locals: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let source = CString::new(code).map_err(|_| {
            crate::exceptions::PyValueError::new_err("source code string cannot contain null bytes")
        })?;
        let globals = match globals {
            Some(globals) => globals.clone(),
            None => PyDict::new(self),
        };
        if !globals.contains("__builtins__")? {
            globals.set_item("__builtins__", self.import("builtins")?)?;
        }
        let locals = locals.unwrap_or(&globals);
        // SAFETY: all pointers are valid for the calls; each returns a new
        // reference or null with an exception set.
        unsafe {
            let compiled = Bound::from_owned_ptr_or_err(
                self,
                ffi::Py_CompileString(source.as_ptr(), c"<string>".as_ptr(), start),
            )?;
            Bound::from_owned_ptr_or_err(
                self,
                ffi::PyEval_EvalCode(compiled.as_ptr(), globals.as_ptr(), locals.as_ptr()),
            )
        }
    }

    /// Whether the GIL is enabled in this process right now (always true on
    /// GIL builds; on free-threaded builds, true only if some import
    /// re-enabled it).
    pub fn is_gil_enabled(self) -> PyResult<bool> {
        if !pyo3_ft_runtime::build_info::GIL_DISABLED {
            return Ok(true);
        }
        self.import("sys")?
            .call_method0("_is_gil_enabled")?
            .extract()
    }

    /// Fetches the exception currently set, if any (see [`PyErr::take`]).
    pub fn take_error(self) -> Option<PyErr> {
        PyErr::take(self)
    }
}
