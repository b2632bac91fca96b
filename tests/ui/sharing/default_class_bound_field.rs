// Rule: a `#[pyclass]` cannot hold a `Bound` (tied to one attached thread); it holds a `Py` instead.
use pyo3_ft::prelude::*;
use pyo3_ft::pyclass;

#[pyclass]
struct Holder {
    callback: Bound<'static, PyAny>,
}

fn main() {}
