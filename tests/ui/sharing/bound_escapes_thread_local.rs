// Rule: a `Bound<'py, T>` cannot outlive `Python::attach`, not even by hiding in a `thread_local!`.
use std::cell::RefCell;

use pyo3_ft::prelude::*;

thread_local! {
    static LAST: RefCell<Option<Bound<'static, PyAny>>> = const { RefCell::new(None) };
}

fn main() {
    Python::attach(|py| {
        let obj = py.none();
        LAST.with_borrow_mut(|last| *last = Some(obj));
    });
}
