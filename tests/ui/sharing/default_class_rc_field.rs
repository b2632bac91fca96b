// Rule: a default `#[pyclass]` is shared between threads, so an `Rc<T>` field (neither `Send` nor `Sync`) is rejected.
use std::rc::Rc;

use pyo3_ft::pyclass;

#[pyclass]
struct Config {
    values: Rc<Vec<i64>>,
}

fn main() {}
