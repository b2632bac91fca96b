// Rule: a `#[pymodule]` function takes exactly one parameter, the module.
use pyo3_ft::prelude::*;
use pyo3_ft::pymodule;
use pyo3_ft::types::PyModule;

#[pymodule]
fn my_module(py: Python<'_>, m: &Bound<'_, PyModule>) -> PyResult<()> {
    let _ = (py, m);
    Ok(())
}

fn main() {}
