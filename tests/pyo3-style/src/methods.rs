//! Functions and methods, PyO3 0.28 style: `#[pyo3(...)]` options
//! (`name`, `signature`, `text_signature`, `from_py_with`), receivers under
//! any name and type, the attribute, power, in-place and async magic
//! methods, `#[deleter]`, `#[new]` with `#[classmethod]`, `#[classattr]`
//! constants, and a class with two `#[pymethods]` blocks.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;

use pyo3_ft::exceptions::{PyAttributeError, PyStopIteration};
use pyo3_ft::prelude::*;
use pyo3_ft::types::{PyDict, PyString, PyTuple, PyType};

fn length(object: &Bound<'_, PyAny>) -> PyResult<usize> {
    object.len()
}

#[pyfunction]
#[pyo3(name = "measure", signature = (items, scale = 1), text_signature = "(items, scale=1)")]
fn measure_items(#[pyo3(from_py_with = length)] items: usize, scale: usize) -> usize {
    items * scale
}

#[pyfunction]
#[pyo3(signature = (*args, **kwargs))]
fn count_all(args: Bound<'_, PyTuple>, kwargs: Option<Bound<'_, PyDict>>) -> usize {
    args.len() + kwargs.map_or(0, |k| k.len())
}

#[pyfunction]
#[pyo3(signature = (value = None))]
fn describe(value: Option<&Bound<'_, PyAny>>) -> String {
    match value {
        Some(value) => format!("some {value}"),
        None => "nothing".to_owned(),
    }
}

/// A counter; `mutable` is the one word the compiler asked for.
#[pyclass(mutable)]
pub struct Counter {
    #[pyo3(get, set, name = "count")]
    value: i64,
    label: Option<String>,
}

#[pymethods]
impl Counter {
    #[new]
    #[pyo3(signature = (start = 0))]
    fn new(start: i64) -> Self {
        Counter {
            value: start,
            label: None,
        }
    }

    fn bump<'py>(mut slf: PyRefMut<'py, Self>, by: i64) -> PyRefMut<'py, Self> {
        slf.value += by;
        slf
    }

    fn peek(self_: PyRef<'_, Self>) -> i64 {
        self_.value
    }

    fn same(pyself: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> bool {
        pyself.is(other)
    }

    #[getter]
    fn label(&self) -> Option<String> {
        self.label.clone()
    }

    #[setter]
    fn set_label(&mut self, label: String) {
        self.label = Some(label);
    }

    #[deleter]
    fn delete_label(&mut self) {
        self.label = None;
    }

    fn __iadd__(&mut self, other: i64) {
        self.value += other;
    }

    fn __isub__(&mut self, other: PyRef<'_, Self>) {
        self.value -= other.value;
    }

    fn __ipow__(&mut self, exponent: u32, _modulo: Option<i64>) {
        self.value = self.value.pow(exponent);
    }
}

#[pymethods]
impl Counter {
    #[classattr]
    const ZERO: i64 = 0;

    fn doubled(&self) -> i64 {
        2 * self.value
    }

    fn __pow__(&self, exponent: u32, modulo: Option<i64>) -> i64 {
        let power = self.value.pow(exponent);
        modulo.map_or(power, |m| power % m)
    }

    fn __rpow__(&self, base: i64, _modulo: Option<i64>) -> i64 {
        base.pow(self.value as u32)
    }

    fn __add__(&self, other: &Self) -> i64 {
        self.value + other.value
    }
}

/// Knows which class it was made for.
#[pyclass(subclass)]
pub struct Made {
    #[pyo3(get)]
    kind: String,
}

#[pymethods]
impl Made {
    #[new]
    #[classmethod]
    fn new(cls: &Bound<'_, PyType>) -> PyResult<Self> {
        Ok(Made {
            kind: cls.name()?.to_string(),
        })
    }
}

/// Attributes kept in a Rust list.
#[pyclass]
pub struct Record {
    extra: Mutex<Vec<(String, i64)>>,
}

#[pymethods]
impl Record {
    #[new]
    fn new() -> Self {
        Record {
            extra: Mutex::new(Vec::new()),
        }
    }

    fn __getattr__(&self, name: &str) -> PyResult<i64> {
        let extra = self.extra.lock().unwrap();
        match extra.iter().find(|(n, _)| n == name) {
            Some((_, value)) => Ok(*value),
            None => Err(PyAttributeError::new_err(name.to_owned())),
        }
    }

    fn __setattr__(&self, name: String, value: i64) {
        let mut extra = self.extra.lock().unwrap();
        extra.retain(|(n, _)| *n != name);
        extra.push((name, value));
    }

    fn __delattr__(&self, name: &str) -> PyResult<()> {
        let mut extra = self.extra.lock().unwrap();
        let before = extra.len();
        extra.retain(|(n, _)| n != name);
        if extra.len() == before {
            return Err(PyAttributeError::new_err(name.to_owned()));
        }
        Ok(())
    }
}

/// Answers every attribute with its name in capitals.
#[pyclass]
pub struct Shout;

#[pymethods]
impl Shout {
    #[new]
    fn new() -> Self {
        Shout
    }

    fn __getattribute__(&self, name: Bound<'_, PyString>) -> PyResult<String> {
        Ok(name.to_str()?.to_uppercase())
    }
}

/// Set up by `__init__` after `#[new]`.
#[pyclass(subclass)]
pub struct Initialized {
    value: AtomicI64,
}

#[pymethods]
impl Initialized {
    #[new]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn new(_args: &Bound<'_, PyTuple>, _kwargs: Option<&Bound<'_, PyDict>>) -> Self {
        Initialized {
            value: AtomicI64::new(0),
        }
    }

    #[pyo3(signature = (value, *, twice = false))]
    fn __init__(&self, value: i64, twice: bool) {
        let value = if twice { 2 * value } else { value };
        self.value.store(value, Ordering::SeqCst);
    }

    #[getter]
    fn value(&self) -> i64 {
        self.value.load(Ordering::SeqCst)
    }
}

/// Counts down, synchronously or asynchronously.
#[pyclass]
pub struct Countdown {
    left: AtomicI64,
}

#[pymethods]
impl Countdown {
    #[new]
    fn new(from: i64) -> Self {
        Countdown {
            left: AtomicI64::new(from),
        }
    }

    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&self) -> PyResult<i64> {
        let left = self.left.fetch_sub(1, Ordering::SeqCst);
        if left <= 0 {
            return Err(PyStopIteration::new_err(()));
        }
        Ok(left)
    }

    fn __aiter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __anext__(&self) -> Option<Ready> {
        let left = self.left.fetch_sub(1, Ordering::SeqCst);
        (left > 0).then_some(Ready { value: left })
    }
}

/// An awaitable that finishes at once with `value`.
#[pyclass]
pub struct Ready {
    value: i64,
}

#[pymethods]
impl Ready {
    fn __await__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&self) -> PyResult<Option<i64>> {
        Err(PyStopIteration::new_err((self.value,)))
    }
}

/// The `methods` submodule.
#[pymodule(submodule)]
pub mod methods {
    #[pymodule_export]
    use super::{
        count_all, describe, measure_items, Countdown, Counter, Initialized, Made, Ready, Record,
        Shout,
    };
}
