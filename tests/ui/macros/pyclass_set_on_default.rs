// Rule: `#[py(set)]` needs `#[pyclass(mutable)]` or `unsendable`: a default class is never written through `&mut`.
use pyo3_ft::pyclass;

#[pyclass]
struct Point {
    #[py(get, set)]
    x: f64,
}

fn main() {}
