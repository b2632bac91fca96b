// Rule: `signature = (...)` may only name parameters of the function.
use pyo3_ft::pyfunction;

#[pyfunction(signature = (a, b, c = 1))]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn main() {}
