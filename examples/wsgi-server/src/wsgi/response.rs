//! `start_response` and `write`, and the state of the response they build:
//! the status and headers the application set, and whether (and how) they
//! have gone to the client.
//!
//! PEP 3333's rules: headers go out with the first non-empty body chunk
//! (or when the body ends empty), never earlier; `start_response` may be
//! called again only with `exc_info`, which replaces the headers if they
//! have not gone out and re-raises the exception if they have.

use bytes::Bytes;
use hyper::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_LENGTH};
use hyper::StatusCode;
use pyo3_ft::exceptions::{PyAssertionError, PyOSError, PyTypeError, PyValueError};
use pyo3_ft::prelude::*;
use pyo3_ft::sync::Mutex;
use pyo3_ft::types::{PyBytes, PyString};
use pyo3_ft::{pyclass, pymethods};
use tokio::sync::{mpsc, oneshot};

use super::client::{ClientError, ClientLink};
use super::length::BodyLength;
use crate::body::{BodyError, Chunk, ResponseBody};

/// Chunks a streamed body may have in flight between a worker and hyper.
const STREAM_BUFFER: usize = 4;

/// Why a body short of its `Content-Length` was cut off.
const SHORT_BODY: &str = "the body ended short of its Content-Length";

/// What the HTTP side receives once the headers go out.
#[derive(Debug)]
pub struct Head {
    pub status: StatusCode,
    /// The application's reason phrase, when it is not the standard one.
    pub reason: Option<String>,
    pub headers: HeaderMap,
    pub body: ResponseBody,
}

/// Status and headers set by `start_response`, not yet sent.
struct Pending {
    status: StatusCode,
    reason: Option<String>,
    headers: HeaderMap,
    content_length: Option<u64>,
}

/// Where the response stands.
enum Phase {
    /// Nothing sent; the HTTP side waits on `head`.
    NotSent { head: oneshot::Sender<Head> },
    /// Headers and the whole body are out.
    Complete,
    /// Headers are out; chunks follow on `chunks`.
    Streaming { chunks: mpsc::Sender<Chunk> },
    /// The client went away (or the response was aborted).
    Closed,
}

struct State {
    pending: Option<Pending>,
    phase: Phase,
    /// The request was a HEAD: the response has no body, whatever its
    /// `Content-Length` says.
    head_request: bool,
    /// The body produced against the length declared in the head sent.
    length: BodyLength,
    /// The status sent, for the access log.
    status: u16,
    /// Set when the client stopped reading the response.
    client_error: Option<ClientError>,
}

/// The `start_response` callable (PEP 3333). Calling it returns its
/// `write` method.
#[pyclass(module = "wsgi_server", name = "StartResponse")]
pub struct StartResponse {
    state: Mutex<State>,
    client: ClientLink,
}

/// Whether a streamed chunk went out.
pub(crate) enum Sent {
    Yes,
    ClientGone,
}

impl StartResponse {
    pub(crate) fn new(
        head: oneshot::Sender<Head>,
        head_request: bool,
        client: ClientLink,
    ) -> StartResponse {
        StartResponse {
            state: Mutex::new(State {
                pending: None,
                phase: Phase::NotSent { head },
                head_request,
                length: BodyLength::default(),
                status: 0,
                client_error: None,
            }),
            client,
        }
    }

    /// Whether the headers have gone out (or can no longer go out).
    pub(crate) fn headers_sent(&self, py: Python<'_>) -> bool {
        !matches!(self.state.lock(py).phase, Phase::NotSent { .. })
    }

    /// The status sent and the body bytes passed on, for the access log.
    pub(crate) fn summary(&self, py: Python<'_>) -> (u16, u64) {
        let state = self.state.lock(py);
        (state.status, state.length.sent())
    }

    /// Why the client stopped reading the response, if it did.
    pub(crate) fn client_error(&self, py: Python<'_>) -> Option<ClientError> {
        self.state.lock(py).client_error.clone()
    }

    /// How the body the application produced disagreed with its
    /// `Content-Length`, once the body ended.
    pub(crate) fn length_mismatch(&self, py: Python<'_>) -> Option<String> {
        self.state.lock(py).length.mismatch()
    }

    /// The body is complete and is `data`: sends headers and body at once
    /// (or, if streaming already began, the last chunk).
    pub(crate) fn complete(&self, py: Python<'_>, data: Bytes) -> PyResult<Sent> {
        let mut state = self.state.lock(py);
        match &state.phase {
            Phase::NotSent { .. } => state.send_whole(data),
            Phase::Streaming { .. } => {
                drop(state);
                let sent = self.push(py, data)?;
                self.end(py)?;
                Ok(sent)
            }
            Phase::Complete | Phase::Closed => Ok(Sent::ClientGone),
        }
    }

    /// One more chunk of a body of unknown length: the first sends the
    /// headers (all at once if it is the whole `Content-Length`); the next
    /// ones wait, detached, while the client is slower than the app.
    pub(crate) fn push(&self, py: Python<'_>, data: Bytes) -> PyResult<Sent> {
        if data.is_empty() {
            return Ok(Sent::Yes);
        }
        let mut state = self.state.lock(py);
        let (chunks, data) = match &state.phase {
            Phase::NotSent { .. } => return state.send_first(data),
            Phase::Streaming { chunks } => {
                let chunks = chunks.clone();
                (chunks, state.length.admit(data))
            }
            Phase::Complete => {
                // Beyond the declared length: counted, never sent.
                state.length.admit(data);
                return Ok(Sent::Yes);
            }
            Phase::Closed => return Ok(Sent::ClientGone),
        };
        if state.length.reached() {
            // The declared length is out with this chunk: the body ends.
            state.phase = Phase::Complete;
        }
        drop(state);
        // Waits, detached, while the channel is full.
        match self.client.write(chunks.send(Ok(data))) {
            Ok(Ok(())) => Ok(Sent::Yes),
            Ok(Err(_)) => {
                self.state.lock(py).phase = Phase::Closed;
                Ok(Sent::ClientGone)
            }
            Err(stalled) => {
                self.client.close();
                let mut state = self.state.lock(py);
                state.phase = Phase::Closed;
                state.client_error = Some(stalled);
                Ok(Sent::ClientGone)
            }
        }
    }

    /// The body ended: sends the headers with an empty body if nothing went
    /// out yet, and ends a streamed body.
    pub(crate) fn end(&self, py: Python<'_>) -> PyResult<()> {
        let mut state = self.state.lock(py);
        match std::mem::replace(&mut state.phase, Phase::Closed) {
            head @ Phase::NotSent { .. } => {
                state.phase = head;
                state.send_whole(Bytes::new()).map(drop)
            }
            Phase::Streaming { chunks } => {
                if state.length.is_short() {
                    // hyper would close the connection anyway; say why.
                    let _ = chunks.try_send(Err(BodyError(SHORT_BODY.into())));
                }
                state.phase = Phase::Complete;
                Ok(())
            }
            done => {
                state.phase = done;
                Ok(())
            }
        }
    }

    /// The request failed. Before the headers went out: answers `status`
    /// (the application's own headers are discarded), closing the
    /// connection after it if `close`. After: the streamed body is aborted,
    /// so that the client sees a broken response, not a short one.
    pub(crate) fn fail(&self, py: Python<'_>, status: StatusCode, close: bool) {
        let mut state = self.state.lock(py);
        match std::mem::replace(&mut state.phase, Phase::Closed) {
            Phase::NotSent { head } => {
                state.phase = Phase::NotSent { head };
                let mut headers = plain_text_headers();
                if close {
                    headers.insert(hyper::header::CONNECTION, HeaderValue::from_static("close"));
                }
                state.pending = Some(Pending {
                    status,
                    reason: None,
                    headers,
                    content_length: None,
                });
                let text = format!("{}\n", status.canonical_reason().unwrap_or("Error"));
                state.length = BodyLength::new(None);
                state.length.admit(Bytes::from(text.clone()));
                let _ = state.send_head(ResponseBody::full(text), Phase::Complete);
            }
            Phase::Streaming { chunks } => {
                let _ = chunks.try_send(Err(BodyError("the application failed".into())));
            }
            Phase::Complete => state.phase = Phase::Complete,
            Phase::Closed => {}
        }
    }
}

impl State {
    /// Whether the pending response has no body, whatever the application
    /// yields and its `Content-Length` says: the answer to a HEAD, a 1xx,
    /// 204 or 304.
    fn bodiless(&self) -> bool {
        let Some(pending) = self.pending.as_ref() else {
            return false;
        };
        let status = pending.status;
        self.head_request
            || status.is_informational()
            || status == StatusCode::NO_CONTENT
            || status == StatusCode::NOT_MODIFIED
    }

    /// Starts counting the body against the pending head's length.
    fn start_body(&mut self) {
        let declared = self.pending.as_ref().and_then(|p| p.content_length);
        self.length = BodyLength::new(declared);
    }

    /// Sends the pending head alone; what the application yields is
    /// dropped.
    fn send_bodiless(&mut self) -> PyResult<Sent> {
        self.length = BodyLength::new(None);
        self.send_head(ResponseBody::full(Bytes::new()), Phase::Complete)
    }

    /// Sends the head with `data` as the whole body: cut off if it is
    /// short of the declared length, cut down if it is longer.
    fn send_whole(&mut self, data: Bytes) -> PyResult<Sent> {
        if self.bodiless() {
            return self.send_bodiless();
        }
        self.start_body();
        let data = self.length.admit(data);
        let body = if self.length.is_short() {
            ResponseBody::cut(data, SHORT_BODY)
        } else {
            ResponseBody::full(data)
        };
        self.send_head(body, Phase::Complete)
    }

    /// Sends the head with `data`, the first chunk of a body that may have
    /// more: all at once if `data` is the whole declared length, else as
    /// the start of a stream.
    fn send_first(&mut self, data: Bytes) -> PyResult<Sent> {
        if self.bodiless() {
            return self.send_bodiless();
        }
        self.start_body();
        let data = self.length.admit(data);
        if self.length.reached() {
            return self.send_head(ResponseBody::full(data), Phase::Complete);
        }
        let (chunks, receiver) = mpsc::channel(STREAM_BUFFER);
        chunks.try_send(Ok(data)).expect("a new channel has room");
        self.send_head(ResponseBody::stream(receiver), Phase::Streaming { chunks })
    }

    /// Sends the pending headers with `body`, then moves to `next`. Without
    /// pending headers (no `start_response` yet) nothing changes and the
    /// error says so.
    fn send_head(&mut self, body: ResponseBody, next: Phase) -> PyResult<Sent> {
        if !matches!(self.phase, Phase::NotSent { .. }) {
            return Ok(Sent::ClientGone);
        }
        let Some(pending) = self.pending.take() else {
            return Err(PyAssertionError::new_err(
                "the application produced a response body before calling start_response()",
            ));
        };
        let Phase::NotSent { head } = std::mem::replace(&mut self.phase, next) else {
            unreachable!("checked above");
        };
        self.status = pending.status.as_u16();
        let sent = head.send(Head {
            status: pending.status,
            reason: pending.reason,
            headers: pending.headers,
            body,
        });
        if sent.is_ok() {
            Ok(Sent::Yes)
        } else {
            self.phase = Phase::Closed;
            Ok(Sent::ClientGone)
        }
    }
}

fn plain_text_headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        hyper::header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers
}

#[pymethods]
impl StartResponse {
    /// `start_response(status, response_headers, exc_info=None)`.
    #[py(signature = (status, headers, exc_info = None))]
    fn __call__<'py>(
        slf: &Bound<'py, Self>,
        status: &Bound<'py, PyAny>,
        headers: &Bound<'py, PyAny>,
        exc_info: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let this = slf.get();
        let exc_info = exc_info.filter(|info| !info.is_none());
        match &exc_info {
            Some(info) if this.headers_sent(py) => return Err(reraise(info)),
            None if this.state.lock(py).pending.is_some() || this.headers_sent(py) => {
                return Err(PyAssertionError::new_err(
                    "start_response() was already called; only an error handler passing \
                     exc_info may call it again",
                ));
            }
            _ => {}
        }
        let pending = parse_head(status, headers)?;
        this.state.lock(py).pending = Some(pending);
        slf.getattr("write")
    }

    /// The imperative `write(data)` of PEP 3333: sends the headers if they
    /// have not gone out, then `data`, before returning.
    fn write(&self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<()> {
        let data = data.downcast::<PyBytes>().map_err(|_| {
            PyTypeError::new_err(format!(
                "write() argument must be bytes, not {}",
                data.get_type().qualname_lossy()
            ))
        })?;
        if self.state.lock(py).pending.is_none() && !self.headers_sent(py) {
            return Err(PyAssertionError::new_err(
                "write() called before start_response()",
            ));
        }
        let chunk = Bytes::copy_from_slice(data.as_bytes());
        match self.push(py, chunk)? {
            Sent::Yes => Ok(()),
            Sent::ClientGone => Err(PyOSError::new_err(match self.client_error(py) {
                Some(stalled) => stalled.to_string(),
                None => "the client closed the connection".to_owned(),
            })),
        }
    }
}

/// `raise exc_info[1].with_traceback(exc_info[2])`.
fn reraise(info: &Bound<'_, PyAny>) -> PyErr {
    let value = match info.get_item(1) {
        Ok(value) => value,
        Err(err) => return err,
    };
    if let Ok(traceback) = info.get_item(2) {
        if !traceback.is_none() {
            if let Err(err) = value.call_method1("with_traceback", (traceback,)) {
                return err;
            }
        }
    }
    PyErr::from_value(value)
}

/// Validates and converts what the application passed to `start_response`.
fn parse_head(status: &Bound<'_, PyAny>, headers: &Bound<'_, PyAny>) -> PyResult<Pending> {
    let status_text = status.downcast::<PyString>().map_err(|_| {
        PyTypeError::new_err(format!(
            "status must be a str, not {}",
            status.get_type().qualname_lossy()
        ))
    })?;
    let status_text = status_text.to_str()?;
    let (code, reason) = status_text.split_once(' ').unwrap_or((status_text, ""));
    let status = (code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit()))
        .then(|| StatusCode::from_bytes(code.as_bytes()).ok())
        .flatten()
        .ok_or_else(|| {
            PyValueError::new_err(format!(
                "status must start with a three-digit code, as in '200 OK', not {status_text:?}"
            ))
        })?;
    if reason.bytes().any(|b| b.is_ascii_control()) {
        return Err(PyValueError::new_err(format!(
            "control character in status {status_text:?}"
        )));
    }
    let reason = (Some(reason) != status.canonical_reason() && !reason.is_empty())
        .then(|| reason.to_owned());

    let mut map = HeaderMap::new();
    let mut content_length = None;
    for item in headers.try_iter()? {
        let item = item?;
        let pair: (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract().map_err(|_| {
            PyTypeError::new_err("response headers must be (name, value) tuples of str")
        })?;
        let name = header_str(&pair.0, "name")?;
        let value = header_str(&pair.1, "value")?;
        let header_name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| PyValueError::new_err(format!("invalid header name {name:?}")))?;
        let latin1: Option<Vec<u8>> = value
            .chars()
            .map(|c| u8::try_from(u32::from(c)).ok())
            .collect();
        let header_value = latin1
            .and_then(|bytes| HeaderValue::from_bytes(&bytes).ok())
            .ok_or_else(|| {
                PyValueError::new_err(format!("invalid value for header {name:?}: {value:?}"))
            })?;
        if is_hop_by_hop(&header_name) {
            // The server owns the connection (gunicorn ignores these too),
            // except that an application may ask to close it.
            let close =
                header_name == hyper::header::CONNECTION && value.eq_ignore_ascii_case("close");
            if !close {
                continue;
            }
        }
        if header_name == CONTENT_LENGTH {
            content_length =
                Some(value.trim().parse::<u64>().map_err(|_| {
                    PyValueError::new_err(format!("invalid Content-Length {value:?}"))
                })?);
        }
        map.append(header_name, header_value);
    }
    Ok(Pending {
        status,
        reason,
        headers: map,
        content_length,
    })
}

fn header_str(object: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    match object.downcast::<PyString>() {
        Ok(text) => Ok(text.to_str()?.to_owned()),
        Err(_) => Err(PyTypeError::new_err(format!(
            "header {what} must be a str, not {}",
            object.get_type().qualname_lossy()
        ))),
    }
}

/// RFC 9110's connection-specific headers, which a WSGI application must
/// not set.
fn is_hop_by_hop(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "connection"
            | "keep-alive"
            | "proxy-authenticate"
            | "proxy-authorization"
            | "te"
            | "trailer"
            | "trailers"
            | "transfer-encoding"
            | "upgrade"
    )
}
