// Rule: the output of `executor::block_on`'s future is `Ungil` too: nothing
// attached comes out of the detached call.
use std::future::pending;

use pyo3_ft::executor::block_on;
use pyo3_ft::prelude::*;

fn main() {
    Python::attach(|_py| {
        let _never: Bound<'_, PyAny> = block_on(pending());
    });
}
