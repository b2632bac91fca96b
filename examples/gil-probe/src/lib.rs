//! `gil_probe`: a module that declares `#[pymodule(gil_used)]`. Importing it
//! into a free-threaded interpreter re-enables the GIL, which the GIL
//! sentinel's tests detect.

#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]

use pyo3_ft::prelude::*;
use pyo3_ft::types::PyModule;
use pyo3_ft::{pyfunction, pymodule, wrap_pyfunction};

/// Returns `"pong"`.
#[pyfunction]
fn ping() -> &'static str {
    "pong"
}

/// A module that needs the GIL (as C extensions written for GIL builds do).
#[pymodule(gil_used)]
fn gil_probe(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(ping))
}
