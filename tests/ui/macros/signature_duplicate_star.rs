// Rule: in `signature = (...)`, `*` may appear only once.
use pyo3_ft::pyfunction;

#[pyfunction(signature = (a, *, b, *, c))]
fn add3(a: i64, b: i64, c: i64) -> i64 {
    a + b + c
}

fn main() {}
