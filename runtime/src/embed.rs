//! Starting and stopping the interpreter of an embedding program (feature
//! `embed`): the protocol around the interpreter's main thread.
//!
//! The interpreter is started once per process, on a dedicated thread
//! named `pyo3-ft-main` that keeps the main thread state for the
//! interpreter's life (see [`thread_state`](crate::thread_state) for why no
//! other thread may own it). That thread initializes — with
//! `Py_InitializeEx(0)` when a thread attaches first ([`start_implicit`]),
//! or from a PEP 587 `PyConfig` built from [`Settings`] ([`start`]) — sends
//! the outcome back to the thread that asked, parks its state, and waits.
//! [`finalize`] wakes it: it re-attaches the main thread state and calls
//! `Py_FinalizeEx`, so finalization runs where CPython expects it, and its
//! `atexit` callbacks (among them [`lifecycle`](crate::lifecycle)'s, which
//! closes the door to attaching) run first.
//!
//! One lock ([`PHASE`]) orders starts, module registrations and the
//! finalization; it is taken only by threads that are not attached.

use std::ffi::{c_char, c_int, CStr, CString, OsString};
use std::fmt;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;
use std::sync::mpsc::{self, Sender};
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::ffi;
use crate::lifecycle::{self, AttachError};

/// Why the interpreter could not be configured, started or finalized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmbedError {
    /// The interpreter has already started: explicitly, implicitly by the
    /// first attach, or by whoever loaded this code. Configuration and
    /// module registration must come before.
    AlreadyStarted,
    /// An earlier start failed; the interpreter cannot be started again in
    /// this process.
    StartFailed,
    /// CPython rejected the configuration (`PyStatus` error): its message,
    /// and the C function that reported it when CPython names one.
    Config {
        /// The failing C function, e.g. `"init_fs_encoding"`.
        function: Option<String>,
        /// CPython's message.
        message: String,
    },
    /// CPython asked to exit the process with this code while starting
    /// (a `PyStatus` exit); pyo3-ft returns it instead of exiting.
    Exit(i32),
    /// A setting CPython cannot take (a NUL byte, a directory that is not
    /// a virtual environment).
    InvalidSetting(String),
    /// `finalize` was called, but this program never started an
    /// interpreter.
    NotStarted,
    /// `finalize` was called on an attached thread: finalization waits for
    /// every attached thread to detach, so it would wait for itself.
    CalledWhileAttached,
    /// The interpreter has been finalized.
    Finalized,
    /// `Py_FinalizeEx` reported an error while flushing buffered data; the
    /// interpreter is finalized all the same.
    FinalizeFlush,
}

impl fmt::Display for EmbedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EmbedError::AlreadyStarted => f.write_str(
                "the Python interpreter has already started; configure it and register \
                 modules before the first attach",
            ),
            EmbedError::StartFailed => f.write_str(
                "an earlier start of the Python interpreter failed; it cannot be started again",
            ),
            EmbedError::Config {
                function: Some(function),
                message,
            } => write!(f, "Python initialization failed: {function}: {message}"),
            EmbedError::Config {
                function: None,
                message,
            } => write!(f, "Python initialization failed: {message}"),
            EmbedError::Exit(code) => {
                write!(f, "Python initialization asked to exit with status {code}")
            }
            EmbedError::InvalidSetting(message) => {
                write!(f, "invalid interpreter setting: {message}")
            }
            EmbedError::NotStarted => {
                f.write_str("this program has not started a Python interpreter")
            }
            EmbedError::CalledWhileAttached => f.write_str(
                "cannot finalize the Python interpreter from an attached thread: \
                 finalization waits for every thread to detach",
            ),
            EmbedError::Finalized => f.write_str("the Python interpreter has been finalized"),
            EmbedError::FinalizeFlush => f.write_str(
                "the Python interpreter finalized, but flushing its buffered data failed",
            ),
        }
    }
}

impl std::error::Error for EmbedError {}

/// What an embedding program sets before the interpreter starts; `None`
/// keeps CPython's default. Applied by [`start`].
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// `PyConfig.program_name`.
    pub program_name: Option<OsString>,
    /// `PyConfig.home`: where the standard library is.
    pub home: Option<OsString>,
    /// A virtual environment: its `bin/python` becomes
    /// `PyConfig.executable`, so that CPython finds its `pyvenv.cfg` and
    /// sets `sys.prefix` and the site-packages as for the venv's python.
    pub venv: Option<PathBuf>,
    /// Prepended to `sys.path` once the interpreter runs, in this order
    /// (made absolute first).
    pub sys_path: Vec<PathBuf>,
    /// `sys.argv`, taken verbatim (`PyConfig.parse_argv` is 0).
    pub argv: Vec<OsString>,
    /// `PyConfig.isolated` (and the pre-configuration's): starts from
    /// `PyConfig_InitIsolatedConfig` when true.
    pub isolated: Option<bool>,
    /// `PyConfig.safe_path`: no script directory or current directory
    /// prepended to `sys.path`.
    pub safe_path: Option<bool>,
    /// `PyPreConfig.utf8_mode` (PEP 540).
    pub utf8_mode: Option<bool>,
    /// `PyConfig.use_environment`: false ignores every `PYTHON*`
    /// environment variable.
    pub use_environment: Option<bool>,
}

/// Where the process's interpreter is in its life.
enum Phase {
    NotStarted,
    /// Started; finalizing means sending a reply channel to the main thread.
    Running(Sender<Sender<Result<(), EmbedError>>>),
    Failed,
    Finalized,
}

static PHASE: Mutex<Phase> = Mutex::new(Phase::NotStarted);

fn phase() -> MutexGuard<'static, Phase> {
    // The phase is a plain value: a panic while it was locked leaves a
    // consistent one.
    PHASE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Whether CPython runs in this process already.
fn is_initialized() -> bool {
    // SAFETY: `Py_IsInitialized` may be called at any time.
    unsafe { ffi::Py_IsInitialized() != 0 }
}

/// Registers a built-in module `name`, importable once the interpreter
/// starts (`PyImport_AppendInittab`).
///
/// # Errors
/// [`EmbedError::AlreadyStarted`] (or the phase's own error) once the
/// interpreter has started.
///
/// # Safety
/// `init` must be a module initialization function as CPython's import
/// machinery calls it: a `#[pymodule]`'s `PyInit_` function.
pub unsafe fn append_inittab(name: &'static CStr, init: ffi::PyInitFunc) -> Result<(), EmbedError> {
    let phase = phase();
    not_started(&phase)?;
    // SAFETY: the interpreter has not started (checked under the lock that
    // every start takes), `name` lives forever and `init` is a module
    // initialization function (the caller's contract).
    let status = unsafe { ffi::PyImport_AppendInittab(name.as_ptr(), Some(init)) };
    if status != 0 {
        return Err(EmbedError::Config {
            function: Some("PyImport_AppendInittab".to_owned()),
            message: "out of memory".to_owned(),
        });
    }
    Ok(())
}

/// `Ok` while nothing has started the interpreter, else the error saying
/// what did.
fn not_started(phase: &Phase) -> Result<(), EmbedError> {
    match phase {
        Phase::NotStarted if !is_initialized() => Ok(()),
        Phase::NotStarted | Phase::Running(_) => Err(EmbedError::AlreadyStarted),
        Phase::Failed => Err(EmbedError::StartFailed),
        Phase::Finalized => Err(EmbedError::Finalized),
    }
}

/// Starts the interpreter with `settings`, on its main thread, and returns
/// once it runs (no thread attached).
///
/// # Errors
/// [`EmbedError::AlreadyStarted`] if it has started, [`EmbedError::Config`]
/// or [`EmbedError::Exit`] with CPython's status, or
/// [`EmbedError::InvalidSetting`] (checked before CPython sees anything:
/// the interpreter can still be started). After a failure reported by
/// CPython, the interpreter stays down: attaching fails with
/// [`AttachError::StartFailed`].
pub fn start(settings: Settings) -> Result<(), EmbedError> {
    let mut phase = phase();
    not_started(&phase)?;
    let prepared = Prepared::new(&settings)?;
    match launch(Some(prepared)) {
        Ok(main) => {
            *phase = Phase::Running(main);
            Ok(())
        }
        Err(err) => {
            *phase = Phase::Failed;
            Err(err)
        }
    }
}

/// Starts the interpreter with CPython's defaults (`Py_InitializeEx(0)`)
/// unless it runs; called by the first attach of an embedding program.
pub(crate) fn start_implicit() -> Result<(), AttachError> {
    let mut phase = phase();
    match *phase {
        Phase::NotStarted if !is_initialized() => {
            let main = launch(None).unwrap_or_else(|err| panic!("{err}"));
            *phase = Phase::Running(main);
            Ok(())
        }
        Phase::NotStarted | Phase::Running(_) => Ok(()),
        Phase::Failed => Err(AttachError::StartFailed),
        Phase::Finalized => Err(AttachError::Finalizing),
    }
}

/// Finalizes the interpreter on its main thread (`Py_FinalizeEx`).
///
/// # Errors
/// [`EmbedError::CalledWhileAttached`] on an attached thread,
/// [`EmbedError::NotStarted`] / [`EmbedError::StartFailed`] /
/// [`EmbedError::Finalized`] when there is nothing to finalize,
/// [`EmbedError::FinalizeFlush`] if finalization could not flush buffers.
pub fn finalize() -> Result<(), EmbedError> {
    if crate::thread_state::is_attached() {
        return Err(EmbedError::CalledWhileAttached);
    }
    let mut phase = phase();
    let main = match &*phase {
        Phase::Running(main) => main,
        Phase::NotStarted => return Err(EmbedError::NotStarted),
        Phase::Failed => return Err(EmbedError::StartFailed),
        Phase::Finalized => return Err(EmbedError::Finalized),
    };
    let (reply, outcome) = mpsc::channel();
    main.send(reply)
        .expect("the interpreter's main thread is waiting for the finalization request");
    let outcome = outcome
        .recv()
        .expect("the interpreter's main thread died while finalizing");
    *phase = Phase::Finalized;
    outcome
}

/// Spawns the interpreter's main thread, which initializes the interpreter
/// and then waits for [`finalize`]; returns the channel to that thread.
fn launch(
    settings: Option<Prepared>,
) -> Result<Sender<Sender<Result<(), EmbedError>>>, EmbedError> {
    let (started, outcome) = mpsc::channel();
    let (request, requests) = mpsc::channel::<Sender<Result<(), EmbedError>>>();
    std::thread::Builder::new()
        .name("pyo3-ft-main".to_owned())
        .spawn(move || {
            let initialized = match &settings {
                None => {
                    // SAFETY: nothing initialized the interpreter (checked
                    // under the phase lock, held by the launching thread).
                    unsafe { ffi::Py_InitializeEx(0) };
                    Ok(())
                }
                // SAFETY: as above.
                Some(settings) => unsafe { initialize_from(settings) },
            };
            if let Err(err) = initialized {
                let _ = started.send(Err(err));
                return;
            }
            // SAFETY: initialization left the main thread state attached
            // to this thread; the door's callback is registered while
            // attached, then the state is parked until finalization.
            let tstate = unsafe {
                lifecycle::watch();
                let prepended = match &settings {
                    Some(settings) => prepend_sys_path(&settings.sys_path),
                    None => Ok(()),
                };
                let tstate = ffi::PyEval_SaveThread();
                let _ = started.send(prepended);
                tstate
            };
            // The sender lives in `PHASE` for good unless finalization is
            // requested, so this waits for the request or forever.
            if let Ok(reply) = requests.recv() {
                // SAFETY: `tstate` is the main thread state this thread
                // parked; finalization runs on it, then it is gone.
                let status = unsafe {
                    ffi::PyEval_RestoreThread(tstate);
                    ffi::Py_FinalizeEx()
                };
                let _ = reply.send(if status == 0 {
                    Ok(())
                } else {
                    Err(EmbedError::FinalizeFlush)
                });
            }
        })
        .expect("cannot spawn the interpreter's main thread");
    outcome
        .recv()
        .expect("the interpreter's main thread died while initializing it")?;
    Ok(request)
}

/// A `PyConfig` cleared when dropped.
struct Config(ffi::PyConfig);

impl Drop for Config {
    fn drop(&mut self) {
        // SAFETY: initialized by `PyConfig_Init*Config`, cleared once.
        unsafe { ffi::PyConfig_Clear(&mut self.0) };
    }
}

/// `Ok` unless `status` is an error or an exit.
fn check(status: ffi::PyStatus) -> Result<(), EmbedError> {
    // SAFETY: `PyStatus_*` read the status by value.
    if unsafe { ffi::PyStatus_Exception(status) } == 0 {
        return Ok(());
    }
    // SAFETY: as above.
    if unsafe { ffi::PyStatus_IsExit(status) } != 0 {
        return Err(EmbedError::Exit(status.exitcode));
    }
    let text = |ptr: *const c_char| {
        if ptr.is_null() {
            return None;
        }
        // SAFETY: non-null `func` and `err_msg` point at NUL-terminated
        // static strings (CPython builds statuses from literals).
        let text = unsafe { CStr::from_ptr(ptr) };
        Some(text.to_string_lossy().into_owned())
    };
    Err(EmbedError::Config {
        function: text(status.func),
        message: text(status.err_msg).unwrap_or_else(|| "unknown error".to_owned()),
    })
}

/// `value` as a C string, or the error naming `what`.
fn c_string(what: &str, value: &std::ffi::OsStr) -> Result<CString, EmbedError> {
    CString::new(value.as_bytes())
        .map_err(|_| EmbedError::InvalidSetting(format!("{what} {value:?} contains a NUL byte")))
}

fn flag(value: bool) -> c_int {
    c_int::from(value)
}

/// [`Settings`] checked and converted for CPython, on the thread that
/// asked, before the interpreter's main thread touches CPython.
struct Prepared {
    program_name: Option<CString>,
    home: Option<CString>,
    executable: Option<CString>,
    argv: Vec<CString>,
    sys_path: Vec<String>,
    isolated: Option<bool>,
    safe_path: Option<bool>,
    utf8_mode: Option<bool>,
    use_environment: Option<bool>,
}

impl Prepared {
    fn new(settings: &Settings) -> Result<Self, EmbedError> {
        let optional = |what: &str, value: &Option<OsString>| {
            value.as_deref().map(|v| c_string(what, v)).transpose()
        };
        Ok(Prepared {
            program_name: optional("program name", &settings.program_name)?,
            home: optional("home", &settings.home)?,
            executable: settings.venv.as_deref().map(venv_python).transpose()?,
            argv: settings
                .argv
                .iter()
                .map(|arg| c_string("argument", arg))
                .collect::<Result<_, _>>()?,
            sys_path: settings
                .sys_path
                .iter()
                .map(|entry| sys_path_entry(entry))
                .collect::<Result<_, _>>()?,
            isolated: settings.isolated,
            safe_path: settings.safe_path,
            utf8_mode: settings.utf8_mode,
            use_environment: settings.use_environment,
        })
    }
}

/// `entry`, absolute, as a `str` for `sys.path`.
fn sys_path_entry(entry: &std::path::Path) -> Result<String, EmbedError> {
    let absolute = std::path::absolute(entry).map_err(|e| {
        EmbedError::InvalidSetting(format!("sys.path entry {}: {e}", entry.display()))
    })?;
    absolute.into_os_string().into_string().map_err(|entry| {
        EmbedError::InvalidSetting(format!("sys.path entry {entry:?} is not valid UTF-8"))
    })
}

/// Pre-initializes and initializes the interpreter from `settings`,
/// leaving the main thread state attached to the calling thread.
///
/// # Safety
/// Nothing may have initialized (or pre-initialized) the interpreter.
unsafe fn initialize_from(settings: &Prepared) -> Result<(), EmbedError> {
    let isolated = settings.isolated == Some(true);
    let mut pre = std::mem::MaybeUninit::<ffi::PyPreConfig>::uninit();
    // SAFETY: the `Init` functions fill the whole struct; the interpreter
    // is not pre-initialized yet (the caller's contract).
    let pre = unsafe {
        if isolated {
            ffi::PyPreConfig_InitIsolatedConfig(pre.as_mut_ptr());
        } else {
            ffi::PyPreConfig_InitPythonConfig(pre.as_mut_ptr());
        }
        let mut pre = pre.assume_init();
        pre.parse_argv = 0;
        if let Some(utf8) = settings.utf8_mode {
            pre.utf8_mode = flag(utf8);
        }
        if let Some(env) = settings.use_environment {
            pre.use_environment = flag(env);
        }
        pre
    };
    // SAFETY: a fully initialized pre-configuration.
    check(unsafe { ffi::Py_PreInitialize(&pre) })?;

    let mut config = std::mem::MaybeUninit::<ffi::PyConfig>::uninit();
    // SAFETY: the `Init` functions fill the whole struct, which is
    // cleared when `config` drops.
    let mut config = Config(unsafe {
        if isolated {
            ffi::PyConfig_InitIsolatedConfig(config.as_mut_ptr());
        } else {
            ffi::PyConfig_InitPythonConfig(config.as_mut_ptr());
        }
        config.assume_init()
    });
    let c = &mut config.0;
    c.parse_argv = 0;
    c.install_signal_handlers = 0;
    if let Some(isolated) = settings.isolated {
        c.isolated = flag(isolated);
    }
    if let Some(safe_path) = settings.safe_path {
        c.safe_path = flag(safe_path);
    }
    if let Some(env) = settings.use_environment {
        c.use_environment = flag(env);
    }
    let strings = [
        (
            &settings.program_name,
            std::ptr::addr_of_mut!(c.program_name),
        ),
        (&settings.home, std::ptr::addr_of_mut!(c.home)),
        (&settings.executable, std::ptr::addr_of_mut!(c.executable)),
    ];
    for (value, field) in strings {
        if let Some(value) = value {
            // SAFETY: `field` is a string field of `c`; CPython decodes
            // the bytes with the pre-configured locale encoding and stores
            // a copy it owns.
            check(unsafe { ffi::PyConfig_SetBytesString(c, field, value.as_ptr()) })?;
        }
    }
    if !settings.argv.is_empty() {
        let pointers: Vec<*mut c_char> = settings
            .argv
            .iter()
            .map(|arg| arg.as_ptr().cast_mut())
            .collect();
        // SAFETY: `pointers` holds `argv.len()` NUL-terminated strings that
        // outlive the call; CPython copies them and does not write them.
        check(unsafe {
            ffi::PyConfig_SetBytesArgv(c, pointers.len() as isize, pointers.as_ptr())
        })?;
    }
    // SAFETY: a fully initialized configuration; nothing initialized the
    // interpreter (the caller's contract).
    check(unsafe { ffi::Py_InitializeFromConfig(c) })
}

/// The python of the virtual environment `venv`, absolute, as a C string.
fn venv_python(venv: &std::path::Path) -> Result<CString, EmbedError> {
    let venv = std::path::absolute(venv).map_err(|e| {
        EmbedError::InvalidSetting(format!("virtual environment {}: {e}", venv.display()))
    })?;
    let python = venv.join("bin").join("python");
    if !venv.join("pyvenv.cfg").is_file() || !python.exists() {
        return Err(EmbedError::InvalidSetting(format!(
            "{} is not a virtual environment (no pyvenv.cfg and bin/python)",
            venv.display()
        )));
    }
    c_string("virtual environment", python.as_os_str())
}

/// Prepends `entries` to `sys.path`, in order.
///
/// # Safety
/// The current thread must be attached.
unsafe fn prepend_sys_path(entries: &[String]) -> Result<(), EmbedError> {
    for (index, text) in entries.iter().enumerate() {
        // SAFETY: attached (the caller's contract); each call returns a new
        // reference or null with an exception set, and every non-null one
        // is released once.
        let inserted = unsafe {
            let sys = ffi::PyImport_ImportModule(c"sys".as_ptr());
            let path = if sys.is_null() {
                std::ptr::null_mut()
            } else {
                ffi::PyObject_GetAttrString(sys, c"path".as_ptr())
            };
            let item = ffi::PyUnicode_FromStringAndSize(text.as_ptr().cast(), text.len() as isize);
            let status = if path.is_null() || item.is_null() {
                -1
            } else {
                ffi::PyList_Insert(path, index as isize, item)
            };
            ffi::Py_XDECREF(item);
            ffi::Py_XDECREF(path);
            ffi::Py_XDECREF(sys);
            if status != 0 {
                ffi::PyErr_Clear();
            }
            status == 0
        };
        if !inserted {
            return Err(EmbedError::InvalidSetting(format!(
                "cannot put {text} on sys.path"
            )));
        }
    }
    Ok(())
}
