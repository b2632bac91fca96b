// Rule: `Bound<'py, T>` is neither `Send` nor `Sync`: it cannot be stored in a `static`.
use std::sync::OnceLock;

use pyo3_ft::prelude::*;

static NONE: OnceLock<Bound<'static, PyAny>> = OnceLock::new();

fn main() {
    let _ = &NONE;
}
