//! Plugin scripts on the executor's workers: loading, reloading on change,
//! and interrupting a call that runs past its deadline.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;
use std::time::SystemTime;

use pyo3_ft::exceptions::{PyAttributeError, PyFileNotFoundError, PyOSError};
use pyo3_ft::prelude::*;
use pyo3_ft::sync::{Mutex, PyOnceLock};
use pyo3_ft::types::PyDict;

/// A plugin as this worker loaded it.
struct Loaded {
    modified: SystemTime,
    handle: Py<PyAny>,
}

thread_local! {
    /// This worker's copies of the plugins, by name.
    static LOADED: RefCell<HashMap<String, Loaded>> = RefCell::new(HashMap::new());
}

/// Whether `name` may name a plugin: ASCII letters, digits and `_`.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Calls `handle(body)` of the plugin `name` in `dir`, loading it first on
/// this worker, or again when its file changed.
pub fn call(py: Python<'_>, dir: &Path, name: &str, body: &str) -> PyResult<String> {
    let path = dir.join(format!("{name}.py"));
    let modified = std::fs::metadata(&path)
        .and_then(|meta| meta.modified())
        .map_err(|err| PyFileNotFoundError::new_err(format!("no plugin {name}: {err}")))?;
    let cached = LOADED.with_borrow(|loaded| {
        loaded
            .get(name)
            .filter(|plugin| plugin.modified == modified)
            .map(|plugin| plugin.handle.clone_ref(py))
    });
    let handle = match cached {
        Some(handle) => handle,
        None => {
            let handle = load(py, &path, name)?;
            let plugin = Loaded {
                modified,
                handle: handle.clone_ref(py),
            };
            LOADED.with_borrow_mut(|loaded| loaded.insert(name.to_owned(), plugin));
            handle
        }
    };
    handle.bind(py).call1((body,))?.extract()
}

/// Runs the script at `path` in a fresh namespace and returns its `handle`.
fn load(py: Python<'_>, path: &Path, name: &str) -> PyResult<Py<PyAny>> {
    let code = std::fs::read_to_string(path)
        .map_err(|err| PyOSError::new_err(format!("cannot read {}: {err}", path.display())))?;
    let globals = PyDict::new(py);
    globals.set_item("__name__", format!("plugin_{name}"))?;
    globals.set_item("__file__", path.to_string_lossy().as_ref())?;
    py.run(&code, Some(&globals), None)?;
    let handle = globals
        .get_item("handle")?
        .ok_or_else(|| PyAttributeError::new_err(format!("{name}.py defines no handle(body)")))?;
    Ok(handle.unbind())
}

/// `raise_in(ident)` and `clear(ident)`: `PyThreadState_SetAsyncExc` through
/// ctypes, with `TimeoutError` or with nothing (which clears a pending one).
const INTERRUPTS: &str = "
import ctypes
_raise = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.py_object)(
    ('PyThreadState_SetAsyncExc', ctypes.pythonapi))
_clear = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p)(
    ('PyThreadState_SetAsyncExc', ctypes.pythonapi))
def raise_in(ident):
    return _raise(ident, TimeoutError)
def clear(ident):
    return _clear(ident, None)
";

/// The interrupt helpers, made once.
fn interrupts(py: Python<'_>) -> PyResult<&'static Py<PyDict>> {
    static HELPERS: PyOnceLock<Py<PyDict>> = PyOnceLock::new();
    HELPERS.get_or_try_init(py, || {
        let globals = PyDict::new(py);
        py.run(INTERRUPTS, Some(&globals), None)?;
        Ok(globals.unbind())
    })
}

/// Calls a helper of [`INTERRUPTS`] with a thread identifier.
fn helper(py: Python<'_>, name: &str, ident: u64) -> PyResult<()> {
    let function = interrupts(py)?.bind(py).get_item(name)?.expect("defined");
    function.call1((ident,))?;
    Ok(())
}

/// One call's worker thread while it runs, so that a deadline can
/// interrupt exactly that call and never the worker's next job.
#[derive(Default)]
pub struct Running(Mutex<Option<u64>>);

impl Running {
    /// Runs `f` on this worker, marked as interruptible.
    pub fn run<R>(&self, py: Python<'_>, f: impl FnOnce() -> PyResult<R>) -> PyResult<R> {
        let ident: u64 = py
            .import("threading")?
            .getattr("get_ident")?
            .call0()?
            .extract()?;
        *self.0.lock(py) = Some(ident);
        let result = f();
        self.0.lock(py).take();
        // An interrupt that arrived after `f` returned must not reach the
        // worker's next job.
        helper(py, "clear", ident)?;
        result
    }

    /// Raises `TimeoutError` in the call if it still runs; says whether it
    /// did.
    pub fn interrupt(&self, py: Python<'_>) -> PyResult<bool> {
        let running = self.0.lock(py);
        match *running {
            Some(ident) => helper(py, "raise_in", ident).map(|()| true),
            None => Ok(false),
        }
    }
}
