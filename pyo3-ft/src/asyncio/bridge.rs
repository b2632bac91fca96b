//! The Python half of the bridge (`bridge.py`), loaded once into a private
//! namespace, and the Python objects both directions use.

use crate::err::PyResult;
use crate::instance::{Bound, Py};
use crate::python::Python;
use crate::sync::PyOnceLock;
use crate::types::{PyAny, PyDict};

const SOURCE: &str = include_str!("bridge.py");

/// A function or class of `bridge.py`.
pub(super) fn helper<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    static NAMESPACE: PyOnceLock<Py<PyDict>> = PyOnceLock::new();
    let namespace = NAMESPACE.get_or_try_init(py, || {
        let namespace = PyDict::new(py);
        py.run(SOURCE, Some(&namespace), None)?;
        Ok::<_, crate::PyErr>(namespace.unbind())
    })?;
    namespace.bind(py).as_any().get_item(name)
}

/// `asyncio.CancelledError()`.
pub(super) fn cancelled_error(py: Python<'_>) -> crate::PyErr {
    static CANCELLED_ERROR: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    match CANCELLED_ERROR
        .import(py, "asyncio", "CancelledError")
        .and_then(|class| class.call0())
    {
        Ok(instance) => crate::PyErr::from_value(instance),
        Err(err) => err,
    }
}
