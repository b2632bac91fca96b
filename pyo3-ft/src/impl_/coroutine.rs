//! What `#[pyfunction] async fn` and `async fn` methods expand to: the
//! call's future as a coroutine that runs it once awaited (see
//! `crate::asyncio`, feature `asyncio`).

use std::future::Future;

use crate::err::PyResult;
use crate::instance::{Bound, Py};
use crate::python::Python;
use crate::types::PyAny;

#[cfg(feature = "asyncio")]
use super::IntoPyReturn;

/// Met by every future when the `asyncio` feature is on; without it, the
/// error says what to enable.
#[diagnostic::on_unimplemented(
    message = "an `async fn` callable from Python needs pyo3-ft's `asyncio` feature",
    label = "this `async fn` is exposed to Python",
    note = "enable it in Cargo.toml: pyo3-ft = {{ ..., features = [\"asyncio\"] }}"
)]
pub trait AsyncioFeature {}

#[cfg(feature = "asyncio")]
impl<F> AsyncioFeature for F {}

/// The coroutine a Python caller gets: once awaited, the future is polled
/// on the awaiting event loop, its output converted as a synchronous
/// function's would be.
#[cfg(feature = "asyncio")]
pub fn awaitable<'py, F>(py: Python<'py>, future: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future + Send + 'static + AsyncioFeature,
    F::Output: for<'a> IntoPyReturn<'a> + Send + 'static,
{
    crate::asyncio::coroutine(py, async move {
        let output = future.await;
        Python::attach(|py| {
            let object = output.into_py_return(py)?;
            // SAFETY: `into_py_return` returns an owned reference.
            Ok(unsafe { Py::<PyAny>::from_owned_ptr(object) })
        })
    })
}

/// Without the `asyncio` feature: refuses to compile, through
/// [`AsyncioFeature`].
#[cfg(not(feature = "asyncio"))]
pub fn awaitable<'py, F>(_py: Python<'py>, _future: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future + Send + 'static + AsyncioFeature,
{
    unreachable!("no future implements AsyncioFeature without the asyncio feature")
}

/// The owned `self` an async method's future keeps.
pub fn owned_slf<T>(slf: &Bound<'_, T>) -> Py<T> {
    slf.clone().unbind()
}
