//! The HTTP side: accepting connections, turning requests into executor
//! jobs, and shutting down gracefully.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::body::{Body as _, Incoming};
use hyper::ext::ReasonPhrase;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request as HttpRequest, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use pyo3_ft::executor::{ExecError, Executor};
use pyo3_ft::prelude::*;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, watch};
use tokio::task::JoinSet;

use crate::body::ResponseBody;
use crate::wsgi::{self, Head, Request};

/// How long a client may take to send a request's headers.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// What the request handlers share.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// `SCRIPT_NAME` (empty for the root).
    pub script_name: String,
    /// Log a line per request.
    pub access_log: bool,
    /// How long in-flight requests may take after shutdown begins.
    pub graceful_timeout: Duration,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            script_name: String::new(),
            access_log: false,
            graceful_timeout: Duration::from_secs(30),
        }
    }
}

struct Context {
    app: Arc<Py<PyAny>>,
    executor: Arc<Executor>,
    /// `options.script_name`, shared with the jobs without a copy each.
    script_name: Arc<str>,
    options: ServeOptions,
}

/// What [`serve`] reports when it returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeReport {
    /// Connections accepted.
    pub connections: u64,
    /// Connections closed forcibly because the graceful timeout ran out.
    pub aborted: usize,
}

/// Serves `app` on `listener` until `shutdown` completes; then stops
/// accepting, lets every in-flight request finish (closing idle keep-alive
/// connections at once), and returns once all connections are closed or
/// [`ServeOptions::graceful_timeout`] ran out. The executor is the caller's
/// to shut down afterwards.
pub async fn serve(
    listener: TcpListener,
    app: Py<PyAny>,
    executor: Arc<Executor>,
    options: ServeOptions,
    shutdown: impl Future<Output = ()>,
) -> io::Result<ServeReport> {
    let graceful_timeout = options.graceful_timeout;
    let context = Arc::new(Context {
        app: Arc::new(app),
        executor,
        script_name: options.script_name.as_str().into(),
        options,
    });
    let (stop, stopping) = watch::channel(false);
    let mut connections = JoinSet::new();
    let mut accepted = 0u64;
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            incoming = listener.accept() => match incoming {
                Ok((stream, peer)) => {
                    accepted += 1;
                    connections.spawn(connection(stream, peer, Arc::clone(&context), stopping.clone()));
                }
                Err(err) => {
                    // Out of file descriptors and the like: do not spin.
                    crate::warn!("accept failed: {err}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    crate::info!(
        "shutting down: finishing {} open connection(s)",
        connections.len()
    );
    let _ = stop.send(true);
    let drained = tokio::time::timeout(graceful_timeout, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    let aborted = if drained.is_err() {
        let left = connections.len();
        crate::warn!("graceful timeout: closing {left} connection(s) with requests still running");
        connections.shutdown().await;
        left
    } else {
        0
    };
    Ok(ServeReport {
        connections: accepted,
        aborted,
    })
}

/// One HTTP/1.1 connection, with keep-alive, until the client closes it or
/// shutdown begins (then it finishes the request in flight first).
async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    context: Arc<Context>,
    mut stopping: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let local = match stream.local_addr() {
        Ok(local) => local,
        Err(_) => return,
    };
    let service = service_fn(move |request| handle(request, Arc::clone(&context), local, peer));
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), service);
    let mut connection = std::pin::pin!(connection);
    let result = tokio::select! {
        result = connection.as_mut() => result,
        _ = async { let _ = stopping.wait_for(|stop| *stop).await; } => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(err) = result {
        // Malformed requests (answered 400 by hyper), clients that vanish
        // mid-request, aborted bodies: the client's business, not the log's
        // unless it is the server's fault.
        if !(err.is_parse() || err.is_incomplete_message() || err.is_canceled() || err.is_closed())
        {
            crate::warn!("connection from {peer}: {err}");
        }
    }
}

/// One request: a job on the executor that calls the application; the
/// response starts as soon as the job sends the headers, and its body is
/// streamed while the job is still running.
async fn handle(
    request: HttpRequest<Incoming>,
    context: Arc<Context>,
    local: SocketAddr,
    peer: SocketAddr,
) -> Result<Response<ResponseBody>, Infallible> {
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    let access_log = context
        .options
        .access_log
        .then(|| (parts.method.clone(), parts.uri.clone()));
    let request = Request {
        method: parts.method,
        uri: parts.uri,
        version: parts.version,
        headers: parts.headers,
        body: (!body.is_end_stream()).then_some(body),
        local,
        peer,
    };
    let (head_sender, mut head) = oneshot::channel();
    let app = Arc::clone(&context.app);
    let script_name = Arc::clone(&context.script_name);
    let job = context.executor.submit(move |py| {
        let outcome = wsgi::call(py, &app, request, &script_name, head_sender);
        if let Some((method, path)) = access_log {
            crate::info!(
                "{peer} \"{method} {path}\" {} {} {:.1}ms",
                outcome.status,
                outcome.body_bytes,
                started.elapsed().as_secs_f64() * 1e3
            );
        }
        Ok(())
    });
    let mut job = std::pin::pin!(job);
    let head = tokio::select! {
        biased;
        head = &mut head => head.ok(),
        finished = &mut job => match finished {
            // The job sent the head or dropped its sender: either is ready.
            Ok(()) => head.await.ok(),
            Err(ExecError::ShutDown | ExecError::Cancelled) => {
                return Ok(simple(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable\n"));
            }
            Err(err) => {
                crate::error!("the request job failed: {err}");
                None
            }
        },
    };
    // The job may still be streaming the body; dropping its future does
    // not stop it.
    Ok(match head {
        Some(head) => response(head),
        None => simple(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error\n"),
    })
}

fn response(head: Head) -> Response<ResponseBody> {
    let mut response = Response::new(head.body);
    *response.status_mut() = head.status;
    *response.headers_mut() = head.headers;
    if let Some(reason) = head.reason {
        if let Ok(reason) = ReasonPhrase::try_from(reason) {
            response.extensions_mut().insert(reason);
        }
    }
    response
}

fn simple(status: StatusCode, text: &'static str) -> Response<ResponseBody> {
    let mut response = Response::new(ResponseBody::full(text));
    *response.status_mut() = status;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
