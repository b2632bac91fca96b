// Rule: `pyo3_ft::sync::Mutex<T>` is `Sync` only for `T: Send`, so `Mutex<Rc<T>>` cannot be a field of a shared class.
use std::rc::Rc;

use pyo3_ft::pyclass;
use pyo3_ft::sync::Mutex;

#[pyclass]
struct Cache {
    entries: Mutex<Rc<Vec<i64>>>,
}

fn main() {}
