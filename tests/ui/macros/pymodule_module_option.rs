// Rule: PyO3's `module = "..."` on `#[pymodule]` is rejected with the reason.
use pyo3_ft::prelude::*;

#[pymodule(module = "package")]
mod inner {}

fn main() {}
