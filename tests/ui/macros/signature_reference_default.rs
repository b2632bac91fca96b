// Rule: a reference parameter (other than `&str`/`&[u8]`) cannot have a default.
use pyo3_ft::prelude::*;
use pyo3_ft::pyfunction;

#[pyfunction(signature = (obj = None))]
fn show(obj: &Bound<'_, PyAny>) -> String {
    obj.to_string()
}

fn main() {}
