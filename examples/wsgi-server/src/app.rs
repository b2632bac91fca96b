//! Loading the application, and what the GIL sentinel says about it.

use std::path::Path;

use pyo3_ft::gil_sentinel::{self, GilStatus};
use pyo3_ft::prelude::*;
use pyo3_ft::types::{PyDict, PyList};

use crate::config::Config;

/// Puts the configured directories on `sys.path`, installs the GIL
/// sentinel, imports the application and returns it with the GIL's status
/// after the import (an extension module the application imports may have
/// re-enabled it).
pub fn load(py: Python<'_>, config: &Config) -> PyResult<(Py<PyAny>, GilStatus)> {
    gil_sentinel::install(py)?;
    let sys_path = py
        .import("sys")?
        .getattr("path")?
        .downcast_into::<PyList>()?;
    for dir in config.pythonpath.iter().rev() {
        sys_path.insert(0, absolute(dir))?;
    }
    if let Some(venv) = &config.venv {
        add_venv(py, venv)?;
    }
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

/// Adds the site-packages of the virtual environment `venv` (processing its
/// `.pth` files), as its own `python` would see it.
pub fn add_venv(py: Python<'_>, venv: &Path) -> PyResult<()> {
    let globals = PyDict::new(py);
    globals.set_item("venv", absolute(venv))?;
    py.run(
        "import os, site, sysconfig\n\
         purelib = sysconfig.get_path('purelib', vars={'base': venv, 'platbase': venv})\n\
         if not os.path.isdir(purelib):\n    \
             raise FileNotFoundError(f'{venv} has no site-packages for this interpreter ({purelib})')\n\
         site.addsitedir(purelib)\n",
        Some(&globals),
        None,
    )
}

fn absolute(path: &Path) -> String {
    std::path::absolute(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .to_string_lossy()
        .into_owned()
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
