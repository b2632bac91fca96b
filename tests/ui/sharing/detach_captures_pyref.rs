// Rule: the closure of `py.detach` cannot capture a `PyRef` guard.
use std::sync::atomic::{AtomicI64, Ordering};

use pyo3_ft::prelude::*;
use pyo3_ft::pyclass;

#[pyclass]
struct Counter {
    count: AtomicI64,
}

fn main() {
    Python::attach(|py| {
        let counter = Bound::new(py, Counter { count: AtomicI64::new(0) }).unwrap();
        let guard = counter.borrow();
        py.detach(move || guard.count.load(Ordering::Relaxed));
    });
}
