//! Safe Rust bindings for free-threaded CPython.
//!
//! pyo3-ft writes native extension modules for, and embeds, CPython 3.13+
//! built without the GIL. Its types encode the sharing rules: [`Python`],
//! [`Bound`] and [`Borrowed`] are tied to the attached thread (neither
//! `Send` nor `Sync`); [`Py`] can be stored and shared anywhere.
//!
//! ```
//! use pyo3_ft::prelude::*;
//!
//! let doubled = Python::attach(|py| -> PyResult<Vec<i64>> {
//!     py.eval("[2 * x for x in range(4)]", None, None)?.extract()
//! })?;
//! assert_eq!(doubled, [0, 2, 4, 6]);
//! # Ok::<(), PyErr>(())
//! ```

pub mod conversion;
pub mod err;
pub mod exceptions;
mod instance;
#[doc(hidden)]
pub mod impl_;
mod intern;
pub mod panic;
mod python;
pub mod sync;
pub mod type_info;
pub mod types;

pub use conversion::{FromPyObject, IntoPyObject, IntoPyTuple};
pub use err::{PyErr, PyResult};
pub use instance::{Borrowed, Bound, Py};
pub use python::{Python, Ungil};

pub use pyo3_ft_macros::{pyfunction, pymodule};

/// The raw C API and the runtime, for what the safe API does not cover.
pub use pyo3_ft_runtime as runtime;

#[doc(hidden)]
pub mod __private {
    pub use crate::intern::Interned;
}

/// The names almost every user of pyo3-ft needs.
pub mod prelude {
    pub use crate::conversion::{FromPyObject, IntoPyObject};
    pub use crate::err::{PyErr, PyResult};
    pub use crate::instance::{Borrowed, Bound, Py};
    pub use crate::intern;
    pub use crate::python::Python;
    pub use crate::types::PyAny;
}
