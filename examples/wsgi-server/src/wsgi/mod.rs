//! Running one request through a WSGI application, on an executor worker.

mod client;
pub(crate) mod environ;
mod file_wrapper;
pub(crate) mod forwarded;
mod input;
pub(crate) mod length;
mod response;

use std::net::SocketAddr;

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::{HeaderMap, Method, StatusCode, Uri, Version};
use pyo3_ft::intern;
use pyo3_ft::prelude::*;
use pyo3_ft::types::{PyBytes, PyList, PyTuple};
use tokio::sync::oneshot;

pub use client::{ClientError, ClientLink};
pub use environ::is_mounted;
pub use file_wrapper::FileWrapper;
pub use forwarded::TrustedProxies;
pub use input::Input;
pub use response::{Head, StartResponse};

use response::Sent;

/// What a worker needs of a request: its head and, unless it is empty, its
/// body.
#[derive(Debug)]
pub struct Request {
    pub method: Method,
    pub uri: Uri,
    pub version: Version,
    pub headers: HeaderMap,
    pub body: Option<Incoming>,
    /// The server's address (`None` on a Unix socket).
    pub local: Option<SocketAddr>,
    /// The client's address (`None` on a Unix socket).
    pub peer: Option<SocketAddr>,
    /// The connection is TLS (`wsgi.url_scheme` `https`, unless a trusted
    /// proxy says otherwise).
    pub secure: bool,
    /// The connection, for bounded waits on the client.
    pub client: ClientLink,
}

/// What the server tells every call of the application.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// `SCRIPT_NAME`, without a trailing slash (empty for the root).
    pub script_name: String,
    /// `wsgi.multiprocess`: other processes serve the same application.
    pub multiprocess: bool,
    /// The peers whose `X-Forwarded-For`/`-Proto` are believed.
    pub trusted_proxies: TrustedProxies,
}

/// Whose fault it was if a request failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Ok,
    /// The application raised, or broke PEP 3333 or its own
    /// `Content-Length` (logged with its traceback or the mismatch).
    ApplicationError,
    /// The client sent a malformed body, or stalled (logged as such).
    ClientError,
}

/// How a request went, for the access log.
#[derive(Debug, Clone, Copy)]
pub struct Outcome {
    /// The status sent (0 if nothing was).
    pub status: u16,
    /// Body bytes sent.
    pub body_bytes: u64,
    pub verdict: Verdict,
}

/// Calls `app(environ, start_response)` and drives the response; the
/// headers go to `head` when PEP 3333 says they may. Never fails: an
/// exception becomes a 500 (or an aborted body, if the headers are out)
/// and its traceback goes to the log; a client's fault is answered and
/// logged as such.
pub fn call(
    py: Python<'_>,
    app: &Py<PyAny>,
    mut request: Request,
    settings: &Settings,
    head: oneshot::Sender<Head>,
) -> Outcome {
    let client = request.client.clone();
    let head_request = request.method == Method::HEAD;
    let input = Bound::new(py, Input::new(request.body.take(), client.clone()));
    let responder = Bound::new(py, StartResponse::new(head, head_request, client));
    let (input, responder) = match (input, responder) {
        (Ok(input), Ok(responder)) => (input, responder),
        (Err(err), _) | (_, Err(err)) => {
            crate::error!("cannot create the WSGI objects of a request: {err}");
            return Outcome {
                status: 0,
                body_bytes: 0,
                verdict: Verdict::ApplicationError,
            };
        }
    };
    let result = run(py, app, &request, settings, &input, &responder);
    let client_error = input.get().client_error(py);
    input.get().finish(py);
    let verdict = judge(py, &request, result, client_error, responder.get());
    let (status, body_bytes) = responder.get().summary(py);
    Outcome {
        status,
        body_bytes,
        verdict,
    }
}

/// Finishes a failed response and logs what went wrong, once, blaming the
/// client or the application.
fn judge(
    py: Python<'_>,
    request: &Request,
    result: PyResult<()>,
    body_error: Option<ClientError>,
    responder: &StartResponse,
) -> Verdict {
    let (method, uri) = (&request.method, &request.uri);
    if let Some(stalled) = responder.client_error(py) {
        crate::error!(
            "{method} {uri}: {stalled}; the connection was closed and the worker released"
        );
        return Verdict::ClientError;
    }
    match (result, body_error) {
        (Err(_), Some(client)) => {
            let status = client.status();
            responder.fail(py, status, true);
            crate::warn!("{method} {uri}: client error: {client}; answered {status}");
            Verdict::ClientError
        }
        (Err(err), None) => {
            let sent = responder.headers_sent(py);
            responder.fail(py, StatusCode::INTERNAL_SERVER_ERROR, false);
            let what = if sent {
                "failed after the response started; the connection was aborted"
            } else {
                "failed; answered 500"
            };
            crate::error!("{method} {uri}: the application {what}:\n{err}");
            Verdict::ApplicationError
        }
        (Ok(()), _) => match responder.length_mismatch(py) {
            Some(mismatch) => {
                crate::error!("{method} {uri}: the application {mismatch}");
                Verdict::ApplicationError
            }
            None => Verdict::Ok,
        },
    }
}

/// The application call, the body, and `close()`: the first error, if any
/// (a later one is logged).
fn run(
    py: Python<'_>,
    app: &Py<PyAny>,
    request: &Request,
    settings: &Settings,
    input: &Bound<'_, Input>,
    responder: &Bound<'_, StartResponse>,
) -> PyResult<()> {
    let environ = environ::build(py, request, input, settings)?;
    let iterable = app.bind(py).call1((environ, responder.clone()))?;
    let body = drive(py, responder.get(), &iterable);
    // PEP 3333: `close()` is called whatever happened, even if the client left.
    let closed = match iterable.getattr_opt(intern!(py, "close")) {
        Ok(Some(close)) => close.call0().map(drop),
        Ok(None) => Ok(()),
        Err(err) => Err(err),
    };
    match (body, closed) {
        (Err(err), Err(close_err)) => {
            crate::error!(
                "{} {}: close() failed too:\n{close_err}",
                request.method,
                request.uri
            );
            Err(err)
        }
        (Err(err), _) | (_, Err(err)) => Err(err),
        (Ok(()), Ok(())) => Ok(()),
    }
}

/// Passes the iterable's chunks on. A list or tuple is the whole body, sent
/// with the headers in one piece; any other iterable is streamed chunk by
/// chunk as it yields (headers with the first non-empty one).
fn drive(py: Python<'_>, responder: &StartResponse, iterable: &Bound<'_, PyAny>) -> PyResult<()> {
    if iterable.is_instance_of::<PyList>() || iterable.is_instance_of::<PyTuple>() {
        let mut whole = Vec::new();
        for item in iterable.try_iter()? {
            whole.extend_from_slice(chunk(&item?)?.as_bytes());
        }
        return responder.complete(py, Bytes::from(whole)).map(drop);
    }
    for item in iterable.try_iter()? {
        let item = item?;
        let data = Bytes::copy_from_slice(chunk(&item)?.as_bytes());
        if let Sent::ClientGone = responder.push(py, data)? {
            // Stop producing: nobody reads it. `close()` still runs.
            return Ok(());
        }
    }
    responder.end(py)
}

/// A body chunk, which PEP 3333 requires to be `bytes`.
fn chunk<'a, 'py>(item: &'a Bound<'py, PyAny>) -> PyResult<&'a Bound<'py, PyBytes>> {
    item.downcast::<PyBytes>().map_err(|_| {
        pyo3_ft::exceptions::PyTypeError::new_err(format!(
            "a WSGI application must yield bytes, not {}",
            item.get_type().qualname_lossy()
        ))
    })
}
