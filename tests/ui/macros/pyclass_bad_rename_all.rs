// Rule: `rename_all` takes one of the known rules.
use pyo3_ft::pyclass;

#[pyclass(get_all, rename_all = "camel")]
struct Settings {
    max_depth: u32,
}

fn main() {}
