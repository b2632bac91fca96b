// Rule: the closure of `py.detach` cannot capture a `Borrowed` reference.
use pyo3_ft::prelude::*;

fn main() {
    Python::attach(|py| {
        let obj = py.none();
        let borrowed = obj.as_borrowed();
        py.detach(move || borrowed.is_none());
    });
}
