// Rule: `#[py(...)]` on a `#[pyclass]` field reports an unknown option at the option's name.
use pyo3_ft::pyclass;

#[pyclass]
struct Point {
    #[py(get, readonly)]
    x: f64,
}

fn main() {}
