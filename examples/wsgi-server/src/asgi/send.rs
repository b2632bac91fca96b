//! `send(message)`: the response, from `http.response.start` and
//! `http.response.body` messages.

use std::sync::Arc;

use bytes::Bytes;
use hyper::header::{HeaderName, HeaderValue};
use hyper::{HeaderMap, StatusCode};
use pyo3_ft::asyncio::future_into_py;
use pyo3_ft::exceptions::{PyOSError, PyRuntimeError, PyValueError};
use pyo3_ft::prelude::*;
use pyo3_ft::types::{PyCFunction, PyDict};

use super::exchange::{Exchange, Push, Start};

/// The `send` callable of one request.
pub(super) fn function<'py>(
    py: Python<'py>,
    exchange: &Arc<Exchange>,
) -> PyResult<Bound<'py, PyCFunction>> {
    let exchange = Arc::clone(exchange);
    PyCFunction::new_closure(py, Some(c"send"), None, move |args, _| {
        let py = args.py();
        let message = args.get_item(0)?;
        let message = message.downcast::<PyDict>().map_err(|_| {
            pyo3_ft::exceptions::PyTypeError::new_err("send() takes a message dict")
        })?;
        let kind: String = message
            .get_item("type")?
            .ok_or_else(|| PyValueError::new_err("an ASGI message needs a 'type'"))?
            .extract()?;
        let push = match kind.as_str() {
            "http.response.start" => {
                exchange
                    .start(start(message)?)
                    .map_err(PyRuntimeError::new_err)?;
                Push::Done
            }
            "http.response.body" => {
                let body: Vec<u8> = message
                    .get_item("body")?
                    .map_or(Ok(Vec::new()), |b| b.extract())?;
                let more: bool = message
                    .get_item("more_body")?
                    .map_or(Ok(false), |m| m.extract())?;
                exchange
                    .body(Bytes::from(body), more)
                    .map_err(PyRuntimeError::new_err)?
            }
            other => {
                return Err(PyRuntimeError::new_err(format!(
                    "unexpected ASGI message type {other:?} for an HTTP request"
                )))
            }
        };
        awaitable(py, &exchange, push).map(Bound::unbind)
    })
}

/// The status and headers of `http.response.start`.
fn start(message: &Bound<'_, PyDict>) -> PyResult<Start> {
    let status: u16 = message
        .get_item("status")?
        .ok_or_else(|| PyValueError::new_err("http.response.start needs a 'status'"))?
        .extract()?;
    let status = StatusCode::from_u16(status)
        .map_err(|_| PyValueError::new_err(format!("invalid HTTP status {status}")))?;
    let mut headers = HeaderMap::new();
    if let Some(pairs) = message.get_item("headers")? {
        for pair in pairs.try_iter()? {
            let (name, value): (Vec<u8>, Vec<u8>) = pair?.extract()?;
            let name = HeaderName::from_bytes(&name).map_err(|_| {
                PyValueError::new_err(format!(
                    "invalid header name {:?}",
                    String::from_utf8_lossy(&name)
                ))
            })?;
            let value = HeaderValue::from_bytes(&value)
                .map_err(|_| PyValueError::new_err(format!("invalid value for header {name}")))?;
            headers.append(name, value);
        }
    }
    Ok(Start { status, headers })
}

/// What `send` returns: done at once, or once the chunk is on its way.
fn awaitable<'py>(py: Python<'py>, exchange: &Exchange, push: Push) -> PyResult<Bound<'py, PyAny>> {
    let (sender, chunk) = match push {
        Push::Done => return future_into_py(py, async { Ok(()) }),
        Push::Stream(sender, chunk) => (sender, chunk),
    };
    let write = exchange.waits.write;
    let sent = exchange.waits.runtime.spawn(async move {
        matches!(
            tokio::time::timeout(write, sender.send(chunk)).await,
            Ok(Ok(()))
        )
    });
    future_into_py(py, async move {
        match sent.await {
            Ok(true) => Ok(()),
            _ => Err(PyOSError::new_err(
                "the client disconnected, or did not read the response within --write-timeout",
            )),
        }
    })
}
