//! `receive()`: the request body as `http.request` messages, then
//! `http.disconnect` once the response is complete or the client is gone.
//!
//! A pump on the I/O runtime reads the body (bounded by the body timeout)
//! into a one-message channel and closes it when the exchange ends;
//! `receive()` takes the next message, or `http.disconnect` from a closed
//! channel. Taking from the channel is cancel-safe, so a `receive()`
//! cancelled while it waits loses nothing, and a message that is there
//! already is returned without suspending.

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Body as _, Incoming};
use hyper::StatusCode;
use pyo3_ft::asyncio::future_into_py;
use pyo3_ft::prelude::*;
use pyo3_ft::types::{PyBytes, PyCFunction, PyDict};
use tokio::sync::{mpsc, Mutex};

use super::exchange::Exchange;

/// A piece of the request body.
struct Piece {
    body: Bytes,
    more: bool,
}

/// `http.request` for a piece; `http.disconnect` for none.
fn message(py: Python<'_>, piece: Option<Piece>) -> PyResult<Py<PyDict>> {
    let message = PyDict::new(py);
    match piece {
        Some(Piece { body, more }) => {
            message.set_item("type", "http.request")?;
            message.set_item("body", PyBytes::new(py, &body))?;
            message.set_item("more_body", more)?;
        }
        None => message.set_item("type", "http.disconnect")?,
    }
    Ok(message.unbind())
}

/// The `receive` callable of one request; starts its pump.
pub(super) fn function<'py>(
    py: Python<'py>,
    exchange: &Arc<Exchange>,
    body: Option<Incoming>,
) -> PyResult<Bound<'py, PyCFunction>> {
    let (sender, pieces) = mpsc::channel(1);
    exchange
        .waits
        .runtime
        .spawn(pump(Arc::clone(exchange), body, sender));
    let pieces = Arc::new(Mutex::new(pieces));
    PyCFunction::new_closure(py, Some(c"receive"), None, move |args, _| {
        let pieces = Arc::clone(&pieces);
        future_into_py(args.py(), async move {
            let piece = pieces.lock().await.recv().await;
            Python::attach(|py| message(py, piece))
        })
        .map(Bound::unbind)
    })
}

/// Reads the body into `pieces`, then waits for the exchange to end and
/// closes the channel (by returning).
async fn pump(exchange: Arc<Exchange>, body: Option<Incoming>, pieces: mpsc::Sender<Piece>) {
    let complete = match body {
        None => true,
        Some(body) => read(&exchange, body, &pieces).await,
    };
    if complete
        && pieces
            .send(Piece {
                body: Bytes::new(),
                more: false,
            })
            .await
            .is_err()
    {
        return;
    }
    tokio::select! {
        () = exchange.ended() => {}
        () = pieces.closed() => {}
    }
}

/// Sends the body's pieces; `true` if it was read to its end (the last,
/// empty piece is the caller's), `false` if the client broke it.
async fn read(exchange: &Exchange, mut body: Incoming, pieces: &mpsc::Sender<Piece>) -> bool {
    let limit = exchange.waits.max_body;
    let mut received = 0u64;
    loop {
        if body.is_end_stream() {
            return true;
        }
        let frame = match tokio::time::timeout(exchange.waits.body, body.frame()).await {
            Err(_) => {
                crate::warn!(
                    "{}: client error: no request body for {:.1}s (--body-timeout)",
                    exchange.label,
                    exchange.waits.body.as_secs_f64()
                );
                exchange.client_error(StatusCode::REQUEST_TIMEOUT);
                return false;
            }
            Ok(None) => return true,
            Ok(Some(Err(err))) => {
                crate::warn!(
                    "{}: client error: a malformed request body: {err}",
                    exchange.label
                );
                exchange.client_error(StatusCode::BAD_REQUEST);
                return false;
            }
            Ok(Some(Ok(frame))) => frame,
        };
        let Ok(data) = frame.into_data() else {
            continue; // trailers
        };
        received += data.len() as u64;
        if limit > 0 && received > limit {
            crate::warn!(
                "{}: client error: a request body over --max-body-bytes {limit}",
                exchange.label
            );
            exchange.client_error(StatusCode::PAYLOAD_TOO_LARGE);
            return false;
        }
        let piece = Piece {
            body: data,
            more: true,
        };
        if pieces.send(piece).await.is_err() {
            return false; // the application is done with it
        }
    }
}
