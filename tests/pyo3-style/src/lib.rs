//! An extension module written purely in PyO3 0.28 style, with only the
//! crate renamed (`pyo3` → `pyo3_ft`): the test that a PyO3 extension ports
//! by renaming. Its pytest suite is under `tests/`.
//!
//! One file per area, each a submodule of `pyo3_style`, so that engineers
//! working on different areas do not collide:
//! - `buffers.rs`: the buffer protocol (`pyo3_style.buffers`)
//! - `classes.rs`: `#[pyclass]` options (`pyo3_style.classes`)
//! - `enums.rs`: enums (`pyo3_style.enums`)
//! - `methods.rs`: function and method spellings, magic methods
//!   (`pyo3_style.methods`)
//! - `modules.rs`: declarative modules, submodules, exceptions
//!   (`pyo3_style.modules`)

// Each area file holds the `#[pymodule]` of the same name.
#![allow(clippy::module_inception)]

mod buffers;
mod classes;
mod enums;
mod methods;
mod modules;

use pyo3_ft::prelude::*;

/// The PyO3-style test extension.
#[pymodule(gil_used = false)]
mod pyo3_style {
    #[pymodule_export]
    use super::buffers::buffers;
    #[pymodule_export]
    use super::classes::classes;
    #[pymodule_export]
    use super::enums::enums;
    #[pymodule_export]
    use super::methods::methods;
    #[pymodule_export]
    use super::modules::modules;
}
