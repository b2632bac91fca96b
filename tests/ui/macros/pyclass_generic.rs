// Rule: a `#[pyclass]` cannot be generic.
use pyo3_ft::pyclass;

#[pyclass]
struct Wrapper<T> {
    value: T,
}

fn main() {}
