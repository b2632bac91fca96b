// Rule: `Borrowed<'a, 'py, T>` is not `Send`: it cannot move into `std::thread::spawn`.
use pyo3_ft::prelude::*;

fn main() {
    Python::attach(|py| {
        let obj = py.none();
        let borrowed = obj.as_borrowed();
        std::thread::spawn(move || borrowed.is_none()).join().unwrap();
    });
}
