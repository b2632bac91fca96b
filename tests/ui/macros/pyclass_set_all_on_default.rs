// Rule: `set_all` needs `#[pyclass(mutable)]`: a default class is never written through `&mut`.
use pyo3_ft::pyclass;

#[pyclass(get_all, set_all)]
struct Settings {
    depth: u32,
}

fn main() {}
