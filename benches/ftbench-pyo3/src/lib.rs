//! `ftbench_pyo3`: the ftbench workloads (see `examples/ftbench`) written
//! with PyO3, the baseline pyo3-ft is compared against.
//!
//! Each item mirrors its pyo3-ft twin in the idiom PyO3 offers for it:
//! immutable classes are `frozen` (no borrow flag), and the mutable
//! `Counter` takes `&mut self`, so two threads that call it at once get
//! PyO3's "Already borrowed" error instead of waiting.

use std::sync::atomic::{AtomicI64, Ordering};

use pyo3::exceptions::PyOverflowError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

/// Does nothing: measures the cost of a call.
#[pyfunction]
fn noop() {}

/// `a + b` for 64-bit integers; OverflowError when the sum does not fit.
#[pyfunction]
fn add(a: i64, b: i64) -> PyResult<i64> {
    a.checked_add(b)
        .ok_or_else(|| PyOverflowError::new_err("add() result does not fit in a 64-bit integer"))
}

/// The sum of a list of 64-bit integers.
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
#[pyfunction]
#[pyo3(signature = (name, /, *, punctuation = "!"))]
fn greet(name: &str, punctuation: &str) -> String {
    format!("Hello, {name}{punctuation}")
}

/// Panics in Rust with `msg`: Python sees a `PanicException`.
#[pyfunction]
fn panic_now(msg: &str) {
    panic!("{msg}");
}

/// A point in the plane: immutable.
#[pyclass(module = "ftbench_pyo3", frozen)]
struct Point {
    #[pyo3(get)]
    x: f64,
    #[pyo3(get)]
    y: f64,
}

#[pymethods]
impl Point {
    #[new]
    fn new(x: f64, y: f64) -> Self {
        Point { x, y }
    }

    /// The distance from the origin.
    fn norm(&self) -> f64 {
        self.x.hypot(self.y)
    }

    fn __repr__(&self) -> String {
        format!("Point(x={:?}, y={:?})", self.x, self.y)
    }

    fn __eq__(&self, other: PyRef<'_, Point>) -> bool {
        self.x == other.x && self.y == other.y
    }

    fn __hash__(&self) -> u64 {
        let bits = |v: f64| if v == 0.0 { 0 } else { v.to_bits() };
        bits(self.x).rotate_left(32) ^ bits(self.y)
    }
}

/// A counter mutated through `&mut self`: PyO3's runtime borrow checker
/// raises "Already borrowed" when two threads call it at once.
#[pyclass(module = "ftbench_pyo3")]
struct Counter {
    count: i64,
}

#[pymethods]
impl Counter {
    #[new]
    #[pyo3(signature = (start = 0))]
    fn new(start: i64) -> Self {
        Counter { count: start }
    }

    #[pyo3(signature = (by = 1))]
    fn incr(&mut self, by: i64) -> PyResult<()> {
        self.count = self
            .count
            .checked_add(by)
            .ok_or_else(|| PyOverflowError::new_err("Counter overflowed a 64-bit integer"))?;
        Ok(())
    }

    /// Calls `f()` while holding the counter and adds its result.
    fn incr_with(&mut self, f: &Bound<'_, PyAny>) -> PyResult<()> {
        let by: i64 = f.call0()?.extract()?;
        self.incr(by)
    }

    fn reset(&mut self) {
        self.count = 0;
    }

    #[getter]
    fn value(&self) -> i64 {
        self.count
    }
}

/// A counter on an atomic: no lock at all.
#[pyclass(module = "ftbench_pyo3", frozen)]
struct AtomicCounter {
    count: AtomicI64,
}

#[pymethods]
impl AtomicCounter {
    #[new]
    #[pyo3(signature = (start = 0))]
    fn new(start: i64) -> Self {
        AtomicCounter {
            count: AtomicI64::new(start),
        }
    }

    #[pyo3(signature = (by = 1))]
    fn incr(&self, by: i64) {
        self.count.fetch_add(by, Ordering::Relaxed);
    }

    #[getter]
    fn value(&self) -> i64 {
        self.count.load(Ordering::Relaxed)
    }
}

/// The ftbench workloads, written with PyO3.
#[pymodule(gil_used = false)]
fn ftbench_pyo3(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(noop, m)?)?;
    m.add_function(wrap_pyfunction!(add, m)?)?;
    m.add_function(wrap_pyfunction!(sum_list, m)?)?;
    m.add_function(wrap_pyfunction!(make_tuple, m)?)?;
    m.add_function(wrap_pyfunction!(greet, m)?)?;
    m.add_function(wrap_pyfunction!(panic_now, m)?)?;
    m.add_class::<Point>()?;
    m.add_class::<Counter>()?;
    m.add_class::<AtomicCounter>()?;
    Ok(())
}
