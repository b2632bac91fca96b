// Rule: `#[pyfunction]` rejects `async fn`.
use pyo3_ft::pyfunction;

#[pyfunction]
async fn fetch(x: i64) -> i64 {
    x
}

fn main() {}
