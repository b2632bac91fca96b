// Rule: in `signature = (...)`, `/` must come before `*`.
use pyo3_ft::pyfunction;

#[pyfunction(signature = (a, *, b, /))]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn main() {}
