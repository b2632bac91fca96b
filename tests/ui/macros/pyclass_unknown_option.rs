// Rule: `#[pyclass]` reports an unknown option at the option's name.
use pyo3_ft::pyclass;

#[pyclass(freeze)]
struct Point {
    x: f64,
}

fn main() {}
