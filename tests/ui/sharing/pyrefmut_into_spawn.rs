// Rule: `PyRefMut<'py, T>` is not `Send`: an exclusive borrow of a pyclass value cannot move to another thread.
use pyo3_ft::prelude::*;
use pyo3_ft::pyclass;

#[pyclass(mutable)]
struct Counter {
    count: i64,
}

fn main() {
    Python::attach(|py| {
        let counter = Bound::new(py, Counter { count: 0 }).unwrap();
        let mut guard = counter.borrow_mut();
        std::thread::spawn(move || guard.count += 1).join().unwrap();
    });
}
