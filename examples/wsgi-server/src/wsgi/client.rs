//! The worker's side of a request's connection: waits on the client that
//! are bounded by the configured timeouts, closing the connection, and
//! what a client did wrong.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hyper::StatusCode;
use pyo3_ft::executor::block_on;
use tokio::runtime::Handle;
use tokio::sync::Notify;

use crate::config::Timeouts;

/// What a worker holds of the connection its request came on.
#[derive(Debug, Clone)]
pub struct ClientLink {
    /// The I/O runtime, whose timers bound the waits.
    runtime: Handle,
    timeouts: Timeouts,
    /// The request body bytes allowed (0: no limit).
    max_body_bytes: u64,
    /// Notified to close the connection at once.
    close: Arc<Notify>,
}

impl ClientLink {
    /// A link to a connection served on `runtime`, which closes when `close`
    /// is notified.
    pub fn new(
        runtime: Handle,
        timeouts: Timeouts,
        max_body_bytes: u64,
        close: Arc<Notify>,
    ) -> ClientLink {
        ClientLink {
            runtime,
            timeouts,
            max_body_bytes,
            close,
        }
    }

    /// Fails once the request body has grown past the limit to `received`
    /// bytes.
    pub(crate) fn check_body_size(&self, received: u64) -> Result<(), ClientError> {
        let limit = self.max_body_bytes;
        if limit > 0 && received > limit {
            return Err(ClientError::BodyTooLarge(limit));
        }
        Ok(())
    }

    /// Waits (detached if attached) for the next piece of the request body,
    /// at most the body timeout.
    pub(crate) fn read<F>(&self, next: F) -> Result<F::Output, ClientError>
    where
        F: Future + Send,
        F::Output: Send,
    {
        let limit = self.timeouts.body;
        self.wait(limit, next)
            .ok_or(ClientError::BodyTimeout(limit))
    }

    /// Waits (detached if attached) until the client takes more of the
    /// response, at most the write timeout.
    pub(crate) fn write<F>(&self, send: F) -> Result<F::Output, ClientError>
    where
        F: Future + Send,
        F::Output: Send,
    {
        let limit = self.timeouts.write;
        self.wait(limit, send)
            .ok_or(ClientError::WriteTimeout(limit))
    }

    /// Closes the connection without finishing its response.
    pub(crate) fn close(&self) {
        self.close.notify_one();
    }

    fn wait<F>(&self, limit: Duration, future: F) -> Option<F::Output>
    where
        F: Future + Send,
        F::Output: Send,
    {
        // The timer is registered with the I/O runtime here, so that this
        // worker thread (not one of the runtime's) can wait on it.
        let bounded = {
            let _runtime = self.runtime.enter();
            tokio::time::timeout(limit, future)
        };
        block_on(bounded).ok()
    }
}

/// Why a request failed through its client's fault, not the application's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientError {
    /// The request body broke off or was malformed (a bad chunk size, ...).
    BadBody(String),
    /// The body grew past this many bytes (`--max-body-bytes`).
    BodyTooLarge(u64),
    /// The client sent no more of the body for this long.
    BodyTimeout(Duration),
    /// The client read none of the response for this long.
    WriteTimeout(Duration),
}

impl ClientError {
    /// A body read that failed with `err`, described with its causes
    /// (hyper's own message is only "error reading a body from
    /// connection").
    pub(crate) fn bad_body(err: &(dyn std::error::Error + 'static)) -> ClientError {
        let mut text = err.to_string();
        let mut cause = err.source();
        while let Some(inner) = cause {
            text += &format!(": {inner}");
            cause = inner.source();
        }
        ClientError::BadBody(text)
    }

    /// The status that answers it (if the response has not started).
    pub fn status(&self) -> StatusCode {
        match self {
            ClientError::BadBody(_) => StatusCode::BAD_REQUEST,
            ClientError::BodyTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ClientError::BodyTimeout(_) | ClientError::WriteTimeout(_) => {
                StatusCode::REQUEST_TIMEOUT
            }
        }
    }
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::BadBody(err) => write!(f, "the request body could not be read: {err}"),
            ClientError::BodyTooLarge(limit) => {
                write!(f, "the request body is over --max-body-bytes {limit}")
            }
            ClientError::BodyTimeout(limit) => write!(
                f,
                "the client sent none of the request body for {:.1}s (--body-timeout)",
                limit.as_secs_f64()
            ),
            ClientError::WriteTimeout(limit) => write!(
                f,
                "the client read none of the response for {:.1}s (--write-timeout)",
                limit.as_secs_f64()
            ),
        }
    }
}
