//! `--interface asgi`: FastAPI (on Starlette) and a bare ASGI 3 callable
//! (`python-apps/asgi_apps.py`) served in process, over real sockets.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use hyper::{Method, StatusCode};
use pyo3_ft::asyncio::EventLoops;
use pyo3_ft::prelude::*;
use pyo3_ft::types::PyDict;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use wsgi_server::app;
use wsgi_server::asgi::lifespan::{self, Lifespan};
use wsgi_server::asgi::AsgiApp;
use wsgi_server::server::{self, Application, ServeOptions, ServeReport};

use super::{bounded, connect, get, raw_bytes, send, split_response, start_python};

/// `a + b`, after 20 ms on another thread: a Rust future the application
/// awaits (`await rust_async.slow_add(a, b)`).
#[pyo3_ft::pyfunction]
async fn slow_add(a: i64, b: i64) -> PyResult<i64> {
    let (sender, sum) = oneshot::channel();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(20));
        let _ = sender.send(a + b);
    });
    sum.await
        .map_err(|_| pyo3_ft::exceptions::PyRuntimeError::new_err("the adder thread died"))
}

/// Registers `rust_async` in `sys.modules`, once.
fn register_rust_module() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        Python::attach(|py| -> PyResult<()> {
            let module = pyo3_ft::types::PyModule::new(py, "rust_async")?;
            module.add_function(pyo3_ft::wrap_pyfunction!(slow_add, &module)?)?;
            py.import("sys")?
                .getattr("modules")?
                .set_item("rust_async", module)?;
            Ok(())
        })
        .unwrap();
    });
}

struct AsgiServer {
    addr: std::net::SocketAddr,
    /// Kept until the lifespan's shutdown: dropping it stops the loops.
    app: Arc<AsgiApp>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<ServeReport>>,
    lifespan: Option<Lifespan>,
}

impl AsgiServer {
    async fn start(spec: &str, workers: usize) -> AsgiServer {
        start_python();
        register_rust_module();
        let (app, state) = Python::attach(|py| {
            let app = app::import(py, spec).unwrap_or_else(|err| panic!("{err}"));
            (app.unbind(), PyDict::new(py).unbind())
        });
        let loops = EventLoops::new(workers).unwrap();
        let app = Arc::new(AsgiApp { app, loops, state });
        let lifespan = bounded("lifespan startup", lifespan::startup(&app))
            .await
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server::serve_application(
            vec![listener.into()],
            Application::Asgi(Arc::clone(&app)),
            ServeOptions::default(),
            async {
                let _ = stopped.await;
            },
        ));
        AsgiServer {
            addr,
            app,
            stop: Some(stop),
            task,
            lifespan,
        }
    }

    async fn stop(mut self) -> ServeReport {
        let _ = self.stop.take().unwrap().send(());
        let report = bounded("shutdown", self.task).await.unwrap().unwrap();
        bounded("in-flight requests", report.in_flight.empty()).await;
        if let Some(lifespan) = self.lifespan.take() {
            let shut = lifespan.shutdown(Duration::from_secs(10)).await;
            shut.unwrap_or_else(|why| panic!("lifespan shutdown: {why}"));
        }
        drop(self.app);
        report
    }
}

fn python_value(code: &str) -> String {
    Python::attach(|py| {
        py.eval(code, None, None)
            .and_then(|value| value.str().map(|s| s.to_string()))
            .unwrap_or_else(|err| panic!("{code}: {err}"))
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fastapi_routes_see_lifespan_state_and_answer_json() {
    let server = AsgiServer::start("asgi_apps:fastapi_app", 2).await;
    assert!(server.lifespan.is_some(), "the lifespan was not run");
    let reply = get(server.addr, "/hello/ada?excited=true").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let json = reply.json();
    assert_eq!(
        json.get("message").as_str().unwrap(),
        "hello from lifespan, ada!"
    );
    assert_eq!(json.get("path").as_str().unwrap(), "/hello/ada");
    assert_eq!(json.get("scheme").as_str().unwrap(), "http");
    assert_eq!(reply.headers["content-type"], "application/json");
    let missing = get(server.addr, "/nowhere").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let invalid = get(server.addr, "/rust?a=x&b=1").await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    let failed = get(server.addr, "/boom").await;
    assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR);
    // The server goes on after an application error.
    assert_eq!(get(server.addr, "/hello/bo").await.status, StatusCode::OK);
    let shutdowns = python_value("__import__('asgi_apps').lifespan_events.count('shutdown')");
    let report = server.stop().await;
    assert_eq!(report.counters.application_errors(), 1);
    // (Other tests' servers may shut down meanwhile: at least one more.)
    let after = python_value("__import__('asgi_apps').lifespan_events.count('shutdown')");
    assert!(after.parse::<u32>().unwrap() > shutdowns.parse::<u32>().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_and_response_bodies_stream() {
    let server = AsgiServer::start("asgi_apps:fastapi_app", 2).await;
    let body: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
    let expected = Python::attach(|py| {
        py.import("hashlib")
            .unwrap()
            .call_method1("sha256", (pyo3_ft::types::PyBytes::new(py, &body),))
            .unwrap()
            .call_method0("hexdigest")
            .unwrap()
            .to_string()
    });
    let mut client = connect(server.addr).await;
    let reply = send(&mut client, Method::POST, "/digest", &[], body).await;
    let json = reply.json();
    assert_eq!(
        json.get("size").as_i64(),
        Some(1_000_000),
        "{}",
        reply.text()
    );
    assert_eq!(json.get("sha256").as_str().unwrap(), expected);
    // A streamed response: chunked, every piece in order.
    let reply = send(&mut client, Method::GET, "/stream?n=50", &[], Bytes::new()).await;
    assert!(reply.headers.get("content-length").is_none());
    let expected: String = (0..50).map(|i| format!("chunk {i}\n")).collect();
    assert_eq!(reply.text(), expected);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_route_awaits_a_rust_future() {
    let server = AsgiServer::start("asgi_apps:fastapi_app", 2).await;
    let replies = futures_join(server.addr, "/rust?a=2&b=40", 20).await;
    for reply in replies {
        assert_eq!(
            reply.json().get("sum").as_i64(),
            Some(42),
            "{}",
            reply.text()
        );
    }
    server.stop().await;
}

/// `count` concurrent GETs of `path`, each on its own connection.
async fn futures_join(addr: std::net::SocketAddr, path: &str, count: usize) -> Vec<super::Reply> {
    let tasks: Vec<_> = (0..count)
        .map(|_| {
            let path = path.to_owned();
            tokio::spawn(async move { get(addr, &path).await })
        })
        .collect();
    let mut replies = Vec::new();
    for task in tasks {
        replies.push(task.await.unwrap());
    }
    replies
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_worker_loop_serves_requests() {
    let server = AsgiServer::start("asgi_apps:fastapi_app", 2).await;
    for reply in futures_join(server.addr, "/hello/x?tag=every-loop", 40).await {
        assert_eq!(reply.status, StatusCode::OK);
    }
    assert_eq!(
        python_value("len(__import__('asgi_apps').loop_threads['every-loop'])"),
        "2"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_declared_length_is_never_exceeded_and_a_short_body_closes() {
    let server = AsgiServer::start("asgi_apps:raw", 1).await;
    // "café" is 5 bytes against a declared 4: the fifth is dropped, and the
    // pipelined request gets its own, correct response.
    let bytes = raw_bytes(
        server.addr,
        b"GET /wrong-length HTTP/1.1\r\nHost: x\r\n\r\nGET /scope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    let (head, body, rest) = split_response(&bytes);
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert_eq!(body, "caf\u{e9}".as_bytes()[..4].to_vec().as_slice());
    let rest = String::from_utf8_lossy(rest);
    assert!(rest.starts_with("HTTP/1.1 200"), "{rest}");
    assert!(rest.contains("('raw_path', b'/scope')"), "{rest}");
    assert!(rest.contains("('http_version', '1.1')"), "{rest}");
    // Declared 100, sent 9: the connection closes after them.
    let bytes = bounded("short body", async {
        let mut stream = TcpStream::connect(server.addr).await.unwrap();
        stream
            .write_all(b"GET /short HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let mut bytes = Vec::new();
        let _ = stream.read_to_end(&mut bytes).await;
        bytes
    })
    .await;
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.ends_with("only this"), "{text}");
    // No response at all: 500; a protocol error inside the app is its to catch.
    assert_eq!(
        get(server.addr, "/nothing").await.status,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    let twice = get(server.addr, "/bad-message").await;
    assert!(twice.text().contains("sent twice"), "{}", twice.text());
    let report = server.stop().await;
    assert!(report.counters.application_errors() >= 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_leaves_is_seen_by_the_application() {
    let server = AsgiServer::start("asgi_apps:fastapi_app", 1).await;
    Python::attach(|py| py.run("__import__('asgi_apps').disconnected.clear()", None, None))
        .unwrap();
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    stream
        .write_all(b"GET /wait-disconnect HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    drop(stream);
    let seen = tokio::task::spawn_blocking(|| {
        Python::attach(|py| {
            py.eval("__import__('asgi_apps').disconnected.wait(30)", None, None)
                .and_then(|seen| seen.is_truthy())
        })
    })
    .await
    .unwrap()
    .unwrap();
    assert!(seen, "the application never saw http.disconnect");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_does_not_read_holds_the_app_back() {
    let server = AsgiServer::start("asgi_apps:raw", 1).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    stream
        .write_all(b"GET /firehose HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    // The client reads nothing: `send` waits for room, so the app gets only
    // as far as the channel and the socket buffers allow (2000 chunks of
    // 64 KiB would be 128 MiB).
    tokio::time::sleep(Duration::from_secs(1)).await;
    let sent: u32 = python_value("__import__('asgi_apps').firehose['sent']")
        .parse()
        .unwrap();
    assert!(
        sent < 500,
        "{sent} chunks went out to a client that reads nothing"
    );
    drop(stream);
    let stopped = tokio::task::spawn_blocking(|| {
        Python::attach(|py| {
            py.eval(
                "__import__('asgi_apps').firehose['stopped'].wait(30)",
                None,
                None,
            )
            .and_then(|seen| seen.is_truthy())
        })
    })
    .await
    .unwrap()
    .unwrap();
    assert!(stopped, "send() never raised after the client left");
    server.stop().await;
}
