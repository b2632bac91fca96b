// Rule: a default `#[pyclass]` is shared between threads, so a `Cell<i32>` field (not `Sync`) is rejected.
use std::cell::Cell;

use pyo3_ft::pyclass;

#[pyclass]
struct Counter {
    count: Cell<i32>,
}

fn main() {}
