// Rule: a positional parameter without a default cannot follow one with a default.
use pyo3_ft::pyfunction;

#[pyfunction(signature = (a = 1, b))]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn main() {}
