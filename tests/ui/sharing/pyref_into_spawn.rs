// Rule: `PyRef<'py, T>` is not `Send`: a borrow of a pyclass value cannot move to another thread.
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
        std::thread::spawn(move || guard.count.load(Ordering::Relaxed)).join().unwrap();
    });
}
