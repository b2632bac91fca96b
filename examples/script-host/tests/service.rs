//! The script host end to end, over 127.0.0.1: plugins calling the Rust
//! API, failure isolation (an exception, an endless loop), reloading a
//! changed script. The interpreter is configured once for the process.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use pyo3_ft::executor::{Executor, ShutdownMode};
use script_host::api;
use script_host::server::{self, Host};
use tokio::sync::oneshot;

/// Registers the API module and starts the interpreter, once.
fn start_python() {
    static START: std::sync::Once = std::sync::Once::new();
    START.call_once(|| {
        pyo3_ft::append_to_inittab!(api::host).unwrap();
        pyo3_ft::embed::Config::new()
            .program_name("script-host-test")
            .safe_path(true)
            .start()
            .unwrap();
    });
}

/// A fresh plugin directory holding `plugins` (name, source).
fn plugin_dir(test: &str, plugins: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("script-host-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (name, source) in plugins {
        std::fs::write(dir.join(format!("{name}.py")), source).unwrap();
    }
    dir
}

struct Running {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    served: tokio::task::JoinHandle<()>,
    host: Arc<Host>,
}

async fn start_host(plugins: &Path, workers: usize, deadline: Duration) -> Running {
    start_python();
    let executor = Executor::builder().workers(workers).build().unwrap();
    let host = Arc::new(Host {
        plugins: plugins.to_owned(),
        executor,
        deadline,
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let served = tokio::spawn(server::serve(listener, Arc::clone(&host), async {
        let _ = stopped.await;
    }));
    Running {
        addr,
        stop,
        served,
        host,
    }
}

impl Running {
    async fn stop(self) {
        let _ = self.stop.send(());
        self.served.await.unwrap();
        self.host.executor.shutdown(ShutdownMode::Drain).await;
    }
}

/// A client connection.
struct Client(hyper::client::conn::http1::SendRequest<Full<Bytes>>);

impl Client {
    async fn connect(addr: SocketAddr) -> Client {
        let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let (send, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .unwrap();
        tokio::spawn(connection);
        Client(send)
    }

    async fn post(&mut self, plugin: &str, body: &str) -> (StatusCode, String) {
        // The previous exchange may still be finishing on the connection.
        self.0.ready().await.unwrap();
        let request = Request::post(format!("/{plugin}"))
            .header("host", "127.0.0.1")
            .body(Full::new(Bytes::from(body.to_owned())))
            .unwrap();
        let response = tokio::time::timeout(Duration::from_secs(30), self.0.send_request(request))
            .await
            .expect("an answer within 30 s")
            .unwrap();
        let status = response.status();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }
}

const COUNTER: &str = "
import host

def handle(body):
    host.log(f'counting {body}')
    return str(host.kv_add(body, 1))
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plugins_call_the_rust_api_from_every_worker() {
    let dir = plugin_dir("api", &[("counter", COUNTER)]);
    let host = start_host(&dir, 2, Duration::from_secs(5)).await;
    let clients = (0..4).map(|_| {
        let addr = host.addr;
        tokio::spawn(async move {
            let mut client = Client::connect(addr).await;
            for _ in 0..25 {
                let (status, _) = client.post("counter", "api-test").await;
                assert_eq!(status, StatusCode::OK);
            }
        })
    });
    for client in clients.collect::<Vec<_>>() {
        client.await.unwrap();
    }
    // The store's increments are atomic: 100 calls, 101 on the next.
    let mut client = Client::connect(host.addr).await;
    assert_eq!(
        client.post("counter", "api-test").await,
        (StatusCode::OK, "101".to_owned())
    );
    assert_eq!(
        client.post("missing", "").await.0,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(client.post("../etc", "").await.0, StatusCode::NOT_FOUND);
    host.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_raising_or_looping_plugin_fails_alone() {
    let dir = plugin_dir(
        "failures",
        &[
            ("ok", "def handle(body):\n    return 'ok ' + body\n"),
            (
                "raises",
                "def handle(body):\n    raise ValueError(f'bad input {body!r}')\n",
            ),
            (
                "loops",
                "def handle(body):\n    while True:\n        pass\n",
            ),
        ],
    );
    // One worker: after a loop is interrupted, that same worker serves on.
    let host = start_host(&dir, 1, Duration::from_millis(300)).await;
    let mut client = Client::connect(host.addr).await;
    let (status, text) = client.post("raises", "x").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(text.contains("ValueError: bad input 'x'"), "{text}");
    assert_eq!(
        client.post("ok", "1").await,
        (StatusCode::OK, "ok 1".to_owned())
    );
    for round in 0..2 {
        let started = Instant::now();
        let (status, text) = client.post("loops", "").await;
        assert_eq!(status, StatusCode::GATEWAY_TIMEOUT, "{text}");
        assert!(started.elapsed() < Duration::from_secs(10));
        assert_eq!(
            client.post("ok", &round.to_string()).await,
            (StatusCode::OK, format!("ok {round}"))
        );
    }
    host.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_script_is_reloaded() {
    let dir = plugin_dir(
        "reload",
        &[("version", "def handle(body):\n    return 'v1'\n")],
    );
    let host = start_host(&dir, 2, Duration::from_secs(5)).await;
    let mut client = Client::connect(host.addr).await;
    for _ in 0..4 {
        assert_eq!(
            client.post("version", "").await,
            (StatusCode::OK, "v1".to_owned())
        );
    }
    let path = dir.join("version.py");
    std::fs::write(&path, "def handle(body):\n    return 'v2'\n").unwrap();
    // A distinct modification time even on coarse file systems.
    let later = SystemTime::now() + Duration::from_secs(2);
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(later)
        .unwrap();
    for _ in 0..4 {
        assert_eq!(
            client.post("version", "").await,
            (StatusCode::OK, "v2".to_owned())
        );
    }
    // A script that no longer loads answers 500; the fix is picked up.
    std::fs::write(&path, "def handle(body:\n").unwrap();
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(later + Duration::from_secs(2))
        .unwrap();
    let (status, text) = client.post("version", "").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(text.contains("SyntaxError"), "{text}");
    host.stop().await;
}

/// Calls per second with 1 and 2 workers (run with `--ignored
/// --nocapture`, in release).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, not a test: cargo test --release -p script-host -- --ignored --nocapture"]
async fn calls_per_second() {
    let work = "
import host

def handle(body):
    total = 0
    for i in range(2000):
        total += i * i
    host.kv_set('last', body)
    return str(total)
";
    let dir = plugin_dir("throughput", &[("work", work)]);
    for workers in [1, 2] {
        let host = start_host(&dir, workers, Duration::from_secs(5)).await;
        let run = Duration::from_secs(3);
        let clients: Vec<_> = (0..8)
            .map(|_| {
                let addr = host.addr;
                tokio::spawn(async move {
                    let mut client = Client::connect(addr).await;
                    let start = Instant::now();
                    let mut calls = 0u64;
                    while start.elapsed() < run {
                        assert_eq!(client.post("work", "x").await.0, StatusCode::OK);
                        calls += 1;
                    }
                    calls
                })
            })
            .collect();
        let mut calls = 0;
        for client in clients {
            calls += client.await.unwrap();
        }
        println!(
            "script-host: {workers} worker(s): {:.0} calls/s",
            calls as f64 / run.as_secs_f64()
        );
        host.stop().await;
    }
}
