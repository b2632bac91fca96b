//! `ftbench`: small workloads that tests and benchmarks call from Python.

use pyo3_ft::exceptions::PyOverflowError;
use pyo3_ft::prelude::*;
use pyo3_ft::types::{PyModule, PyTuple};
use pyo3_ft::{pyfunction, pymodule, wrap_pyfunction};

/// Does nothing: measures the cost of a call.
#[pyfunction]
fn noop() {}

/// `a + b` for 64-bit integers; OverflowError when the sum does not fit.
#[pyfunction]
fn add(a: i64, b: i64) -> PyResult<i64> {
    a.checked_add(b)
        .ok_or_else(|| PyOverflowError::new_err("add() result does not fit in a 64-bit integer"))
}

/// The sum of a list of 64-bit integers; OverflowError on overflow,
/// TypeError on an item that is not an int.
#[pyfunction]
fn sum_list(xs: Vec<i64>) -> PyResult<i64> {
    xs.iter().try_fold(0i64, |total, &x| {
        total.checked_add(x).ok_or_else(|| {
            PyOverflowError::new_err("sum_list() result does not fit in a 64-bit integer")
        })
    })
}

/// A tuple holding `n` references to `obj`.
#[pyfunction]
fn make_tuple<'py>(obj: &Bound<'py, PyAny>, n: usize) -> PyResult<Bound<'py, PyTuple>> {
    PyTuple::new(obj.py(), std::iter::repeat_n(obj, n))
}

/// `"Hello, " + name + punctuation`.
#[pyfunction(signature = (name, /, *, punctuation = "!"))]
fn greet(name: &str, punctuation: &str) -> String {
    format!("Hello, {name}{punctuation}")
}

/// Panics in Rust with `msg`: Python sees a `PanicException`.
#[pyfunction]
fn panic_now(msg: &str) {
    panic!("{msg}");
}

/// Workloads for pyo3-ft's tests and benchmarks.
#[pymodule]
fn ftbench(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(noop))?;
    m.add_function(wrap_pyfunction!(add))?;
    m.add_function(wrap_pyfunction!(sum_list))?;
    m.add_function(wrap_pyfunction!(make_tuple))?;
    m.add_function(wrap_pyfunction!(greet))?;
    m.add_function(wrap_pyfunction!(panic_now))?;
    Ok(())
}
