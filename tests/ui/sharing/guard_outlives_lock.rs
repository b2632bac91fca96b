// Rule: a `pyo3_ft::sync::MutexGuard` borrows its lock: it cannot outlive the `Mutex`.
use pyo3_ft::prelude::*;
use pyo3_ft::sync::Mutex;

fn main() {
    Python::attach(|py| {
        let guard = {
            let lock = Mutex::new(5i64);
            lock.lock(py)
        };
        assert_eq!(*guard, 5);
    });
}
