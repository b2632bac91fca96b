//! Embedding the interpreter in a Rust program (feature `embed`):
//! configure it, give scripts Rust modules to import, shut it down.
//!
//! Without any of this, the first [`Python::attach`](crate::Python::attach)
//! starts the interpreter with CPython's defaults, and it runs until the
//! process exits. A program that needs more does, before its first attach:
//!
//! 1. [`append_to_inittab!`](crate::append_to_inittab) for each
//!    `#[pymodule]` its scripts import;
//! 2. [`Config`]`::new()...start()` to start the interpreter with its
//!    settings (a virtual environment, `sys.path`, `argv`, isolated mode,
//!    ...), or nothing, to start with the defaults on first attach;
//!
//! and, when it is done with Python, [`finalize`].
//!
//! The interpreter starts once per process, on a dedicated thread that
//! keeps its main thread state; it never starts again after [`finalize`].
//!
//! ```
//! use pyo3_ft::prelude::*;
//!
//! #[pyfunction]
//! fn answer() -> i64 {
//!     42
//! }
//!
//! #[pymodule]
//! fn host(m: &Bound<'_, PyModule>) -> PyResult<()> {
//!     m.add_function(wrap_pyfunction!(answer, m)?)
//! }
//!
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     pyo3_ft::append_to_inittab!(host)?;
//!     pyo3_ft::embed::Config::new()
//!         .argv(["plugin-host", "--verbose"])
//!         .ignore_environment(true)
//!         .start()?;
//!     let answer: i64 = Python::attach(|py| {
//!         py.eval("__import__('host').answer()", None, None)?.extract()
//!     })?;
//!     assert_eq!(answer, 42);
//!     pyo3_ft::embed::finalize()?;
//!     Ok(())
//! }
//! ```

use std::ffi::{CStr, OsString};
use std::path::PathBuf;

use pyo3_ft_runtime::embed::{self, Settings};

pub use pyo3_ft_runtime::embed::EmbedError;

/// The interpreter's settings (CPython's PEP 587 `PyConfig`), applied by
/// [`start`](Config::start). Every setting left alone keeps CPython's
/// default for an embedded interpreter, with two differences: no signal
/// handlers are installed (the host owns signals), and `argv` is taken
/// verbatim, not parsed as Python's command line.
///
/// ```
/// use pyo3_ft::prelude::*;
///
/// pyo3_ft::embed::Config::new()
///     .program_name("my-host")
///     .sys_path("plugins")
///     .isolated(true)
///     .start()?;
/// Python::attach(|py| -> PyResult<()> {
///     let flags = py.import("sys")?.getattr("flags")?;
///     assert_eq!(flags.getattr("isolated")?.extract::<i64>()?, 1);
///     let first: String = py.eval("__import__('sys').path[0]", None, None)?.extract()?;
///     assert!(first.ends_with("/plugins"));
///     Ok(())
/// })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
#[must_use = "the settings apply only when `start` is called"]
pub struct Config {
    settings: Settings,
}

impl Config {
    /// CPython's defaults ("Python configuration").
    pub fn new() -> Self {
        Self::default()
    }

    /// `sys.executable`'s basis when no [`venv`](Config::venv) is given,
    /// and the name in error messages (`PyConfig.program_name`).
    pub fn program_name(mut self, name: impl Into<OsString>) -> Self {
        self.settings.program_name = Some(name.into());
        self
    }

    /// Where the standard library lives (`PyConfig.home`, like
    /// `PYTHONHOME`), for an interpreter installed somewhere other than
    /// where libpython was found. It turns off CPython's own detection of a
    /// virtual environment's `sys.prefix`; prefer [`venv`](Config::venv)
    /// alone for those.
    pub fn home(mut self, home: impl Into<PathBuf>) -> Self {
        self.settings.home = Some(home.into().into_os_string());
        self
    }

    /// Runs as the virtual environment `dir` (made by this interpreter)
    /// would: its `bin/python` becomes `sys.executable`, so CPython reads
    /// its `pyvenv.cfg` and sets `sys.prefix` to `dir` and puts its
    /// site-packages on `sys.path`, exactly as for `dir/bin/python`.
    /// [`start`](Config::start) fails with [`EmbedError::InvalidSetting`]
    /// if `dir` has no `pyvenv.cfg` and `bin/python`.
    pub fn venv(mut self, dir: impl Into<PathBuf>) -> Self {
        self.settings.venv = Some(dir.into());
        self
    }

    /// Puts `dir` (made absolute) at the front of `sys.path`, after the
    /// entries added by earlier calls: `.sys_path("a").sys_path("b")` gives
    /// `["/cwd/a", "/cwd/b", ...]`. Entries must be valid UTF-8.
    pub fn sys_path(mut self, dir: impl Into<PathBuf>) -> Self {
        self.settings.sys_path.push(dir.into());
        self
    }

    /// `sys.argv`, verbatim. CPython's default is `['']`.
    pub fn argv<I>(mut self, args: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<OsString>,
    {
        self.settings.argv = args.into_iter().map(Into::into).collect();
        self
    }

    /// Isolated mode (`-I`): ignores `PYTHON*` environment variables, keeps
    /// the user's site-packages and the script's directory off `sys.path`;
    /// starts from CPython's "isolated configuration".
    pub fn isolated(mut self, isolated: bool) -> Self {
        self.settings.isolated = Some(isolated);
        self
    }

    /// `-P`: no potentially unsafe path (the current directory, a script's
    /// directory) is prepended to `sys.path`.
    pub fn safe_path(mut self, safe_path: bool) -> Self {
        self.settings.safe_path = Some(safe_path);
        self
    }

    /// UTF-8 mode (`-X utf8`, PEP 540): UTF-8 for the file system encoding
    /// and the standard streams, whatever the locale.
    pub fn utf8_mode(mut self, utf8_mode: bool) -> Self {
        self.settings.utf8_mode = Some(utf8_mode);
        self
    }

    /// `-E`: ignores every `PYTHON*` environment variable (`PYTHONPATH`,
    /// `PYTHONHOME`, ...).
    pub fn ignore_environment(mut self, ignore: bool) -> Self {
        self.settings.use_environment = Some(!ignore);
        self
    }

    /// Starts the interpreter with these settings, on its dedicated main
    /// thread, and returns once it runs. Call it before anything attaches.
    ///
    /// # Errors
    /// - [`EmbedError::AlreadyStarted`] if the interpreter has started
    ///   (a second `start`, or a thread attached first);
    /// - [`EmbedError::Config`] with CPython's message, or
    ///   [`EmbedError::Exit`], if CPython refuses the configuration;
    /// - [`EmbedError::InvalidSetting`] for a setting CPython cannot take.
    ///
    /// After a failed start the interpreter stays down for the process:
    /// attaching fails with [`AttachError::StartFailed`](crate::AttachError).
    ///
    /// ```
    /// use pyo3_ft::embed::{Config, EmbedError};
    ///
    /// let missing = Config::new().venv("/nonexistent").start();
    /// assert!(matches!(missing, Err(EmbedError::InvalidSetting(_))));
    /// ```
    pub fn start(self) -> Result<(), EmbedError> {
        embed::start(self.settings)
    }
}

/// Finalizes the interpreter (`Py_FinalizeEx`) on its main thread.
///
/// Python's `atexit` callbacks run first, and with them pyo3-ft closes the
/// door: from then on [`Python::try_attach`](crate::Python::try_attach)
/// returns [`AttachError::Finalizing`](crate::AttachError::Finalizing),
/// [`Python::attach`](crate::Python::attach) panics, and a
/// [`Py`](crate::Py) dropped on a detached thread is left alone (neither
/// freed nor touched; the interpreter has released its memory). Threads
/// that were attached wait, then:
/// - a thread running Rust code while attached holds finalization up
///   until it detaches (finalization stops the world, which waits for it);
/// - a thread running Python code is stopped there and parked by CPython
///   for good: its `attach` call never returns.
///
/// So detach, or finish, your worker threads' Python work first.
///
/// # Errors
/// [`EmbedError::CalledWhileAttached`] on an attached thread (it would wait
/// for itself); [`EmbedError::NotStarted`] if this program never started
/// the interpreter; [`EmbedError::Finalized`] on a second call;
/// [`EmbedError::FinalizeFlush`] if finalization could not flush buffered
/// data (the interpreter is finalized all the same).
///
/// ```
/// use pyo3_ft::prelude::*;
/// use pyo3_ft::embed::{finalize, EmbedError};
///
/// let kept: Py<PyAny> = Python::attach(|py| py.eval("[1, 2]", None, None).map(Bound::unbind))?;
/// finalize()?;
/// assert_eq!(finalize(), Err(EmbedError::Finalized));
/// assert_eq!(Python::try_attach(|_| ()), Err(pyo3_ft::AttachError::Finalizing));
/// drop(kept); // left alone
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn finalize() -> Result<(), EmbedError> {
    embed::finalize()
}

/// What [`append_to_inittab!`](crate::append_to_inittab) expands to.
///
/// # Safety
/// `init` must be the `PyInit_` function `#[pymodule]` generated for the
/// module `name`.
#[doc(hidden)]
pub unsafe fn __append_to_inittab(
    name: &'static CStr,
    init: pyo3_ft_runtime::ffi::PyInitFunc,
) -> Result<(), EmbedError> {
    // SAFETY: the caller's contract.
    unsafe { embed::append_inittab(name, init) }
}
