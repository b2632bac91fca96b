// Rule: PyO3's `freelist` is rejected with the reason.
use pyo3_ft::pyclass;

#[pyclass(freelist = 16)]
struct Point {
    x: f64,
}

fn main() {}
