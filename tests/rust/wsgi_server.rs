//! The WSGI server example, in process, over loopback: a plain PEP 3333
//! application (`tests/python-apps/plain_app.py`) and a real Flask one
//! (`flask_app.py`; those tests are skipped, saying so, when Flask is not
//! importable: `cargo xtask test` installs it into `target/venv-{ft,gil}`,
//! or point `PYO3FT_TEST_VENV` at a venv of this interpreter that has it).
//!
//! TLS and HTTP/2 have their own file, `wsgi_server/tls_http2.rs`.
//!
//! Every wait is bounded by [`LIMIT`]; nothing sleeps to synchronize: the
//! tests observe the application through its own condition variables.

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::{HeaderMap, Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use pyo3_ft::executor::{Executor, ShutdownMode};
use pyo3_ft::prelude::*;
use pyo3_ft::types::PyDict;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use wsgi_server::config::{Limits, Timeouts};
use wsgi_server::server::{self, ServeOptions, ServeReport};
use wsgi_server::wsgi::TrustedProxies;
use wsgi_server::{app, Config};

#[path = "wsgi_server/asgi.rs"]
mod asgi;
#[path = "wsgi_server/tls_http2.rs"]
mod tls_http2;

/// The longest any step may take before the test counts as hung.
const LIMIT: Duration = Duration::from_secs(60);

fn apps_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("python-apps")
}

/// The venv with Flask: `PYO3FT_TEST_VENV`, else the one `cargo xtask test`
/// prepares for this interpreter.
fn test_venv() -> PathBuf {
    std::env::var_os("PYO3FT_TEST_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let kind = if pyo3_ft::runtime::build_info::GIL_DISABLED {
                "ft"
            } else {
                "gil"
            };
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .parent()
                .unwrap()
                .join("target")
                .join(format!("venv-{kind}"))
        })
}

/// Starts the interpreter once for every test of this process, as the
/// server binary does: the test applications on `sys.path`, and the test
/// venv, when there is one. Every test calls it before it attaches.
fn start_python() {
    static START: std::sync::Once = std::sync::Once::new();
    START.call_once(|| {
        let mut config = Config::new("unused:app");
        config.pythonpath.push(apps_dir());
        let venv = test_venv();
        if venv.join("pyvenv.cfg").is_file() {
            config.venv = Some(venv);
        }
        app::start_python(&config).unwrap_or_else(|err| panic!("{err}"));
    });
}

/// A server on an ephemeral loopback port, in this process.
struct TestServer {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<io::Result<ServeReport>>,
    executor: Arc<Executor>,
}

impl TestServer {
    async fn start(spec: &str, workers: usize, options: ServeOptions) -> TestServer {
        start_python();
        let config = Config::new(spec);
        let (application, gil) =
            Python::attach(|py| app::load(py, &config)).unwrap_or_else(|err| panic!("{err}"));
        // `gil.enabled` may be true for a moment while another test imports
        // an extension module (3.13t enables the GIL during its init): check
        // that no import re-enabled it for good.
        assert!(
            gil.enabled_by.is_empty(),
            "the GIL was re-enabled by {:?}",
            gil.enabled_by
        );
        let executor = Arc::new(
            Executor::builder()
                .workers(workers)
                .queue_capacity(256)
                .build()
                .unwrap(),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server::serve(
            vec![listener.into()],
            application,
            Arc::clone(&executor),
            options,
            async {
                let _ = stopped.await;
            },
        ));
        TestServer {
            addr,
            stop: Some(stop),
            task,
            executor,
        }
    }

    async fn plain(workers: usize) -> TestServer {
        TestServer::start("plain_app:app", workers, ServeOptions::default()).await
    }

    /// Starts the graceful shutdown without waiting for it.
    fn begin_stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    async fn stop(mut self) -> ServeReport {
        self.begin_stop();
        let report = bounded("server shutdown", self.task)
            .await
            .unwrap()
            .unwrap();
        bounded(
            "executor shutdown",
            self.executor.shutdown(ShutdownMode::Drain),
        )
        .await;
        report
    }
}

/// Parsed JSON, held as the Python object `json.loads` made (the tests
/// embed Python anyway); a missing key reads as an absent value.
struct Json(Option<Py<PyAny>>);

impl Json {
    fn parse(text: &str) -> PyResult<Json> {
        Python::attach(|py| {
            let value = py.import("json")?.call_method1("loads", (text,))?;
            Ok(Json(Some(value.unbind())))
        })
    }

    fn get(&self, key: &str) -> Json {
        Python::attach(|py| {
            let value = self.0.as_ref().and_then(|value| {
                let value = value.bind(py);
                value
                    .downcast::<PyDict>()
                    .ok()?
                    .get_item(key)
                    .ok()
                    .flatten()
            });
            Json(value.map(Bound::unbind))
        })
    }

    fn extract<T: for<'a, 'py> FromPyObject<'a, 'py>>(&self) -> Option<T> {
        Python::attach(|py| self.0.as_ref()?.bind(py).extract().ok())
    }

    fn as_str(&self) -> Option<String> {
        let text = Python::attach(|py| {
            self.0
                .as_ref()
                .is_some_and(|value| value.bind(py).is_instance_of::<pyo3_ft::types::PyString>())
        });
        if text {
            self.extract()
        } else {
            None
        }
    }

    fn as_bool(&self) -> Option<bool> {
        let boolean = Python::attach(|py| {
            self.0
                .as_ref()
                .is_some_and(|value| value.bind(py).is_instance_of::<pyo3_ft::types::PyBool>())
        });
        if boolean {
            self.extract()
        } else {
            None
        }
    }

    fn as_i64(&self) -> Option<i64> {
        self.extract()
    }
}

impl std::fmt::Display for Json {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = Python::attach(|py| -> PyResult<String> {
            let Some(value) = &self.0 else {
                return Ok("<missing>".to_owned());
            };
            let kwargs = PyDict::new(py);
            kwargs.set_item("separators", (",", ":"))?;
            py.import("json")?
                .getattr("dumps")?
                .call((value.bind(py),), Some(&kwargs))?
                .extract()
        });
        f.write_str(&text.map_err(|_| std::fmt::Error)?)
    }
}

async fn bounded<F: std::future::Future>(what: &str, future: F) -> F::Output {
    tokio::time::timeout(LIMIT, future)
        .await
        .unwrap_or_else(|_| panic!("hung: {what} took longer than {LIMIT:?}"))
}

/// A keep-alive client connection.
async fn connect(addr: SocketAddr) -> SendRequest<Full<Bytes>> {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (sender, connection) = http1::handshake(TokioIo::new(stream)).await.unwrap();
    tokio::spawn(connection);
    sender
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Reply {
    fn text(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap()
    }

    fn json(&self) -> Json {
        Json::parse(self.text()).unwrap_or_else(|err| panic!("{err}: {}", self.text()))
    }
}

async fn send(
    sender: &mut SendRequest<Full<Bytes>>,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> Reply {
    bounded(path, async {
        sender.ready().await.unwrap();
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header("host", "localhost");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = sender
            .send_request(request.body(Full::new(body.into())).unwrap())
            .await
            .unwrap();
        let (parts, body) = response.into_parts();
        Reply {
            status: parts.status,
            headers: parts.headers,
            body: body.collect().await.unwrap().to_bytes(),
        }
    })
    .await
}

async fn get(addr: SocketAddr, path: &str) -> Reply {
    send(
        &mut connect(addr).await,
        Method::GET,
        path,
        &[],
        Bytes::new(),
    )
    .await
}

/// Sends raw bytes on a new connection and reads until the server closes it.
async fn raw(addr: SocketAddr, request: &[u8]) -> String {
    String::from_utf8_lossy(&raw_bytes(addr, request).await).into_owned()
}

/// [`raw`], as bytes.
async fn raw_bytes(addr: SocketAddr, request: &[u8]) -> Vec<u8> {
    bounded("raw request", async {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(request).await.unwrap();
        let mut response = Vec::new();
        let _ = stream.read_to_end(&mut response).await;
        response
    })
    .await
}

/// The first response in `bytes`, framed by its Content-Length, as (head,
/// body), and what follows it.
fn split_response(bytes: &[u8]) -> (String, &[u8], &[u8]) {
    let end = bytes
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no head in {:?}", String::from_utf8_lossy(bytes)))
        + 4;
    let head = String::from_utf8_lossy(&bytes[..end]).into_owned();
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length: "))
        .unwrap_or_else(|| panic!("no content-length in {head}"))
        .parse()
        .unwrap();
    let body_end = (end + length).min(bytes.len());
    (head, &bytes[end..body_end], &bytes[body_end..])
}

/// Calls `plain_app.NAME(*args)` in a blocking task (it may wait, detached
/// inside Python's own locks).
async fn plain_app_call(name: &'static str, args: Vec<String>) -> bool {
    bounded(
        name,
        tokio::task::spawn_blocking(move || {
            Python::attach(|py| {
                let module = py.import("plain_app").unwrap();
                let args = pyo3_ft::types::PyTuple::new(py, args).unwrap();
                module
                    .getattr(name)
                    .unwrap()
                    .call1(args)
                    .unwrap()
                    .is_truthy()
                    .unwrap()
            })
        }),
    )
    .await
    .unwrap()
}

/// A token unique within this process.
fn token(what: &str) -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    format!(
        "{what}-{}",
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routes_environ_and_query_strings() {
    let server = TestServer::plain(2).await;
    let hello = get(server.addr, "/hello").await;
    assert_eq!(hello.status, StatusCode::OK);
    assert_eq!(hello.text(), "Hello, world!\n");
    assert_eq!(hello.headers["content-type"], "text/plain; charset=utf-8");

    let missing = get(server.addr, "/nowhere").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    let query = get(server.addr, "/query?a=1&b=two&empty=&c=%20x")
        .await
        .json();
    assert_eq!(query.get("a").as_str().as_deref(), Some("1"));
    assert_eq!(query.get("b").as_str().as_deref(), Some("two"));
    assert_eq!(query.get("empty").as_str().as_deref(), Some(""));
    assert_eq!(
        query.get("c").as_str().as_deref(),
        Some("%20x"),
        "QUERY_STRING is not decoded"
    );

    let mut client = connect(server.addr).await;
    let environ = send(
        &mut client,
        Method::GET,
        "/environ/caf%C3%A9/a%2Fb?x=1&y=%C3%A9",
        &[
            ("x-custom", "v1"),
            ("x-custom", "v2"),
            ("x_smuggled", "no"),
            ("cookie", "a=1"),
        ],
        Bytes::new(),
    )
    .await
    .json();
    let field = |key: &str| environ.get(key).as_str();
    assert_eq!(field("REQUEST_METHOD").as_deref(), Some("GET"));
    assert_eq!(field("SCRIPT_NAME").as_deref(), Some(""));
    // Percent-decoded, then each byte one character (ISO-8859-1).
    assert_eq!(
        field("PATH_INFO").as_deref(),
        Some("/environ/caf\u{c3}\u{a9}/a/b")
    );
    assert_eq!(field("QUERY_STRING").as_deref(), Some("x=1&y=%C3%A9"));
    assert_eq!(
        field("RAW_URI").as_deref(),
        Some("/environ/caf%C3%A9/a%2Fb?x=1&y=%C3%A9")
    );
    assert_eq!(field("SERVER_PROTOCOL").as_deref(), Some("HTTP/1.1"));
    assert_eq!(field("SERVER_NAME").as_deref(), Some("127.0.0.1"));
    assert_eq!(field("SERVER_PORT"), Some(server.addr.port().to_string()));
    assert_eq!(field("REMOTE_ADDR").as_deref(), Some("127.0.0.1"));
    assert!(field("REMOTE_PORT").is_some());
    assert_eq!(field("HTTP_HOST").as_deref(), Some("localhost"));
    assert_eq!(field("HTTP_X_CUSTOM").as_deref(), Some("v1, v2"));
    assert_eq!(field("HTTP_COOKIE").as_deref(), Some("a=1"));
    assert_eq!(
        field("HTTP_X_SMUGGLED"),
        None,
        "a header with an underscore got through"
    );
    assert_eq!(field("CONTENT_LENGTH"), None);
    assert_eq!(field("wsgi.url_scheme").as_deref(), Some("http"));
    assert_eq!(environ.get("wsgi.version").to_string(), "[1,0]");
    for (key, value) in [
        ("wsgi.multithread", true),
        ("wsgi.multiprocess", false),
        ("wsgi.run_once", false),
        ("wsgi.input_terminated", true),
        ("wsgi.input.read", true),
        ("wsgi.errors.write", true),
    ] {
        assert_eq!(environ.get(key).as_bool(), Some(value), "{key}");
    }

    // Keep-alive: the same connection, the same client port.
    let again = send(&mut client, Method::GET, "/environ", &[], Bytes::new())
        .await
        .json();
    assert_eq!(
        again.get("REMOTE_PORT").as_str(),
        environ.get("REMOTE_PORT").as_str()
    );

    let post = send(
        &mut client,
        Method::POST,
        "/environ",
        &[("content-type", "application/x-www-form-urlencoded")],
        "a=1",
    )
    .await
    .json();
    assert_eq!(
        post.get("CONTENT_TYPE").as_str().as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(post.get("CONTENT_LENGTH").as_str().as_deref(), Some("3"));

    let reason = get(server.addr, "/reason").await;
    assert_eq!(reason.status.as_u16(), 299);
    let empty = get(server.addr, "/empty").await;
    assert_eq!(
        (empty.status, empty.body.len()),
        (StatusCode::NO_CONTENT, 0)
    );
    let head = send(&mut client, Method::HEAD, "/hello", &[], Bytes::new()).await;
    assert_eq!((head.status, head.body.len()), (StatusCode::OK, 0));
    assert_eq!(head.headers["content-length"], "14");

    let gil = get(server.addr, "/gil").await.json();
    assert!(gil.get("gil_enabled").as_bool().is_some());
    let report = server.stop().await;
    assert_eq!(report.aborted, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn script_name_is_stripped_from_the_path() {
    let options = ServeOptions {
        script_name: "/api".to_owned(),
        ..ServeOptions::default()
    };
    let server = TestServer::start("plain_app:app", 1, options).await;
    let environ = get(server.addr, "/api/environ").await.json();
    assert_eq!(environ.get("SCRIPT_NAME").as_str().as_deref(), Some("/api"));
    assert_eq!(
        environ.get("PATH_INFO").as_str().as_deref(),
        Some("/environ")
    );
    let outside = get(server.addr, "/apix/environ").await;
    assert_eq!(outside.status, StatusCode::NOT_FOUND);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_bodies_stream_into_wsgi_input() {
    let server = TestServer::plain(2).await;
    let mut client = connect(server.addr).await;
    // 1 MiB that is not periodic in any small unit.
    let body: Vec<u8> = (0..1u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    for path in ["/echo", "/echo?chunk=1000", "/echo?chunk=65536"] {
        let echoed = send(&mut client, Method::POST, path, &[], body.clone()).await;
        assert_eq!(echoed.status, StatusCode::OK, "{path}");
        assert_eq!(echoed.headers["content-length"], (1u32 << 20).to_string());
        assert!(echoed.body == body, "{path}: the body came back changed");
    }

    // A chunked body without Content-Length: wsgi.input ends where it ends.
    let reply = raw(
        server.addr,
        b"POST /lines HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n\
          6\r\nfirst\n\r\n3\r\nsec\r\n7\r\nond\nthr\r\n4\r\nee\nf\r\n4\r\nour\n\r\n0\r\n\r\n",
    )
    .await;
    assert!(reply.starts_with("HTTP/1.1 200 OK\r\n"), "{reply}");
    let json = Json::parse(reply.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(json.get("first").as_str().as_deref(), Some("first\n"));
    assert_eq!(json.get("second").as_str().as_deref(), Some("second\n"));
    assert_eq!(json.get("rest").as_i64(), Some(2));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn responses_stream_as_the_application_yields() {
    let server = TestServer::plain(2).await;
    let tag = token("stream");
    let streamed = get(server.addr, &format!("/stream?n=50&size=1000&token={tag}")).await;
    assert_eq!(streamed.status, StatusCode::OK);
    assert_eq!(streamed.headers["transfer-encoding"], "chunked");
    assert_eq!(streamed.body.len(), 50_000);
    assert!(streamed
        .body
        .chunks(1000)
        .enumerate()
        .all(|(i, chunk)| chunk.iter().all(|&b| b == 65 + (i % 26) as u8)));
    assert!(
        plain_app_call("wait_closed", vec![tag]).await,
        "close() was not called"
    );

    // The first chunk arrives while the application still waits to
    // produce the second.
    let tag = token("gated");
    let mut client = connect(server.addr).await;
    let request = Request::get(format!("/stream-gated?token={tag}"))
        .header("host", "localhost")
        .body(Full::new(Bytes::new()))
        .unwrap();
    let response = bounded("gated head", client.send_request(request))
        .await
        .unwrap();
    let mut body = response.into_body();
    let first = bounded("first chunk", body.frame()).await.unwrap().unwrap();
    assert_eq!(first.into_data().unwrap(), "first");
    assert!(plain_app_call("open_gate", vec![tag.clone()]).await);
    let rest = bounded("rest", body.collect()).await.unwrap().to_bytes();
    assert_eq!(rest, "second");
    assert!(plain_app_call("wait_closed", vec![tag]).await);

    // The imperative write() of PEP 3333, mixed with a returned body.
    let written = get(server.addr, "/write").await;
    assert_eq!(written.text(), "written then returned");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn application_errors_give_500_and_the_server_keeps_serving() {
    let server = TestServer::plain(2).await;
    let mut client = connect(server.addr).await;
    for path in [
        "/error",
        "/no-start-response",
        "/str-body",
        "/bad-header",
        "/twice",
    ] {
        let failed = send(&mut client, Method::GET, path, &[], Bytes::new()).await;
        assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR, "{path}");
        assert_eq!(failed.text(), "Internal Server Error\n");
        // The same keep-alive connection serves the next request.
        let ok = send(&mut client, Method::GET, "/hello", &[], Bytes::new()).await;
        assert_eq!(ok.status, StatusCode::OK, "after {path}");
    }

    // exc_info before the headers went out replaces them.
    let handled = send(&mut client, Method::GET, "/exc-info", &[], Bytes::new()).await;
    assert_eq!(handled.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(handled.headers["x-handled"], "yes");
    assert_eq!(handled.text(), "handled");

    // A failure after the headers went out aborts the response (the client
    // must not take a truncated body for a whole one), and close() runs.
    for path in ["/error-after-start", "/exc-info-after-send"] {
        let tag = token("after-start");
        let mut doomed = connect(server.addr).await;
        let request = Request::get(format!("{path}?token={tag}"))
            .header("host", "localhost")
            .body(Full::new(Bytes::new()))
            .unwrap();
        // Whether the head got out before the abort is a race; either way
        // the exchange must fail.
        if let Ok(response) = bounded(path, doomed.send_request(request)).await {
            assert_eq!(response.status(), StatusCode::OK);
            let body = bounded(path, response.into_body().collect()).await;
            assert!(body.is_err(), "{path}: an aborted body looked complete");
        }
        if path == "/error-after-start" {
            assert!(plain_app_call("wait_closed", vec![tag]).await);
        }
    }
    assert_eq!(get(server.addr, "/hello").await.status, StatusCode::OK);
    let metrics = server.executor.metrics();
    assert_eq!(
        (metrics.failed, metrics.panicked),
        (0, 0),
        "errors are handled inside the job"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_get_400() {
    let server = TestServer::plain(1).await;
    for request in [
        &b"GARBAGE\r\n\r\n"[..],
        b"GET /hello HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n",
        b"GET /hello HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n",
        b"GET /hel lo HTTP/1.1\r\nHost: x\r\n\r\n",
    ] {
        let reply = raw(server.addr, request).await;
        assert!(
            reply.starts_with("HTTP/1.1 400 Bad Request\r\n"),
            "{:?} got {reply:?}",
            String::from_utf8_lossy(request)
        );
    }
    assert_eq!(get(server.addr, "/hello").await.status, StatusCode::OK);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_concurrent_keep_alive_clients() {
    const CLIENTS: usize = 100;
    const REQUESTS: usize = 5;
    let server = TestServer::plain(2).await;
    let addr = server.addr;
    let clients: Vec<_> = (0..CLIENTS)
        .map(|client| {
            tokio::spawn(async move {
                let mut connection = connect(addr).await;
                let mut ports = std::collections::HashSet::new();
                for seq in 0..REQUESTS {
                    let path = format!("/environ?client={client}&seq={seq}");
                    let environ = send(&mut connection, Method::GET, &path, &[], Bytes::new())
                        .await
                        .json();
                    let expected = format!("client={client}&seq={seq}");
                    assert_eq!(
                        environ.get("QUERY_STRING").as_str().as_deref(),
                        Some(expected.as_str())
                    );
                    ports.insert(environ.get("REMOTE_PORT").as_str().unwrap());
                }
                assert_eq!(ports.len(), 1, "client {client} was reconnected");
            })
        })
        .collect();
    for client in clients {
        bounded("clients", client).await.unwrap();
    }
    let report = server.stop().await;
    assert_eq!(report.connections, CLIENTS as u64);
    assert_eq!(report.aborted, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_requests_in_flight_complete() {
    const IN_FLIGHT: usize = 4;
    let mut server = TestServer::plain(IN_FLIGHT).await;
    let addr = server.addr;
    // An idle keep-alive connection: closed at once by the shutdown.
    let mut idle = connect(addr).await;
    assert_eq!(
        send(&mut idle, Method::GET, "/hello", &[], Bytes::new())
            .await
            .status,
        StatusCode::OK
    );
    let waiting: Vec<_> = (0..IN_FLIGHT)
        .map(|_| tokio::spawn(async move { get(addr, "/wait").await }))
        .collect();
    assert!(
        plain_app_call("wait_waiting", vec![IN_FLIGHT.to_string()]).await,
        "the requests never reached the application"
    );
    server.begin_stop();
    // The listener closes: new connections are refused.
    bounded("listener closed", async {
        while TcpStream::connect(addr).await.is_ok() {
            tokio::task::yield_now().await;
        }
    })
    .await;
    // Release the requests in flight; each completes normally.
    bounded(
        "release",
        tokio::task::spawn_blocking(|| {
            Python::attach(|py| {
                let module = py.import("plain_app").unwrap();
                module
                    .getattr("release")
                    .unwrap()
                    .call_method0("set")
                    .unwrap();
            })
        }),
    )
    .await
    .unwrap();
    for request in waiting {
        let reply = bounded("in-flight request", request).await.unwrap();
        assert_eq!((reply.status, reply.text()), (StatusCode::OK, "released"));
    }
    let report = server.stop().await;
    assert_eq!(report.aborted, 0);
    // The server closed it: a request on it fails (whether or not the
    // client noticed the close before sending).
    let request = Request::get("/hello")
        .header("host", "localhost")
        .body(Full::new(Bytes::new()))
        .unwrap();
    let reused = bounded("idle connection", async {
        match idle.ready().await {
            Ok(()) => idle.send_request(request).await.map(drop),
            Err(err) => Err(err),
        }
    })
    .await;
    assert!(reused.is_err(), "the idle connection stayed open");
}

/// Whether Flask is importable (from the test venv); false after saying
/// why not.
fn flask_available() -> bool {
    start_python();
    Python::attach(|py| match py.import("flask") {
        Ok(_) => true,
        Err(err) => {
            eprintln!(
                "SKIPPED (Flask): flask is not importable, not even from {} ({err}); \
                 `cargo xtask test` installs it into target/venv-ft and target/venv-gil, \
                 and PYO3FT_TEST_VENV selects another venv made by this interpreter",
                test_venv().display()
            );
            false
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flask_application() {
    if !flask_available() {
        return;
    }
    let server = TestServer::start("flask_app:app", 2, ServeOptions::default()).await;
    let mut client = connect(server.addr).await;
    let index = send(&mut client, Method::GET, "/", &[], Bytes::new()).await;
    assert_eq!(
        (index.status, index.text()),
        (StatusCode::OK, "Hello from Flask!\n")
    );

    let item = send(
        &mut client,
        Method::GET,
        "/items/42?q=x%20y&tag=a&tag=b",
        &[],
        Bytes::new(),
    )
    .await
    .json();
    assert_eq!(item.get("id").as_i64(), Some(42));
    assert_eq!(item.get("q").as_str().as_deref(), Some("x y"));
    assert_eq!(item.get("tags").to_string(), r#"["a","b"]"#);

    // UTF-8 in the path survives the ISO-8859-1 native string.
    let greet = send(
        &mut client,
        Method::GET,
        "/greet/caf%C3%A9",
        &[],
        Bytes::new(),
    )
    .await
    .json();
    assert_eq!(greet.get("name").as_str().as_deref(), Some("café"));

    let missing = send(&mut client, Method::GET, "/nowhere", &[], Bytes::new()).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    let body: Vec<u8> = (0..1u32 << 20).map(|i| (i % 251) as u8).collect();
    let echoed = send(&mut client, Method::POST, "/echo", &[], body.clone()).await;
    assert_eq!(echoed.status, StatusCode::OK);
    assert!(echoed.body == body, "Flask echoed a different body");

    let form = send(
        &mut client,
        Method::POST,
        "/form",
        &[("content-type", "application/x-www-form-urlencoded")],
        "name=pyo3&lang=rust",
    )
    .await
    .json();
    assert_eq!(form.get("lang").as_str().as_deref(), Some("rust"));

    let streamed = send(&mut client, Method::GET, "/stream?n=3", &[], Bytes::new()).await;
    assert_eq!(streamed.text(), "line 0\nline 1\nline 2\n");
    assert_eq!(streamed.headers["transfer-encoding"], "chunked");

    let failed = send(&mut client, Method::GET, "/error", &[], Bytes::new()).await;
    assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR);
    let after = send(&mut client, Method::GET, "/", &[], Bytes::new()).await;
    assert_eq!(after.status, StatusCode::OK);

    // Concurrent keep-alive clients on Flask too.
    let addr = server.addr;
    let clients: Vec<_> = (0..20)
        .map(|i| {
            tokio::spawn(async move {
                let mut connection = connect(addr).await;
                for j in 0..5 {
                    let reply = send(
                        &mut connection,
                        Method::GET,
                        &format!("/items/{i}?q={j}"),
                        &[],
                        Bytes::new(),
                    )
                    .await
                    .json();
                    assert_eq!(reply.get("id").as_i64(), Some(i));
                    assert_eq!(
                        reply.get("q").as_str().as_deref(),
                        Some(j.to_string().as_str())
                    );
                }
            })
        })
        .collect();
    for client in clients {
        bounded("flask clients", client).await.unwrap();
    }
    let gil = Python::attach(pyo3_ft::gil_sentinel::status).unwrap();
    assert!(
        gil.enabled_by.is_empty(),
        "importing Flask re-enabled the GIL: {:?}",
        gil.enabled_by
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_response_never_exceeds_its_content_length() {
    let server = TestServer::plain(1).await;
    let next = b"GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    for (path, body) in [
        ("/forged", &b"ok"[..]),
        ("/forged-stream", b"ok"),
        ("/cafe", b"caf\xc3"),
    ] {
        let mut pipelined = format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").into_bytes();
        pipelined.extend_from_slice(next);
        let reply = raw_bytes(server.addr, &pipelined).await;
        let (head, sent, rest) = split_response(&reply);
        assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{path}: {head}");
        assert_eq!(sent, body, "{path}");
        // The pipelined request gets its own response, nothing forged.
        let (head, sent, rest) = split_response(rest);
        assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{path}: {head}");
        assert_eq!(sent, b"Hello, world!\n", "{path}");
        assert!(
            rest.is_empty(),
            "{path}: {:?}",
            String::from_utf8_lossy(rest)
        );
    }
    // HEAD answers have no body, whatever the application yields.
    let reply = raw(
        server.addr,
        b"HEAD /cafe HTTP/1.1\r\nHost: x\r\n\r\nHEAD /short HTTP/1.1\r\nHost: x\r\n\r\n\
          HEAD /stream HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(reply.matches("HTTP/1.1 200 OK\r\n").count(), 4, "{reply}");
    assert!(reply.ends_with("\r\n\r\nHello, world!\n"), "{reply}");
    assert!(
        !reply.contains("caf") && !reply.contains("short"),
        "{reply}"
    );
    let report = server.stop().await;
    assert_eq!(
        report.counters.application_errors(),
        3,
        "each mismatch is the app's"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_short_of_its_content_length_closes_the_connection() {
    let server = TestServer::plain(1).await;
    let pipelined = b"GET /short HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n";
    let reply = raw_bytes(server.addr, pipelined).await;
    // What was produced (if it got out before the close: the unread
    // pipelined request may make the close a reset), then nothing the
    // client could take for the rest of the body.
    if !reply.is_empty() {
        let (head, sent, rest) = split_response(&reply);
        assert!(head.contains("content-length: 10\r\n"), "{head}");
        assert!(b"short".starts_with(sent), "{sent:?}");
        assert!(rest.is_empty(), "{:?}", String::from_utf8_lossy(rest));
    }
    // Alone on its connection, the short body reaches the client.
    let reply = raw_bytes(server.addr, b"GET /short HTTP/1.1\r\nHost: x\r\n\r\n").await;
    let (head, sent, rest) = split_response(&reply);
    assert!(head.contains("content-length: 10\r\n"), "{head}");
    assert_eq!((sent, rest), (&b"short"[..], &b""[..]));
    assert_eq!(get(server.addr, "/hello").await.status, StatusCode::OK);
    let report = server.stop().await;
    assert_eq!(report.counters.application_errors(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_request_bodies_are_the_clients_fault() {
    let server = TestServer::plain(1).await;
    let reply = raw(
        server.addr,
        b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
    )
    .await;
    assert!(reply.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{reply}");
    assert_eq!(
        get(server.addr, "/error").await.status,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    let report = server.stop().await;
    assert_eq!(
        (
            report.counters.completed(),
            report.counters.application_errors(),
            report.counters.client_errors()
        ),
        (2, 1, 1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_outside_the_script_name_get_404_from_the_server() {
    let options = ServeOptions {
        script_name: "/api".to_owned(),
        ..ServeOptions::default()
    };
    let server = TestServer::start("plain_app:app", 1, options).await;
    assert_eq!(get(server.addr, "/api/hello").await.status, StatusCode::OK);
    for outside in ["/hello", "/apix/hello", "/"] {
        let reply = get(server.addr, outside).await;
        assert_eq!(
            (reply.status, reply.text()),
            (StatusCode::NOT_FOUND, "Not Found\n"),
            "{outside}"
        );
    }
    let report = server.stop().await;
    assert_eq!(
        report.counters.completed(),
        1,
        "the application saw only /api/hello"
    );
}

/// A server whose body and write timeouts are short.
async fn impatient_server(workers: usize) -> TestServer {
    let options = ServeOptions {
        timeouts: Timeouts {
            body: STALL_TIMEOUT,
            write: STALL_TIMEOUT,
            ..Timeouts::default()
        },
        ..ServeOptions::default()
    };
    TestServer::start("plain_app:app", workers, options).await
}

/// The body and write timeouts of [`impatient_server`].
const STALL_TIMEOUT: Duration = Duration::from_secs(1);

/// How much later than a timeout the server may act on it (generous: the
/// point is that it acts, on a loaded machine).
const MARGIN: Duration = Duration::from_secs(5);

/// A request that both workers are busy before: it must be served once a
/// timeout frees one.
async fn served_within(addr: SocketAddr, limit: Duration) {
    let started = std::time::Instant::now();
    let reply = get(addr, "/hello").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        started.elapsed() < limit,
        "served after {:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_request_bodies_time_out_and_free_their_workers() {
    let server = impatient_server(2).await;
    let mut stalled = Vec::new();
    for _ in 0..2 {
        let tag = token("stalled-body");
        let mut stream = TcpStream::connect(server.addr).await.unwrap();
        let head =
            format!("POST /echo?announce={tag} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n");
        stream.write_all(head.as_bytes()).await.unwrap();
        assert!(plain_app_call("wait_entered", vec![tag]).await);
        stalled.push(stream);
    }
    served_within(server.addr, STALL_TIMEOUT + MARGIN).await;
    for mut stream in stalled {
        let mut reply = Vec::new();
        bounded("408", stream.read_to_end(&mut reply))
            .await
            .unwrap();
        let reply = String::from_utf8_lossy(&reply);
        assert!(
            reply.starts_with("HTTP/1.1 408 Request Timeout\r\n"),
            "{reply}"
        );
    }
    let report = server.stop().await;
    assert_eq!(
        (
            report.counters.client_errors(),
            report.counters.application_errors()
        ),
        (2, 0)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_that_do_not_read_time_out_and_free_their_workers() {
    let server = impatient_server(2).await;
    let mut stalled = Vec::new();
    let mut tags = Vec::new();
    for _ in 0..2 {
        let tag = token("stalled-read");
        let mut stream = TcpStream::connect(server.addr).await.unwrap();
        // Far more than the socket buffers hold, never read.
        let request =
            format!("GET /stream?n=100000&size=65536&token={tag} HTTP/1.1\r\nHost: x\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        stalled.push(stream);
        tags.push(tag);
    }
    served_within(server.addr, STALL_TIMEOUT + MARGIN).await;
    // The generators were closed: their workers gave up on the clients.
    for tag in tags {
        assert!(plain_app_call("wait_closed", vec![tag]).await);
    }
    let report = server.stop().await;
    assert_eq!(
        (
            report.counters.client_errors(),
            report.counters.application_errors()
        ),
        (2, 0)
    );
    drop(stalled);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_application_gets_504_at_the_request_timeout() {
    let options = ServeOptions {
        request_timeout: Some(Duration::from_millis(200)),
        ..ServeOptions::default()
    };
    let server = TestServer::start("plain_app:app", 2, options).await;
    let started = std::time::Instant::now();
    let reply = get(server.addr, "/sleep?secs=1").await;
    assert_eq!(reply.status, StatusCode::GATEWAY_TIMEOUT);
    assert!(started.elapsed() < Duration::from_millis(200) + MARGIN);
    assert_eq!(get(server.addr, "/hello").await.status, StatusCode::OK);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_limits_give_413_and_431() {
    let options = ServeOptions {
        limits: Limits {
            headers: 10,
            body_bytes: 1000,
            ..Limits::default()
        },
        ..ServeOptions::default()
    };
    let server = TestServer::start("plain_app:app", 1, options).await;
    // Declared too large: refused before the application.
    let head = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n";
    let reply = raw(server.addr, head).await;
    assert!(
        reply.starts_with("HTTP/1.1 413 Payload Too Large\r\n"),
        "{reply}"
    );
    // Chunked, growing past the limit while the application reads it.
    let mut chunked =
        b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..3 {
        chunked.extend_from_slice(b"1f4\r\n");
        chunked.extend_from_slice(&[b'x'; 500]);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let reply = raw(server.addr, &chunked).await;
    assert!(
        reply.starts_with("HTTP/1.1 413 Payload Too Large\r\n"),
        "{reply}"
    );
    // Within the limit.
    let mut client = connect(server.addr).await;
    let echoed = send(&mut client, Method::POST, "/echo", &[], vec![b'y'; 1000]).await;
    assert_eq!((echoed.status, echoed.body.len()), (StatusCode::OK, 1000));
    // Too many header fields.
    let mut many = b"GET /hello HTTP/1.1\r\nHost: x\r\n".to_vec();
    for n in 0..20 {
        many.extend_from_slice(format!("X-Field-{n}: {n}\r\n").as_bytes());
    }
    many.extend_from_slice(b"\r\n");
    let reply = raw(server.addr, &many).await;
    assert!(
        reply.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"),
        "{reply}"
    );
    let report = server.stop().await;
    assert_eq!(report.counters.client_errors(), 1, "the chunked body");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_wrapper_streams_a_file_like_object() {
    let server = TestServer::plain(1).await;
    let reply = get(server.addr, "/file?size=2500").await;
    assert_eq!(reply.status, StatusCode::OK);
    let expected: Vec<u8> = (0..2500u32).map(|i| (i % 251) as u8).collect();
    assert_eq!(reply.body, expected);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_headers_are_believed_only_from_trusted_proxies() {
    let forwarded = [
        ("x-forwarded-for", "203.0.113.9"),
        ("x-forwarded-proto", "https"),
    ];
    // Loopback is trusted by default.
    let server = TestServer::plain(1).await;
    let mut client = connect(server.addr).await;
    let environ = send(
        &mut client,
        Method::GET,
        "/environ",
        &forwarded,
        Bytes::new(),
    )
    .await
    .json();
    assert_eq!(
        environ.get("REMOTE_ADDR").as_str().as_deref(),
        Some("203.0.113.9")
    );
    assert_eq!(
        environ.get("wsgi.url_scheme").as_str().as_deref(),
        Some("https")
    );
    assert_eq!(environ.get("wsgi.multiprocess").as_bool(), Some(false));
    server.stop().await;

    let options = ServeOptions {
        trusted_proxies: TrustedProxies::parse("").unwrap(),
        ..ServeOptions::default()
    };
    let server = TestServer::start("plain_app:app", 1, options).await;
    let mut client = connect(server.addr).await;
    let environ = send(
        &mut client,
        Method::GET,
        "/environ",
        &forwarded,
        Bytes::new(),
    )
    .await
    .json();
    assert_eq!(
        environ.get("REMOTE_ADDR").as_str().as_deref(),
        Some("127.0.0.1")
    );
    assert_eq!(
        environ.get("wsgi.url_scheme").as_str().as_deref(),
        Some("http")
    );
    server.stop().await;
}
