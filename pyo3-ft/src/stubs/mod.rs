//! Type stubs (`.pyi`) for extension modules, from what the macros know.
//!
//! `#[pyfunction]`, `#[pyclass]` and `#[pymethods]` register a constant
//! record of each signature, class and member (names, parameter kinds,
//! defaults, and a [`TypeHint`] from the Rust types:
//! [`FromPyObject::INPUT_TYPE`](crate::FromPyObject::INPUT_TYPE) for
//! arguments, [`IntoPyObject::OUTPUT_TYPE`](crate::IntoPyObject::OUTPUT_TYPE)
//! for results). No call reads them. [`module_stub`] walks a module
//! object, matches what it holds with those records, and writes the stub:
//! docstrings come from the objects themselves, module constants are
//! typed by their values, and anything without a record (a function added
//! by hand, a type from elsewhere) is typed `typing.Any` rather than
//! left out.
//!
//! Every `#[pymodule]` with an entry point also exports
//! `pyo3_ft_stub_<name>` from the extension, which takes the module and
//! returns the stub as a `str`; `python -m pyo3_ft_stubgen <module>` (the
//! helper package in `python/pyo3-ft-stubgen`) calls it through `ctypes`.
//! The guide's "Type stubs" page shows how to ship the result.
//!
//! ```
//! use pyo3_ft::prelude::*;
//! use pyo3_ft::types::PyModule;
//! use pyo3_ft::{pyfunction, wrap_pyfunction};
//!
//! /// Doubles `x`.
//! #[pyfunction]
//! fn double(x: i64) -> i64 {
//!     2 * x
//! }
//!
//! Python::attach(|py| {
//!     let m = PyModule::new(py, "doubling")?;
//!     m.add_function(wrap_pyfunction!(double))?;
//!     let stub = pyo3_ft::stubs::module_stub(&m)?;
//!     assert!(stub.contains("def double(x: int) -> int:\n    \"\"\"Doubles `x`.\"\"\"\n"));
//!     Ok::<_, PyErr>(())
//! })?;
//! # Ok::<(), PyErr>(())
//! ```

mod hint;
mod render;

pub use hint::TypeHint;
pub use render::module_stub;
