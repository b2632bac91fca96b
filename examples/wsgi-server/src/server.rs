//! The HTTP side: accepting connections, turning requests into executor
//! jobs, and shutting down gracefully.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::body::{Body as _, Incoming};
use hyper::ext::ReasonPhrase;
use hyper::server::conn::{http1, http2};
use hyper::service::service_fn;
use hyper::{Request as HttpRequest, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulConnection;
use pyo3_ft::executor::{ExecError, Executor};
use pyo3_ft::prelude::*;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{mpsc, oneshot, watch, Notify};
use tokio::task::JoinSet;

use crate::access_log::{AccessLogFormat, Captured, Finished};
use crate::activity::{Activity, Tracked};
use crate::asgi::{self, AsgiApp};
use crate::body::{BodyError, ResponseBody};
use crate::config::{Limits, Timeouts};
use crate::counters::Counters;
use crate::inflight::InFlight;
use crate::listener::{Accepted, Listener, PeerName};
use crate::protocol::{self, Protocol, Rewound};
use crate::tls::Tls;
use crate::wsgi::{self, ClientLink, Head, Outcome, Request, TrustedProxies};

/// What the request handlers share.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// `SCRIPT_NAME` (empty for the root).
    pub script_name: String,
    /// Log a line per request.
    pub access_log: Option<AccessLogFormat>,
    /// Other processes serve the same application (`wsgi.multiprocess`).
    pub multiprocess: bool,
    /// The peers whose `X-Forwarded-For`/`-Proto` are believed.
    pub trusted_proxies: TrustedProxies,
    /// How long in-flight requests may take after shutdown begins.
    pub graceful_timeout: Duration,
    pub timeouts: Timeouts,
    /// How long the application may take to start a response before the
    /// client gets a 504 (`None`: no limit).
    pub request_timeout: Option<Duration>,
    pub limits: Limits,
    /// Stop accepting (as at a shutdown) after this many requests (0:
    /// never).
    pub max_requests: u64,
    /// Serve every listener over TLS with these settings (`None`: clear
    /// text).
    pub tls: Option<Tls>,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            script_name: String::new(),
            access_log: None,
            multiprocess: false,
            trusted_proxies: TrustedProxies::default(),
            graceful_timeout: Duration::from_secs(30),
            timeouts: Timeouts::default(),
            request_timeout: None,
            limits: Limits::default(),
            max_requests: 0,
            tls: None,
        }
    }
}

/// The application, and what runs it.
#[derive(Debug, Clone)]
pub enum Application {
    /// A PEP 3333 callable, called on the executor's workers.
    Wsgi {
        app: Py<PyAny>,
        executor: Arc<Executor>,
    },
    /// An ASGI 3 callable, run as tasks on the pool's event loops.
    Asgi(Arc<AsgiApp>),
}

struct Context {
    application: Application,
    /// What every application call is told.
    settings: wsgi::Settings,
    options: ServeOptions,
    /// The I/O runtime, whose timers bound the workers' waits on clients.
    runtime: tokio::runtime::Handle,
    counters: Arc<Counters>,
    in_flight: Arc<InFlight>,
    /// Requests handed to the application so far.
    started: AtomicU64,
    /// Set once no more connections are to be accepted: at shutdown, or
    /// when `options.max_requests` requests have started.
    stop_accepting: watch::Sender<bool>,
}

/// What [`serve`] reports when it returns.
#[derive(Debug, Clone)]
pub struct ServeReport {
    /// Connections accepted.
    pub connections: u64,
    /// Connections closed forcibly because the graceful timeout ran out.
    pub aborted: usize,
    /// Requests by outcome (final once the executor has drained).
    pub counters: Arc<Counters>,
    /// When the graceful timeout runs out (or ran out).
    pub deadline: Instant,
    /// The requests still running in Python (they may finish later).
    pub in_flight: Arc<InFlight>,
}

/// Serves `app` on `listeners` until `shutdown` completes; then stops
/// accepting, lets every in-flight request finish (closing idle keep-alive
/// connections at once), and returns once all connections are closed or
/// [`ServeOptions::graceful_timeout`] ran out. The executor is the caller's
/// to shut down afterwards.
pub async fn serve(
    listeners: Vec<Listener>,
    app: Py<PyAny>,
    executor: Arc<Executor>,
    options: ServeOptions,
    shutdown: impl Future<Output = ()>,
) -> io::Result<ServeReport> {
    serve_application(
        listeners,
        Application::Wsgi { app, executor },
        options,
        shutdown,
    )
    .await
}

/// [`serve`] for either kind of [`Application`].
pub async fn serve_application(
    listeners: Vec<Listener>,
    application: Application,
    options: ServeOptions,
    shutdown: impl Future<Output = ()>,
) -> io::Result<ServeReport> {
    let graceful_timeout = options.graceful_timeout;
    let context = Arc::new(Context {
        application,
        settings: wsgi::Settings {
            script_name: options.script_name.clone(),
            multiprocess: options.multiprocess,
            trusted_proxies: options.trusted_proxies.clone(),
        },
        options,
        runtime: tokio::runtime::Handle::current(),
        counters: Arc::default(),
        in_flight: Arc::default(),
        started: AtomicU64::new(0),
        stop_accepting: watch::Sender::new(false),
    });
    let (stop, stopping) = watch::channel(false);
    let (accepted_sender, mut incoming) = mpsc::channel(ACCEPT_QUEUE);
    let mut acceptors = JoinSet::new();
    for listener in listeners {
        let stop = context.stop_accepting.subscribe();
        acceptors.spawn(accept_loop(listener, accepted_sender.clone(), stop));
    }
    drop(accepted_sender);
    let mut recycled = context.stop_accepting.subscribe();
    let mut connections = JoinSet::new();
    let mut accepted = 0u64;
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            _ = recycled.wait_for(|stop| *stop) => {
                crate::info!(
                    "served {} request(s) (--max-requests): stopping to be replaced",
                    context.options.max_requests
                );
                break;
            }
            Some(stream) = incoming.recv() => {
                accepted += 1;
                connections.spawn(connection(stream, Arc::clone(&context), stopping.clone()));
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    // The acceptors stop and close the listening sockets; what they
    // accepted is served. (A connection still in the kernel's queue of a
    // socket shared with other processes stays there for them.)
    context.stop_accepting.send_replace(true);
    while let Some(stream) = incoming.recv().await {
        accepted += 1;
        connections.spawn(connection(stream, Arc::clone(&context), stopping.clone()));
    }
    while acceptors.join_next().await.is_some() {}
    crate::info!(
        "shutting down: finishing {} open connection(s)",
        connections.len()
    );
    let _ = stop.send(true);
    let deadline = Instant::now() + graceful_timeout;
    let aborted = drain(connections, graceful_timeout).await;
    Ok(ServeReport {
        connections: accepted,
        aborted,
        counters: Arc::clone(&context.counters),
        deadline,
        in_flight: Arc::clone(&context.in_flight),
    })
}

/// Waits for `connections` to finish their requests, at most `limit`; then
/// closes the rest and returns how many there were.
async fn drain(mut connections: JoinSet<()>, limit: Duration) -> usize {
    let drained = tokio::time::timeout(limit, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_ok() {
        return 0;
    }
    let left = connections.len();
    crate::warn!("graceful timeout: closing {left} connection(s) with requests still running");
    connections.shutdown().await;
    left
}

/// Connections accepted but not yet taken by the serving loop.
const ACCEPT_QUEUE: usize = 64;

/// Accepts connections on `listener` and passes them on, until `stop` is
/// set (then it closes the listener without dropping a connection it took)
/// or the receiver is gone.
async fn accept_loop(
    listener: Listener,
    accepted: mpsc::Sender<Accepted>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let incoming = tokio::select! {
            biased;
            _ = stop.wait_for(|stop| *stop) => return,
            incoming = listener.accept() => incoming,
        };
        match incoming {
            Ok(stream) => {
                if accepted.send(stream).await.is_err() {
                    return;
                }
            }
            Err(err) => {
                // Out of file descriptors and the like: do not spin.
                crate::warn!("accept failed on {}: {err}", listener.describe());
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

/// One connection, until the client closes it, shutdown begins (then it
/// finishes the requests in flight first), it has had no request in
/// progress for the header timeout, or a worker gives up on the client
/// (then it closes at once).
async fn connection(stream: Accepted, context: Arc<Context>, stopping: watch::Receiver<bool>) {
    match stream {
        Accepted::Tcp(stream, peer) => {
            let Ok(local) = stream.local_addr() else {
                return;
            };
            let ends = Ends {
                local: Some(local),
                peer: Some(peer),
            };
            open_and_serve(stream, ends, context, stopping).await;
        }
        Accepted::Unix(stream) => {
            open_and_serve(stream, Ends::default(), context, stopping).await;
        }
    }
}

/// A connection's addresses (`None` on a Unix socket).
#[derive(Debug, Clone, Copy, Default)]
struct Ends {
    local: Option<SocketAddr>,
    peer: Option<SocketAddr>,
}

/// [`connection`], on a stream of either kind: the TLS handshake if there
/// is one, and which HTTP the client speaks (both bounded by the header
/// timeout, and given up at shutdown), then the requests.
async fn open_and_serve<S>(
    stream: S,
    ends: Ends,
    context: Arc<Context>,
    mut stopping: watch::Receiver<bool>,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let limit = context.options.timeouts.header;
    let peer = PeerName(ends.peer);
    let opened = async {
        match &context.options.tls {
            Some(tls) => {
                let (stream, chosen) = tls.handshake(stream, limit, peer).await?;
                choose(Box::new(stream), chosen, limit, peer).await
            }
            None => choose(Box::new(stream), None, limit, peer).await,
        }
    };
    let opened = tokio::select! {
        opened = opened => opened,
        _ = stopping.wait_for(|stop| *stop) => None,
    };
    if let Some((protocol, stream)) = opened {
        serve_connection(TokioIo::new(stream), protocol, ends, context, stopping).await;
    }
}

/// A connection's stream, TLS or not, with the bytes read to tell its
/// protocol put back.
type Stream = Rewound<Box<dyn Io>>;

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}

impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// The protocol ALPN `chosen`, else the one the client's first bytes show
/// (read for at most `limit`).
async fn choose(
    stream: Box<dyn Io>,
    chosen: Option<Protocol>,
    limit: Duration,
    peer: PeerName,
) -> Option<(Protocol, Stream)> {
    if let Some(protocol) = chosen {
        return Some((protocol, Rewound::new(Vec::new(), stream)));
    }
    match tokio::time::timeout(limit, protocol::detect(stream)).await {
        Ok(Ok(detected)) => Some(detected),
        Ok(Err(_)) => None,
        Err(_) => {
            crate::info!(
                "connection from {peer}: no request within {:.1}s (--header-timeout)",
                limit.as_secs_f64()
            );
            None
        }
    }
}

/// Serves the requests of a connection speaking `protocol`.
async fn serve_connection(
    io: TokioIo<Stream>,
    protocol: Protocol,
    ends: Ends,
    context: Arc<Context>,
    stopping: watch::Receiver<bool>,
) {
    let close = Arc::new(Notify::new());
    let activity = Arc::new(Activity::new());
    let (timeouts, limits) = (context.options.timeouts, context.options.limits);
    let client = ClientLink::new(
        context.runtime.clone(),
        timeouts,
        limits.body_bytes,
        Arc::clone(&close),
    );
    let tracker = Arc::clone(&activity);
    let service = service_fn(move |request| {
        let busy = tracker.begin();
        let response = handle(request, Arc::clone(&context), client.clone(), ends);
        async move { Ok::<_, Infallible>(response.await.map(|body| Tracked::new(body, busy))) }
    });
    let watch = Watch {
        close,
        stopping,
        activity,
        idle: timeouts.header,
    };
    let result = match protocol {
        Protocol::Http1 => {
            let connection = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(timeouts.header)
                .max_headers(limits.headers)
                .max_header_size(limits.header_bytes)
                .keep_alive(true)
                .serve_connection(io, service);
            watch.run(connection).await
        }
        Protocol::Http2 => {
            let connection = http2::Builder::new(TokioExecutor::new())
                .timer(TokioTimer::new())
                .max_header_list_size(u32::try_from(limits.header_bytes).unwrap_or(u32::MAX))
                .serve_connection(io, service);
            watch.run(connection).await
        }
    };
    if let Some(Err(err)) = result {
        if !is_logged_elsewhere(&err) {
            crate::warn!("connection from {}: {err}", PeerName(ends.peer));
        }
    }
}

/// What ends a connection besides its client.
struct Watch {
    /// Notified by a worker that gives up on the client: closes at once.
    close: Arc<Notify>,
    /// Set at shutdown: finishes the requests in flight, then closes.
    stopping: watch::Receiver<bool>,
    /// Without a request in progress for `idle`, closes as at shutdown
    /// (HTTP/2: GOAWAY).
    activity: Arc<Activity>,
    idle: Duration,
}

impl Watch {
    /// Drives `connection` to its end; `None` if it was closed at once.
    async fn run<C>(self, connection: C) -> Option<Result<(), hyper::Error>>
    where
        C: GracefulConnection<Error = hyper::Error>,
    {
        let Watch {
            close,
            mut stopping,
            activity,
            idle,
        } = self;
        let mut connection = std::pin::pin!(connection);
        let wind_down = async {
            tokio::select! {
                _ = stopping.wait_for(|stop| *stop) => {}
                () = activity.idle_for(idle) => {}
            }
        };
        tokio::select! {
            result = connection.as_mut() => return Some(result),
            // Dropping the connection closes it.
            () = close.notified() => return None,
            () = wind_down => connection.as_mut().graceful_shutdown(),
        }
        tokio::select! {
            result = connection => Some(result),
            () = close.notified() => None,
        }
    }
}

/// Malformed requests (answered 400 by hyper), clients that vanish
/// mid-request (or before an HTTP/2 GOAWAY), responses a worker aborted
/// (and logged): the client's business or already in the log.
fn is_logged_elsewhere(err: &hyper::Error) -> bool {
    let source = std::error::Error::source(err);
    let aborted_body = source.is_some_and(|source| source.is::<BodyError>());
    let vanished = source
        .and_then(|source| source.downcast_ref::<io::Error>())
        .is_some_and(|err| {
            matches!(
                err.kind(),
                io::ErrorKind::BrokenPipe
                    | io::ErrorKind::ConnectionReset
                    | io::ErrorKind::ConnectionAborted
            )
        });
    err.is_parse()
        || err.is_incomplete_message()
        || err.is_canceled()
        || err.is_closed()
        || err.is_body_write_aborted()
        || aborted_body
        || vanished
}

/// One request: a job on the executor that calls the application; the
/// response starts as soon as the job sends the headers, and its body is
/// streamed while the job is still running.
async fn handle(
    request: HttpRequest<Incoming>,
    context: Arc<Context>,
    client: ClientLink,
    ends: Ends,
) -> Response<ResponseBody> {
    let started = Instant::now();
    let Ends { local, peer } = ends;
    let (parts, body) = request.into_parts();
    if let Some(refusal) = refuse(&parts, &context, peer) {
        return refusal;
    }
    context.count_start();
    let label = format!("{} {}", parts.method, parts.uri);
    let ticket = context
        .in_flight
        .enter(format!("{label} from {}", PeerName(peer)));
    let access = context
        .options
        .access_log
        .as_ref()
        .map(|format| format.capture(&parts, PeerName(peer)));
    let request = Request {
        method: parts.method,
        uri: parts.uri,
        version: parts.version,
        headers: parts.headers,
        body: (!body.is_end_stream()).then_some(body),
        local,
        peer,
        secure: context.options.tls.is_some(),
        client,
    };
    let (head_sender, head) = oneshot::channel();
    let job_context = Arc::clone(&context);
    let timeout = context.options.request_timeout;
    match &context.application {
        Application::Wsgi { executor, .. } => {
            let job = executor.submit(move |py| {
                let _ticket = ticket;
                let context = job_context;
                let Application::Wsgi { app, .. } = &context.application else {
                    unreachable!("a WSGI job of an ASGI server");
                };
                let outcome = wsgi::call(py, app, request, &context.settings, head_sender);
                context.record(access, started, outcome);
                Ok(())
            });
            await_head(job, head, timeout, &label).await
        }
        Application::Asgi(app) => {
            let (gone, left) = asgi::ClientGone::new();
            let waits = asgi::Waits {
                runtime: context.runtime.clone(),
                body: context.options.timeouts.body,
                write: context.options.timeouts.write,
                max_body: context.options.limits.body_bytes,
            };
            let settings = context.settings.clone();
            let call = asgi::call(Arc::clone(app), request, settings, waits, head_sender, left);
            let task = context.runtime.spawn(async move {
                let _ticket = ticket;
                job_context.record(access, started, call.await);
            });
            let job = async { task.await.map_err(|_| ExecError::Cancelled) };
            let response = await_head(job, head, timeout, &label).await;
            // Answered: from now on the body's channel tells if the client
            // leaves. (Dropped before this line, `gone` says it left.)
            gone.disarm();
            response
        }
    }
}

/// What the server answers itself, without calling the application: a
/// path outside the mount point (404), too many header fields (431), a
/// declared body over the limit (413).
fn refuse(
    parts: &hyper::http::request::Parts,
    context: &Context,
    peer: Option<SocketAddr>,
) -> Option<Response<ResponseBody>> {
    let (method, uri) = (&parts.method, &parts.uri);
    if !wsgi::is_mounted(uri.path(), &context.settings.script_name) {
        if let Some(format) = &context.options.access_log {
            let captured = format.capture(parts, PeerName(peer));
            let finished = Finished {
                status: 404,
                body_bytes: 10,
                took: Duration::ZERO,
            };
            crate::info!(
                "{} (outside --script-name)",
                format.render(&captured, finished)
            );
        }
        return Some(simple(StatusCode::NOT_FOUND, "Not Found\n"));
    }
    let limits = context.options.limits;
    if parts.headers.len() > limits.headers {
        // HTTP/1.1's parser refuses these itself; HTTP/2's has no count.
        crate::warn!(
            "{method} {uri}: client error: {} header fields, over --max-headers {}; \
             answered 431 Request Header Fields Too Large",
            parts.headers.len(),
            limits.headers
        );
        return Some(simple(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "Request Header Fields Too Large\n",
        ));
    }
    let limit = limits.body_bytes;
    let declared = parts
        .headers
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok()?.parse::<u64>().ok());
    match declared {
        Some(length) if limit > 0 && length > limit => {
            crate::warn!(
                "{method} {uri}: client error: a body of {length} bytes is over \
                 --max-body-bytes {limit}; answered 413 Payload Too Large"
            );
            // The body is not read: the connection cannot serve another.
            Some(closing(simple(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Payload Too Large\n",
            )))
        }
        _ => None,
    }
}

/// Waits for the job to send the response's head; the response starts
/// then, and its body is streamed while the job is still running. After
/// `request_timeout`, the client gets a 504 instead (the job goes on).
async fn await_head(
    job: impl Future<Output = Result<(), ExecError>>,
    mut head: oneshot::Receiver<Head>,
    request_timeout: Option<Duration>,
    label: &str,
) -> Response<ResponseBody> {
    let deadline = async {
        match request_timeout {
            Some(limit) => tokio::time::sleep(limit).await,
            None => std::future::pending().await,
        }
    };
    let mut job = std::pin::pin!(job);
    let head = tokio::select! {
        biased;
        head = &mut head => head.ok(),
        finished = &mut job => match finished {
            // The job sent the head or dropped its sender: either is ready.
            Ok(()) => head.await.ok(),
            Err(ExecError::ShutDown | ExecError::Cancelled) => {
                return simple(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable\n");
            }
            Err(err) => {
                crate::error!("the request job failed: {err}");
                None
            }
        },
        () = deadline => {
            crate::error!(
                "{label}: the application did not start its response within {:.1}s \
                 (--request-timeout); answered 504, while its call goes on (Python code \
                 cannot be interrupted)",
                request_timeout.unwrap_or_default().as_secs_f64()
            );
            return simple(StatusCode::GATEWAY_TIMEOUT, "Gateway Timeout\n");
        }
    };
    // The job may still be streaming the body; dropping its future does
    // not stop it.
    match head {
        Some(head) => response(head),
        None => simple(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error\n"),
    }
}

impl Context {
    /// Logs a finished request (with `--access-log`) and counts its
    /// outcome.
    fn record(&self, access: Option<Captured>, started: Instant, outcome: Outcome) {
        if let (Some(format), Some(captured)) = (&self.options.access_log, access) {
            let finished = Finished {
                status: outcome.status,
                body_bytes: outcome.body_bytes,
                took: started.elapsed(),
            };
            crate::info!("{}", format.render(&captured, finished));
        }
        self.counters.record(outcome.verdict);
    }

    /// Counts a request handed to the application, and stops accepting at
    /// the `max_requests`th: at once, before its response goes out, so that
    /// a client's next connection waits for the next process.
    fn count_start(&self) {
        let started = self.started.fetch_add(1, Ordering::Relaxed) + 1;
        if started == self.options.max_requests {
            self.stop_accepting.send_replace(true);
        }
    }
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

/// `response` with `Connection: close`.
fn closing(mut response: Response<ResponseBody>) -> Response<ResponseBody> {
    response.headers_mut().insert(
        hyper::header::CONNECTION,
        hyper::header::HeaderValue::from_static("close"),
    );
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
