// Rule: `frozen` (the default storage) does not combine with another storage model.
use pyo3_ft::pyclass;

#[pyclass(frozen, mutable)]
struct Counter {
    value: u64,
}

fn main() {}
