// Rule: the future of a `#[pyfunction] async fn` is `Send`: it cannot hold
// a `Bound` (here its argument) across an `.await`. Take `Py<T>` instead.
use pyo3_ft::prelude::*;
use pyo3_ft::pyfunction;
use pyo3_ft::types::PyList;

#[pyfunction]
async fn length(list: Bound<'static, PyList>) -> usize {
    std::future::ready(()).await;
    list.len()
}

fn main() {}
