// Rule: the closure of `py.detach` cannot capture a `Bound` (the thread is not attached while it runs).
use pyo3_ft::prelude::*;

fn main() {
    Python::attach(|py| {
        let obj = py.none();
        py.detach(|| obj.is_none());
    });
}
