// Rule: the future of `executor::block_on` cannot hold the `Python` token of
// the thread it detaches.
use pyo3_ft::executor::block_on;
use pyo3_ft::prelude::*;

fn main() {
    Python::attach(|py| {
        block_on(async move { py.none().is_none() });
    });
}
