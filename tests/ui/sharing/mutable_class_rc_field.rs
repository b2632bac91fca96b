// Rule: a `#[pyclass(mutable)]` value is locked but still moves between threads, so an `Rc<T>` field is rejected.
use std::rc::Rc;

use pyo3_ft::pyclass;

#[pyclass(mutable)]
struct Config {
    values: Rc<Vec<i64>>,
}

fn main() {}
