// Rule: a closure made into a Python function is called from any thread, so it cannot capture an `Rc`.
use std::rc::Rc;

use pyo3_ft::prelude::*;
use pyo3_ft::types::PyCFunction;

fn main() {
    Python::attach(|py| {
        let shared = Rc::new(5);
        let _ = PyCFunction::new_closure(py, None, None, move |_args, _kwargs| *shared);
    });
}
