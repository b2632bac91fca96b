// Rule: every Python parameter of the function must appear in `signature = (...)`.
use pyo3_ft::pyfunction;

#[pyfunction(signature = (a))]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn main() {}
