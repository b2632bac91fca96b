// Rule: items defined in a declarative module are added without `#[pymodule_export]`.
use pyo3_ft::prelude::*;

#[pymodule]
mod misplaced {
    use pyo3_ft::prelude::*;

    #[pymodule_export]
    #[pyfunction]
    fn double(x: i64) -> i64 {
        2 * x
    }
}

fn main() {}
