// Rule: `#[pymodule_export]` names each item; a glob is an error.
use pyo3_ft::prelude::*;

#[pyfunction]
fn double(x: i64) -> i64 {
    2 * x
}

#[pymodule]
mod globbed {
    #[pymodule_export]
    use super::*;
}

fn main() {}
