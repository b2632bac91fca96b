//! `#[pyclass]` options, PyO3 0.28 style.

use std::fmt;

use pyo3_ft::exceptions::{PyException, PyValueError};
use pyo3_ft::prelude::*;
use pyo3_ft::pyclass::{PyTraverseError, PyVisit};
use pyo3_ft::sync::Mutex;
use pyo3_ft::types::{PyDict, PyList};

/// A point: `get_all` getters, `eq`/`hash`, `str` from a format, and
/// by-value extraction (`from_py_object`).
#[pyclass(frozen, get_all, eq, hash, str = "({x}, {y})", from_py_object)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Point {
    x: i64,
    y: i64,
}

#[pymethods]
impl Point {
    #[new]
    fn new(x: i64, y: i64) -> Self {
        Point { x, y }
    }
}

/// Takes a `Point` by value: a clone of the instance's value.
#[pyfunction]
fn manhattan(point: Point) -> i64 {
    point.x.abs() + point.y.abs()
}

/// Reads a `Py<Point>` with `Py::get`, detached.
#[pyfunction]
fn sum_detached(py: Python<'_>, point: Py<Point>) -> i64 {
    py.detach(move || point.get().x + point.get().y)
}

/// `set_all` (a `mutable` class) with camelCase names.
#[pyclass(mutable, get_all, set_all, rename_all = "camelCase")]
pub struct Settings {
    max_depth: u32,
    user_name: String,
}

#[pymethods]
impl Settings {
    #[new]
    fn new() -> Self {
        Settings {
            max_depth: 3,
            user_name: "guest".to_owned(),
        }
    }
}

/// `str` from `Display`.
#[pyclass(str)]
pub struct Celsius {
    degrees: f64,
}

#[pymethods]
impl Celsius {
    #[new]
    fn new(degrees: f64) -> Self {
        Celsius { degrees }
    }
}

impl fmt::Display for Celsius {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.1} °C", self.degrees)
    }
}

/// `name` and `module`.
#[pyclass(name = "Renamed", module = "pyo3_style.custom")]
pub struct RustName {}

#[pymethods]
impl RustName {
    #[new]
    fn new() -> Self {
        RustName {}
    }
}

/// `subclass`: Python classes may extend it.
#[pyclass(subclass)]
pub struct Animal {}

#[pymethods]
impl Animal {
    #[new]
    fn new() -> Self {
        Animal {}
    }

    fn sound(&self) -> &'static str {
        "..."
    }
}

/// `sequence`: a sequence pattern in `match` takes it.
#[pyclass(sequence)]
pub struct Triple {}

#[pymethods]
impl Triple {
    #[new]
    fn new() -> Self {
        Triple {}
    }

    fn __len__(&self) -> usize {
        3
    }

    fn __getitem__(&self, index: isize) -> PyResult<isize> {
        if (0..3).contains(&index) {
            Ok(index * 10)
        } else {
            Err(pyo3_ft::exceptions::PyIndexError::new_err(
                "index out of range",
            ))
        }
    }
}

/// `mapping`: a mapping pattern in `match` takes it.
#[pyclass(mapping)]
pub struct OneKey {}

#[pymethods]
impl OneKey {
    #[new]
    fn new() -> Self {
        OneKey {}
    }

    fn __len__(&self) -> usize {
        1
    }

    fn __getitem__(&self, key: &str) -> PyResult<&'static str> {
        match key {
            "key" => Ok("value"),
            _ => Err(pyo3_ft::exceptions::PyKeyError::new_err(key.to_owned())),
        }
    }
}

/// An exception class with Rust data.
#[pyclass(extends = PyException, get_all)]
pub struct AppError {
    code: i32,
}

#[pymethods]
impl AppError {
    #[new]
    fn new(code: i32) -> Self {
        AppError { code }
    }
}

/// Raises `AppError(code)` from Rust.
#[pyfunction]
fn fail(py: Python<'_>, code: i32) -> PyResult<()> {
    Err(PyErr::from_value(
        Bound::new(py, AppError { code })?.into_any(),
    ))
}

/// A `ValueError` subclass that may hold a Python object, collected
/// through cycles.
#[pyclass(extends = PyValueError, subclass)]
pub struct HoldingError {
    held: Mutex<Option<Py<PyAny>>>,
}

#[pymethods]
impl HoldingError {
    #[new]
    fn new() -> Self {
        HoldingError {
            held: Mutex::new(None),
        }
    }

    fn hold(&self, py: Python<'_>, object: Py<PyAny>) {
        *self.held.lock(py) = Some(object);
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        match self.held.try_lock() {
            Some(held) => visit.call_opt(held.as_ref()),
            None => Ok(()),
        }
    }

    fn __clear__(&self) {
        if let Some(mut held) = self.held.try_lock() {
            held.take();
        }
    }
}

/// A `dict` subclass with a Rust field.
#[pyclass(extends = PyDict, get_all)]
pub struct TaggedDict {
    tag: String,
}

#[pymethods]
impl TaggedDict {
    #[new]
    fn new(tag: String) -> Self {
        TaggedDict { tag }
    }
}

/// A `list` subclass.
#[pyclass(extends = PyList)]
pub struct Stack {}

#[pymethods]
impl Stack {
    #[new]
    fn new() -> Self {
        Stack {}
    }
}

/// The `classes` submodule.
#[pymodule(submodule)]
pub fn classes(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Point>()?;
    m.add_class::<Settings>()?;
    m.add_class::<Celsius>()?;
    m.add_class::<RustName>()?;
    m.add_class::<Animal>()?;
    m.add_class::<Triple>()?;
    m.add_class::<OneKey>()?;
    m.add_class::<AppError>()?;
    m.add_class::<HoldingError>()?;
    m.add_class::<TaggedDict>()?;
    m.add_class::<Stack>()?;
    m.add_function(wrap_pyfunction!(fail, m)?)?;
    m.add_function(wrap_pyfunction!(manhattan, m)?)?;
    m.add_function(wrap_pyfunction!(sum_detached, m)?)?;
    Ok(())
}
