//! Serving an ASGI 3 application (`--interface asgi`).
//!
//! Each request is one task on an asyncio event loop of a
//! [`pyo3_ft::asyncio::EventLoops`] pool: one loop per worker thread, so on
//! a free-threaded interpreter the workers run the application in
//! parallel. `receive` and `send` are Rust functions that return
//! awaitables ([`pyo3_ft::asyncio::future_into_py`]); the waits they stand
//! for (the client's body, room in the response's channel) run on the I/O
//! runtime, bounded by the server's timeouts.
//!
//! - `http.request` messages stream the request body as it arrives;
//!   `http.disconnect` follows once the response is complete or the client
//!   is gone.
//! - `http.response.start` is held until the first body message: a
//!   response whose body comes in one message goes out whole, with its
//!   length; otherwise it is streamed, each `send` waiting for room in a
//!   small channel (backpressure).
//! - The response never exceeds its declared `Content-Length`; a short
//!   body closes the connection. An application that fails before
//!   starting its response gets a 500.
//! - The `lifespan` protocol runs once, on the first loop, before the
//!   server accepts connections ([`lifespan`]).

mod exchange;
pub mod lifespan;
mod receive;
mod scope;
mod send;

use std::sync::Arc;

use pyo3_ft::asyncio::EventLoops;
use pyo3_ft::prelude::*;
use pyo3_ft::types::PyDict;
use tokio::sync::{oneshot, watch};

use crate::wsgi::{Head, Outcome, Request, Settings, Verdict};
use exchange::Exchange;

/// An ASGI application and the loops it runs on.
pub struct AsgiApp {
    /// The ASGI callable, `async def app(scope, receive, send)`.
    pub app: Py<PyAny>,
    /// One event loop per worker.
    pub loops: EventLoops,
    /// The lifespan state, copied into every request's `scope["state"]`.
    pub state: Py<PyDict>,
}

impl std::fmt::Debug for AsgiApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsgiApp")
            .field("loops", &self.loops)
            .finish_non_exhaustive()
    }
}

/// Held by the server's handler until the response's head is out: dropped
/// before that (hyper drops the handler when the client leaves), it tells
/// the application's `receive` that the client is gone.
#[derive(Debug)]
pub struct ClientGone(Option<watch::Sender<bool>>);

impl ClientGone {
    /// The guard, and what [`call`] watches.
    pub fn new() -> (ClientGone, watch::Receiver<bool>) {
        let (sender, receiver) = watch::channel(false);
        (ClientGone(Some(sender)), receiver)
    }

    /// The head is out: the client did not leave before it.
    pub fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for ClientGone {
    fn drop(&mut self) {
        if let Some(sender) = self.0.take() {
            sender.send_replace(true);
        }
    }
}

/// How the server bounds the waits of `receive` and `send`.
#[derive(Debug, Clone)]
pub struct Waits {
    /// The I/O runtime, whose timers bound the waits.
    pub runtime: tokio::runtime::Handle,
    /// Longest wait for the next piece of a request body.
    pub body: std::time::Duration,
    /// Longest wait for the client to take a piece of the response.
    pub write: std::time::Duration,
    /// Largest request body taken (0: no limit).
    pub max_body: u64,
}

/// Runs one request through the application. The response's head goes to
/// `head` as soon as the application has said enough; the returned future
/// ends when the application's call has (the body may still be in flight
/// to the client). `gone` turns true if the client leaves before the head
/// is sent.
pub async fn call(
    app: Arc<AsgiApp>,
    request: Request,
    settings: Settings,
    waits: Waits,
    head: oneshot::Sender<Head>,
    gone: watch::Receiver<bool>,
) -> Outcome {
    let exchange = Arc::new(Exchange::new(head, gone, &request, waits));
    let job_exchange = Arc::clone(&exchange);
    let job_app = Arc::clone(&app);
    // Everything Python of the request happens on the loop's thread; this
    // (I/O) thread does not attach.
    let call = app.loops.run::<(), _>(move |py| {
        let state = job_app.state.bind(py);
        let scope = scope::build(py, &request, &settings, state)?;
        let receive = receive::function(py, &job_exchange, request.body)?;
        let send = send::function(py, &job_exchange)?;
        job_app.app.bind(py).call1((scope, receive, send))
    });
    let finished = call.await;
    if let Err(err) = &finished {
        crate::error!("{}: the application raised:\n{err}", exchange.label);
    }
    exchange.finish(finished.is_err())
}

/// The verdict when the application fails or breaks the protocol.
fn verdict(failed: bool, client_error: bool) -> Verdict {
    match (failed, client_error) {
        (_, true) => Verdict::ClientError,
        (true, false) => Verdict::ApplicationError,
        (false, false) => Verdict::Ok,
    }
}
