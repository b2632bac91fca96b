// Rule: `#[pyclass]` goes only on a struct or a fieldless enum, not a union.
use pyo3_ft::pyclass;

#[pyclass]
union Bits {
    int: u32,
    float: f32,
}

fn main() {}
