// Rule: the closure of `py.detach` cannot capture the `Python` token it detaches.
use pyo3_ft::prelude::*;

fn main() {
    Python::attach(|py| {
        py.detach(|| py.none().is_none());
    });
}
