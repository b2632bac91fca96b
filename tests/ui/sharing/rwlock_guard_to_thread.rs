// Rule: a `pyo3_ft::sync::RwLockReadGuard` is not `Send`: the thread that locked must unlock.
use pyo3_ft::prelude::*;
use pyo3_ft::sync::RwLock;

fn main() {
    let table = RwLock::new(vec![1i64, 2, 3]);
    Python::attach(|py| {
        let guard = table.read(py);
        std::thread::scope(|s| {
            s.spawn(move || guard.len());
        });
    });
}
