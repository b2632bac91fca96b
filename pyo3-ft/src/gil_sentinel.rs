//! The GIL sentinel: is the GIL enabled right now, and if a free-threaded
//! interpreter turned it back on, which import did it?
//!
//! Free-threaded CPython re-enables the GIL when it imports an extension
//! module that does not declare `Py_mod_gil = Py_MOD_GIL_NOT_USED`, and
//! says so in a `RuntimeWarning` at that import. [`install`] watches for
//! that warning (wrapping `warnings.showwarning`, so the warning is still
//! shown); [`status`] reports what it saw. Install it early (before the
//! imports you want to watch); an import whose warning is filtered out with
//! `ignore` cannot be attributed.
//!
//! ```
//! use pyo3_ft::gil_sentinel;
//! use pyo3_ft::prelude::*;
//!
//! Python::attach(|py| {
//!     gil_sentinel::install(py)?;
//!     let status = gil_sentinel::status(py)?;
//!     if status.enabled {
//!         println!("GIL enabled; by imports of {:?}", status.enabled_by);
//!     }
//!     Ok::<_, PyErr>(())
//! })?;
//! # Ok::<(), PyErr>(())
//! ```

use crate::err::PyResult;
use crate::python::Python;
use crate::types::PyDict;

/// Installs the hook once per interpreter; it records module names in
/// `warnings._pyo3_ft_gil_enabled_by`.
const HOOK: &str = r#"
import re as _re
import warnings as _warnings

if not hasattr(_warnings, "_pyo3_ft_gil_enabled_by"):
    _warnings._pyo3_ft_gil_enabled_by = []
    _previous = _warnings.showwarning
    _pattern = _re.compile(r"GIL\) has been enabled to load module '([^']+)'")

    def _pyo3_ft_showwarning(message, category, filename, lineno, file=None, line=None):
        found = _pattern.search(str(message))
        if found and issubclass(category, RuntimeWarning):
            _warnings._pyo3_ft_gil_enabled_by.append(found.group(1))
        return _previous(message, category, filename, lineno, file, line)

    _warnings.showwarning = _pyo3_ft_showwarning
"#;

/// What the sentinel knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GilStatus {
    /// The interpreter is a free-threaded build.
    pub free_threaded_build: bool,
    /// The GIL is enabled now (always true on GIL builds).
    pub enabled: bool,
    /// Modules whose import re-enabled it, in order, since [`install`].
    pub enabled_by: Vec<String>,
}

/// Starts watching imports (idempotent).
pub fn install(py: Python<'_>) -> PyResult<()> {
    py.run(HOOK, Some(&PyDict::new(py)), None)
}

/// The current state, and what the sentinel has seen since [`install`].
pub fn status(py: Python<'_>) -> PyResult<GilStatus> {
    let warnings = py.import("warnings")?;
    let enabled_by = match warnings.getattr_opt("_pyo3_ft_gil_enabled_by")? {
        Some(list) => list.extract()?,
        None => Vec::new(),
    };
    Ok(GilStatus {
        free_threaded_build: pyo3_ft_runtime::build_info::GIL_DISABLED,
        enabled: py.is_gil_enabled()?,
        enabled_by,
    })
}
