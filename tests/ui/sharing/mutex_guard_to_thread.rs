// Rule: a `pyo3_ft::sync::MutexGuard` is not `Send`: the thread that locked must unlock.
use pyo3_ft::prelude::*;
use pyo3_ft::sync::Mutex;

fn main() {
    let total = Mutex::new(0i64);
    Python::attach(|py| {
        let mut guard = total.lock(py);
        std::thread::scope(|s| {
            s.spawn(move || *guard += 1);
        });
    });
}
