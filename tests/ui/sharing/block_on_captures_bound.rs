// Rule: `executor::block_on` polls its future detached, so the future cannot
// hold a `Bound` (this loop, when it compiled, crashed the process).
use pyo3_ft::executor::block_on;
use pyo3_ft::prelude::*;
use pyo3_ft::types::PyList;

fn main() {
    Python::attach(|py| {
        let list = PyList::empty(py);
        for i in 0..1000 {
            block_on(async { list.append(i).unwrap() });
        }
    });
}
