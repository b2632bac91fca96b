//! Procedural macros of pyo3-ft, re-exported by the `pyo3-ft` crate.
