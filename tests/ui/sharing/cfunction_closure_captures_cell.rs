// Rule: a closure made into a Python function may run on several threads at once, so it cannot capture a `Cell` (not `Sync`).
use std::cell::Cell;

use pyo3_ft::prelude::*;
use pyo3_ft::types::PyCFunction;

fn main() {
    Python::attach(|py| {
        let calls = Cell::new(0);
        let _ = PyCFunction::new_closure(py, None, None, move |_args, _kwargs| {
            calls.set(calls.get() + 1);
            calls.get()
        });
    });
}
