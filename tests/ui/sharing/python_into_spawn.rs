// Rule: `Python<'py>` is not `Send`: the attach token cannot move to another thread.
use pyo3_ft::prelude::*;

fn main() {
    Python::attach(|py| {
        std::thread::spawn(move || py.none().is_none()).join().unwrap();
    });
}
