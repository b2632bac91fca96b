// Rule: a `#[pyclass]` chooses one storage model: `mutable` and `unsendable` exclude each other.
use pyo3_ft::pyclass;

#[pyclass(mutable, unsendable)]
struct Counter {
    count: i64,
}

fn main() {}
