// Rule: a `#[pymodule]` function takes exactly one parameter, the module (not zero).
use pyo3_ft::prelude::*;
use pyo3_ft::pymodule;

#[pymodule]
fn my_module() -> PyResult<()> {
    Ok(())
}

fn main() {}
