//! Starting the interpreter, loading the application, and what the GIL
//! sentinel says about it.

use pyo3_ft::embed::EmbedError;
use pyo3_ft::gil_sentinel::{self, GilStatus};
use pyo3_ft::prelude::*;

use crate::config::Config;

/// Starts the interpreter for `config`, before anything attaches: the
/// `--pythonpath` directories first on `sys.path`, in order, and with
/// `--venv`, the virtual environment as its own `python` would see it
/// (`sys.prefix`, its site-packages and their `.pth` files).
///
/// # Errors
/// CPython's message if it refuses the configuration, or why the setting is
/// invalid (e.g. `--venv` names no virtual environment).
pub fn start_python(config: &Config) -> Result<(), EmbedError> {
    let mut python = pyo3_ft::embed::Config::new();
    for dir in &config.pythonpath {
        python = python.sys_path(dir);
    }
    if let Some(venv) = &config.venv {
        python = python.venv(venv);
    }
    python.start()
}

/// Installs the GIL sentinel, imports the application and returns it with
/// the GIL's status after the import (an extension module the application
/// imports may have re-enabled it).
pub fn load(py: Python<'_>, config: &Config) -> PyResult<(Py<PyAny>, GilStatus)> {
    gil_sentinel::install(py)?;
    let app = import(py, &config.app)?;
    Ok((app.unbind(), gil_sentinel::status(py)?))
}

/// Imports `module:attr.attr` (the callable defaults to `application`).
pub fn import<'py>(py: Python<'py>, spec: &str) -> PyResult<Bound<'py, PyAny>> {
    let (module, path) = spec.split_once(':').unwrap_or((spec, "application"));
    let mut object = py.import(module)?.into_any();
    for name in path.split('.') {
        object = object.getattr(name)?;
    }
    if !object.is_callable() {
        return Err(pyo3_ft::exceptions::PyTypeError::new_err(format!(
            "{spec} is not callable (it is a {})",
            object.get_type().qualname_lossy()
        )));
    }
    Ok(object)
}

/// The start-up line about the GIL.
pub fn describe_gil(status: &GilStatus) -> String {
    match (status.free_threaded_build, status.enabled) {
        (true, false) => {
            "GIL disabled: free-threaded interpreter; workers run Python in parallel".to_owned()
        }
        (true, true) if status.enabled_by.is_empty() => {
            "GIL ENABLED on a free-threaded interpreter (by PYTHON_GIL=1 or -X gil=1, or an \
             import before the sentinel was installed); workers take turns"
                .to_owned()
        }
        (true, true) => format!(
            "GIL ENABLED on a free-threaded interpreter: re-enabled by the import of {}; \
             workers take turns (ask its authors for a free-threaded build)",
            status.enabled_by.join(", ")
        ),
        (false, _) => "GIL enabled: GIL-enabled interpreter build; workers take turns".to_owned(),
    }
}
