// Rule: `#[pymodule]` reports an unknown option at the option's name.
use pyo3_ft::prelude::*;
use pyo3_ft::pymodule;
use pyo3_ft::types::PyModule;

#[pymodule(gil_used, gil_free)]
fn my_module(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let _ = m;
    Ok(())
}

fn main() {}
