//! `receive()`: the request body as `http.request` messages, then
//! `http.disconnect` once the response is complete or the client is gone.

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Body as _, Incoming};
use hyper::StatusCode;
use pyo3_ft::asyncio::future_into_py;
use pyo3_ft::exceptions::PyRuntimeError;
use pyo3_ft::prelude::*;
use pyo3_ft::types::{PyBytes, PyCFunction, PyDict};

use super::exchange::Exchange;

/// What `receive()` returns next.
enum Message {
    Request { body: Bytes, more: bool },
    Disconnect,
}

impl Message {
    fn into_dict(self, py: Python<'_>) -> PyResult<Py<PyDict>> {
        let message = PyDict::new(py);
        match self {
            Message::Request { body, more } => {
                message.set_item("type", "http.request")?;
                message.set_item("body", PyBytes::new(py, &body))?;
                message.set_item("more_body", more)?;
            }
            Message::Disconnect => message.set_item("type", "http.disconnect")?,
        }
        Ok(message.unbind())
    }
}

/// The request body, read from the I/O runtime.
struct Reader {
    body: Option<Incoming>,
    received: u64,
}

/// The `receive` callable of one request.
pub(super) fn function<'py>(
    py: Python<'py>,
    exchange: &Arc<Exchange>,
    body: Option<Incoming>,
) -> PyResult<Bound<'py, PyCFunction>> {
    let exchange = Arc::clone(exchange);
    let reader = Arc::new(tokio::sync::Mutex::new(Reader { body, received: 0 }));
    PyCFunction::new_closure(py, Some(c"receive"), None, move |args, _| {
        let (exchange, reader) = (Arc::clone(&exchange), Arc::clone(&reader));
        // The wait needs the I/O runtime's timers: it runs there, and the
        // awaitable waits for its handle.
        let next = exchange
            .waits
            .runtime
            .clone()
            .spawn(async move { next(&exchange, &mut *reader.lock().await).await });
        future_into_py(args.py(), async move {
            let message = next
                .await
                .map_err(|err| PyRuntimeError::new_err(format!("receive() failed: {err}")))?;
            Python::attach(|py| message.into_dict(py))
        })
        .map(Bound::unbind)
    })
}

async fn next(exchange: &Exchange, reader: &mut Reader) -> Message {
    let Some(body) = reader.body.as_mut() else {
        exchange.ended().await;
        return Message::Disconnect;
    };
    loop {
        if body.is_end_stream() {
            reader.body = None;
            return Message::Request {
                body: Bytes::new(),
                more: false,
            };
        }
        let frame = match tokio::time::timeout(exchange.waits.body, body.frame()).await {
            Err(_) => {
                crate::warn!(
                    "client error: no request body for {:.1}s (--body-timeout)",
                    exchange.waits.body.as_secs_f64()
                );
                return abandon(exchange, reader, StatusCode::REQUEST_TIMEOUT);
            }
            Ok(None) => {
                reader.body = None;
                return Message::Request {
                    body: Bytes::new(),
                    more: false,
                };
            }
            Ok(Some(Err(err))) => {
                crate::warn!("client error: a malformed request body: {err}");
                return abandon(exchange, reader, StatusCode::BAD_REQUEST);
            }
            Ok(Some(Ok(frame))) => frame,
        };
        let Ok(data) = frame.into_data() else {
            continue; // trailers
        };
        reader.received += data.len() as u64;
        let limit = exchange.waits.max_body;
        if limit > 0 && reader.received > limit {
            crate::warn!("client error: a request body over --max-body-bytes {limit}");
            return abandon(exchange, reader, StatusCode::PAYLOAD_TOO_LARGE);
        }
        let more = !body.is_end_stream();
        if !more {
            reader.body = None;
        }
        return Message::Request { body: data, more };
    }
}

/// Stops reading a body the client broke: the application sees the client
/// leave, and gets `status` if it has not answered yet.
fn abandon(exchange: &Exchange, reader: &mut Reader, status: StatusCode) -> Message {
    reader.body = None;
    exchange.client_error(status);
    Message::Disconnect
}
