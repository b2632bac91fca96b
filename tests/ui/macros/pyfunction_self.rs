// Rule: `#[pyfunction]` cannot take `self`; methods belong in `#[pymethods]`.
use pyo3_ft::pyfunction;

struct Thing;

impl Thing {
    #[pyfunction]
    fn method(&self) -> i64 {
        1
    }
}

fn main() {}
