// Rule: a `Bound<'py, T>` cannot be returned out of `Python::attach`: it is tied to the attached region.
use pyo3_ft::prelude::*;

fn main() {
    let obj = Python::attach(|py| py.none());
    drop(obj);
}
