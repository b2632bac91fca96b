//! `ftbench`: small workloads that tests and benchmarks call from Python.

#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]

use std::sync::atomic::{AtomicI64, Ordering};

use pyo3_ft::exceptions::PyOverflowError;
use pyo3_ft::prelude::*;
use pyo3_ft::types::{PyModule, PyTuple};
use pyo3_ft::{pyclass, pyfunction, pymethods, pymodule, wrap_pyfunction};

mod buffers;

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
    let mut greeting = String::with_capacity(7 + name.len() + punctuation.len());
    greeting.push_str("Hello, ");
    greeting.push_str(name);
    greeting.push_str(punctuation);
    greeting
}

/// Panics in Rust with `msg`: Python sees a `PanicException`.
#[pyfunction]
fn panic_now(msg: &str) {
    panic!("{msg}");
}

/// Starts `threads` Rust threads that each keep a reference to `obj` and
/// attach in a loop, using it, until the interpreter refuses them: the
/// shape of a background worker that outlives the script that started it.
/// Each thread then drops its reference detached.
#[pyfunction]
fn start_background_attachers(py: Python<'_>, obj: Py<PyAny>, threads: usize) {
    for _ in 0..threads {
        let obj = obj.clone_ref(py);
        std::thread::spawn(move || {
            while Python::try_attach(|py| obj.bind(py).repr().map(drop)).is_ok() {
                std::thread::yield_now();
            }
        });
    }
}

/// A point in the plane: immutable, shared freely between threads.
#[pyclass(module = "ftbench")]
#[derive(Clone, Copy)]
struct Point {
    #[py(get)]
    x: f64,
    #[py(get)]
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

    /// `Point(x=3.0, y=4.0)`, with the coordinates as Python writes floats.
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let repr =
            |v: f64| -> PyResult<String> { Ok(v.into_pyobject(py)?.repr()?.to_str()?.to_owned()) };
        Ok(format!("Point(x={}, y={})", repr(self.x)?, repr(self.y)?))
    }

    /// Equal by value; `!=` follows from it.
    fn __eq__(&self, other: PyRef<'_, Point>) -> bool {
        self.x == other.x && self.y == other.y
    }

    /// Consistent with `==`: `0.0 == -0.0`, so both hash alike.
    fn __hash__(&self) -> u64 {
        let bits = |v: f64| if v == 0.0 { 0 } else { v.to_bits() };
        bits(self.x).rotate_left(32) ^ bits(self.y)
    }
}

/// A counter behind the class's lock: `&mut self` methods take it
/// exclusively, other threads wait detached.
#[pyclass(mutable, module = "ftbench")]
struct Counter {
    count: i64,
}

#[pymethods]
impl Counter {
    #[new]
    #[py(signature = (start = 0))]
    fn new(start: i64) -> Self {
        Counter { count: start }
    }

    #[py(signature = (by = 1))]
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
#[pyclass(module = "ftbench")]
struct AtomicCounter {
    count: AtomicI64,
}

#[pymethods]
impl AtomicCounter {
    #[new]
    #[py(signature = (start = 0))]
    fn new(start: i64) -> Self {
        AtomicCounter {
            count: AtomicI64::new(start),
        }
    }

    /// Adds `by`; OverflowError (and no change) if the sum would overflow.
    #[py(signature = (by = 1))]
    fn incr(&self, by: i64) -> PyResult<()> {
        self.count
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |count| {
                count.checked_add(by)
            })
            .map(drop)
            .map_err(|_| PyOverflowError::new_err("AtomicCounter overflowed a 64-bit integer"))
    }

    #[getter]
    fn value(&self) -> i64 {
        self.count.load(Ordering::Relaxed)
    }
}

/// Integers repeated: `Repeat(times, items)` holds `items * times`, and
/// calling an instance, `r(times, items)`, returns its own items followed
/// by `items * times`. Its constructor (for subclasses) and its `__call__`
/// take a tuple and the caller's keyword dict (`tp_new`, `tp_call`).
#[pyclass(subclass, module = "ftbench")]
struct Repeat {
    items: Vec<i64>,
}

#[pymethods]
impl Repeat {
    #[new]
    fn new(times: usize, items: Vec<i64>) -> Self {
        Repeat {
            items: items.repeat(times),
        }
    }

    fn __call__(&self, times: usize, items: Vec<i64>) -> Vec<i64> {
        let mut all = self.items.clone();
        all.extend(items.repeat(times));
        all
    }

    #[getter]
    fn items(&self) -> Vec<i64> {
        self.items.clone()
    }
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
    m.add_function(wrap_pyfunction!(start_background_attachers))?;
    m.add_class::<Point>()?;
    m.add_class::<Counter>()?;
    m.add_class::<AtomicCounter>()?;
    m.add_class::<Repeat>()?;
    m.add_function(wrap_pyfunction!(buffers::sum_f64))?;
    m.add_function(wrap_pyfunction!(buffers::fill_range))?;
    m.add_function(wrap_pyfunction!(buffers::fill_parallel))?;
    m.add_class::<buffers::Bytes>()?;
    m.add_class::<buffers::Samples>()?;
    Ok(())
}
