// Rule: `Bound<'py, T>` is not `Send`: it cannot move into `std::thread::spawn`.
use pyo3_ft::prelude::*;

fn main() {
    Python::attach(|py| {
        let obj = py.none();
        std::thread::spawn(move || obj.is_none()).join().unwrap();
    });
}
