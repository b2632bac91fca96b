//! [`intern!`]: a `str` created once per process and reused.

use std::sync::OnceLock;

use crate::instance::{Bound, Py};
use crate::python::Python;
use crate::types::PyString;

/// Storage behind one `intern!` call site.
#[doc(hidden)]
pub struct Interned {
    text: &'static str,
    cell: OnceLock<Py<PyString>>,
}

impl Interned {
    #[doc(hidden)]
    pub const fn new(text: &'static str) -> Self {
        Interned {
            text,
            cell: OnceLock::new(),
        }
    }

    /// The interned string. Threads that race to create it each make one
    /// (cheap, and interning makes them the same object) and the first to
    /// store it wins, so no thread ever blocks here while attached.
    #[doc(hidden)]
    pub fn get<'py>(&'static self, py: Python<'py>) -> &'py Bound<'py, PyString> {
        let stored = match self.cell.get() {
            Some(stored) => stored,
            None => {
                let _ = self.cell.set(PyString::intern(py, self.text).unbind());
                self.cell.get().expect("set above")
            }
        };
        // SAFETY: `Py` and `Bound` share a layout; the static cell keeps the
        // string alive for the rest of the process, and `py` proves the
        // thread is attached for `'py`.
        unsafe { &*(stored as *const Py<PyString>).cast::<Bound<'py, PyString>>() }
    }
}

/// A `&Bound<PyString>` for a string literal, created on first use and
/// cached: the cheap way to name attributes and keys in hot code.
///
/// ```
/// use pyo3_ft::prelude::*;
///
/// Python::attach(|py| {
///     let sys = py.import("sys")?;
///     let version = sys.getattr(intern!(py, "version_info"))?;
///     assert_eq!(version.getattr(intern!(py, "major"))?.extract::<u32>()?, 3);
///     Ok::<_, PyErr>(())
/// })?;
/// # Ok::<(), PyErr>(())
/// ```
#[macro_export]
macro_rules! intern {
    ($py:expr, $text:literal) => {{
        static INTERNED: $crate::__private::Interned = $crate::__private::Interned::new($text);
        INTERNED.get($py)
    }};
}
