//! `hello`: the guide's first extension module, built by maturin.

use pyo3_ft::prelude::*;
use pyo3_ft::types::PyModule;
use pyo3_ft::{pyfunction, pymodule, wrap_pyfunction};

/// Adds two integers.
#[pyfunction]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

/// My first module.
#[pymodule]
fn hello(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(add))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs under plain `cargo test`: the `embed` dev-dependency feature
    /// starts an interpreter, and `build.rs` lets the test binary find it.
    #[test]
    fn add_is_callable_from_python() -> PyResult<()> {
        Python::attach(|py| {
            let module = PyModule::new(py, "hello")?;
            hello(&module)?;
            let sum: i64 = module.getattr("add")?.call1((2, 3))?.extract()?;
            assert_eq!(sum, 5);
            Ok(())
        })
    }
}
