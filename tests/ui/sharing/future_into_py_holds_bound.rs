// Rule: the future given to `future_into_py` is `Send`: it cannot hold a
// `Bound` across an `.await`.
use pyo3_ft::asyncio::future_into_py;
use pyo3_ft::prelude::*;

fn main() {
    Python::attach(|py| {
        let list = pyo3_ft::types::PyList::empty(py);
        let _ = future_into_py(py, async move {
            std::future::ready(()).await;
            Ok(list.len())
        });
    });
}
