// Rule: `#[pyfunction]` cannot be generic over types.
use pyo3_ft::pyfunction;

#[pyfunction]
fn identity<T: Clone>(x: i64) -> i64 {
    x
}

fn main() {}
