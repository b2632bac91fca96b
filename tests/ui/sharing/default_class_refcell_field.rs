// Rule: a default `#[pyclass]` is shared between threads, so a `RefCell` field (not `Sync`) is rejected.
use std::cell::RefCell;

use pyo3_ft::pyclass;

#[pyclass]
struct Log {
    lines: RefCell<Vec<String>>,
}

fn main() {}
