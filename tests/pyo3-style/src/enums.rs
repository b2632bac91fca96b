//! Enums, PyO3 0.28 style.

use pyo3_ft::prelude::*;

/// A C-like enum.
#[pyclass(eq)]
#[derive(PartialEq)]
pub enum Color {
    Red,
    Green,
}

/// The `enums` submodule.
#[pymodule(submodule)]
pub mod enums {
    #[pymodule_export]
    use super::Color;
}
