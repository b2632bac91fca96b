// Rule: parameters of a `#[pyfunction]` must be plain identifiers, not patterns.
use pyo3_ft::pyfunction;

#[pyfunction]
fn sum_pair((a, b): (i64, i64)) -> i64 {
    a + b
}

fn main() {}
