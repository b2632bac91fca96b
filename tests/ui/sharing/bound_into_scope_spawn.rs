// Rule: `Bound<'py, T>` is not `Sync`: even a scoped thread (no `'static` needed) cannot use it.
use pyo3_ft::prelude::*;

fn main() {
    Python::attach(|py| {
        let obj = py.none();
        std::thread::scope(|s| {
            s.spawn(|| obj.is_none());
        });
    });
}
