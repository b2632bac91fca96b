//! TLS and HTTP/2: the plain application served with a certificate made
//! here by rcgen, to rustls clients that trust only that certificate, and
//! to hyper's HTTP/1.1 and HTTP/2 clients (h2c with prior knowledge on a
//! clear-text port).

use std::time::Instant;

use hyper::client::conn::{http1 as client1, http2 as client2};
use hyper::Version;
use hyper_util::rt::TokioExecutor;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};
use tokio_rustls::TlsConnector;
use wsgi_server::config::TlsFiles;
use wsgi_server::tls::Tls;

use super::*;

/// A self-signed certificate for `localhost`, as the PEM files the server
/// reads and as the DER a client trusts.
struct TestCert {
    files: TlsFiles,
    der: CertificateDer<'static>,
}

impl TestCert {
    fn new() -> TestCert {
        let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        let dir = scratch_dir("cert");
        let files = TlsFiles {
            certfile: dir.join("cert.pem"),
            keyfile: dir.join("key.pem"),
        };
        std::fs::write(&files.certfile, made.cert.pem()).unwrap();
        std::fs::write(&files.keyfile, made.key_pair.serialize_pem()).unwrap();
        TestCert {
            files,
            der: made.cert.der().clone(),
        }
    }

    /// A client that trusts this certificate alone and offers `alpn`.
    fn connector(&self, alpn: &[&[u8]]) -> TlsConnector {
        let mut roots = RootCertStore::empty();
        roots.add(self.der.clone()).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = alpn.iter().map(|name| name.to_vec()).collect();
        TlsConnector::from(Arc::new(config))
    }
}

/// A fresh directory under the system's temporary one.
fn scratch_dir(what: &str) -> PathBuf {
    let name = format!("wsgi-tls-{}-{}", std::process::id(), token(what));
    let dir = std::env::temp_dir().join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The plain application over TLS with `cert`.
async fn tls_server(cert: &TestCert, workers: usize) -> TestServer {
    let options = ServeOptions {
        tls: Some(Tls::load(&cert.files).unwrap()),
        ..ServeOptions::default()
    };
    TestServer::start("plain_app:app", workers, options).await
}

type H2 = client2::SendRequest<Full<Bytes>>;

/// An HTTP/2 connection over `io`; the handle ends when the server closes
/// the connection.
async fn h2_over<I>(io: I) -> (H2, JoinHandle<hyper::Result<()>>)
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (sender, connection) = client2::handshake(TokioExecutor::new(), TokioIo::new(io))
        .await
        .unwrap();
    (sender, tokio::spawn(connection))
}

/// h2c with prior knowledge.
async fn h2c(addr: SocketAddr) -> (H2, JoinHandle<hyper::Result<()>>) {
    h2_over(TcpStream::connect(addr).await.unwrap()).await
}

/// A TLS connection offering `alpn`, and the protocol the server chose.
async fn tls_connect(
    cert: &TestCert,
    addr: SocketAddr,
    alpn: &[&[u8]],
) -> tokio_rustls::client::TlsStream<TcpStream> {
    let tcp = TcpStream::connect(addr).await.unwrap();
    let name = ServerName::try_from("localhost").unwrap();
    bounded("TLS handshake", cert.connector(alpn).connect(name, tcp))
        .await
        .unwrap()
}

/// A response and the HTTP version it came in.
struct Answer {
    status: StatusCode,
    version: Version,
    body: Bytes,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn get_request(uri: &str) -> Request<Full<Bytes>> {
    Request::get(uri).body(Full::new(Bytes::new())).unwrap()
}

/// Sends `request` on an HTTP/2 connection and reads the whole answer; a
/// reset stream is an `Err`.
async fn h2_send(sender: &H2, request: Request<Full<Bytes>>) -> hyper::Result<Answer> {
    let mut sender = sender.clone();
    bounded("an HTTP/2 exchange", async move {
        let response = sender.send_request(request).await?;
        let (parts, body) = response.into_parts();
        Ok(Answer {
            status: parts.status,
            version: parts.version,
            body: body.collect().await?.to_bytes(),
        })
    })
    .await
}

async fn h2_get(sender: &H2, uri: &str) -> Answer {
    h2_send(sender, get_request(uri))
        .await
        .unwrap_or_else(|err| panic!("{uri}: {err}"))
}

/// One HTTP/1.1 request on a new connection over `io`.
async fn h1_get<I>(io: I, uri: &str) -> Answer
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    bounded("an HTTP/1.1 exchange", async {
        let (mut sender, connection) = client1::handshake(TokioIo::new(io)).await.unwrap();
        tokio::spawn(connection);
        let request = Request::get(uri)
            .header("host", "localhost")
            .body(Full::new(Bytes::new()))
            .unwrap();
        let response = sender.send_request(request).await.unwrap();
        let (parts, body) = response.into_parts();
        Answer {
            status: parts.status,
            version: parts.version,
            body: body.collect().await.unwrap().to_bytes(),
        }
    })
    .await
}

/// Checks an environ dump: a 200 over `version`, whose `SERVER_PROTOCOL`
/// is `protocol` and `wsgi.url_scheme` is `scheme`.
fn assert_environ(answer: &Answer, version: Version, protocol: &str, scheme: &str) {
    let text = answer.text();
    assert_eq!((answer.status, answer.version), (StatusCode::OK, version));
    for (key, value) in [("SERVER_PROTOCOL", protocol), ("wsgi.url_scheme", scheme)] {
        // As json.dumps writes it.
        let pair = format!("\"{key}\": \"{value}\"");
        assert!(text.contains(&pair), "{pair} not in {text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_serves_http2_or_http1_as_alpn_chooses() {
    let cert = TestCert::new();
    let server = tls_server(&cert, 2).await;

    let tls = tls_connect(&cert, server.addr, &[b"h2", b"http/1.1"]).await;
    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    let (h2, _) = h2_over(tls).await;
    let environ = h2_get(&h2, "https://localhost/environ").await;
    assert_environ(&environ, Version::HTTP_2, "HTTP/2", "https");
    // A trusted proxy's X-Forwarded-Proto still decides the scheme.
    let forwarded = Request::get("https://localhost/environ")
        .header("x-forwarded-proto", "http")
        .body(Full::new(Bytes::new()))
        .unwrap();
    let environ = h2_send(&h2, forwarded).await.unwrap();
    assert_environ(&environ, Version::HTTP_2, "HTTP/2", "http");

    let tls = tls_connect(&cert, server.addr, &[b"http/1.1"]).await;
    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"http/1.1"[..]));
    let environ = h1_get(tls, "/environ").await;
    assert_environ(&environ, Version::HTTP_11, "HTTP/1.1", "https");

    // No ALPN at all: HTTP/1.1.
    let tls = tls_connect(&cert, server.addr, &[]).await;
    assert_eq!(h1_get(tls, "/hello").await.text(), "Hello, world!\n");
    let report = server.stop().await;
    assert_eq!(report.counters.application_errors(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clear_text_serves_h2c_with_prior_knowledge_and_http1() {
    let server = TestServer::plain(1).await;
    let (h2, _) = h2c(server.addr).await;
    let environ = h2_get(&h2, "http://localhost/environ").await;
    assert_environ(&environ, Version::HTTP_2, "HTTP/2", "http");
    // Streamed and file-wrapped bodies.
    let streamed = h2_get(&h2, "http://localhost/stream?n=50&size=1000").await;
    assert_eq!(streamed.body.len(), 50_000);
    let file = h2_get(&h2, "http://localhost/file?size=2500").await;
    let expected: Vec<u8> = (0..2500u32).map(|i| (i % 251) as u8).collect();
    assert_eq!(file.body, expected);
    let posted = Request::post("http://localhost/echo")
        .body(Full::new(Bytes::from(vec![b'z'; 100_000])))
        .unwrap();
    let echoed = h2_send(&h2, posted).await.unwrap();
    assert_eq!(echoed.body, vec![b'z'; 100_000]);

    let tcp = TcpStream::connect(server.addr).await.unwrap();
    let environ = h1_get(tcp, "/environ").await;
    assert_environ(&environ, Version::HTTP_11, "HTTP/1.1", "http");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_streams_on_one_connection_are_all_answered() {
    let cert = TestCert::new();
    let server = tls_server(&cert, 4).await;
    let (h2, _) = h2_over(tls_connect(&cert, server.addr, &[b"h2"]).await).await;
    let streams: Vec<_> = (0..50)
        .map(|n| {
            let h2 = h2.clone();
            tokio::spawn(async move {
                let reply = h2_get(&h2, &format!("https://localhost/query?n={n}")).await;
                (n, reply.status, reply.text())
            })
        })
        .collect();
    for stream in streams {
        let (n, status, text) = bounded("a stream", stream).await.unwrap();
        assert_eq!(status, StatusCode::OK);
        assert_eq!(text, format!("{{\"n\": \"{n}\"}}"));
    }
    server.stop().await;
}

/// Two streams of one connection are in the application at once (each
/// sent its first chunk and waits for its gate): the workers serve them in
/// parallel.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streams_of_one_connection_run_on_different_workers() {
    let server = TestServer::plain(2).await;
    let (h2, _) = h2c(server.addr).await;
    let gates = [token("parallel"), token("parallel")];
    let mut bodies = Vec::new();
    for gate in &gates {
        let uri = format!("http://localhost/stream-gated?token={gate}");
        let response = bounded("a gated stream", h2.clone().send_request(get_request(&uri)))
            .await
            .unwrap();
        bodies.push(response.into_body());
    }
    for body in &mut bodies {
        let first = bounded("the first chunk", body.frame()).await;
        let first = first.unwrap().unwrap().into_data().unwrap();
        assert_eq!(first, "first");
    }
    for (gate, body) in gates.iter().zip(bodies) {
        assert!(plain_app_call("open_gate", vec![gate.clone()]).await);
        let rest = bounded("the rest", body.collect()).await.unwrap();
        assert_eq!(rest.to_bytes(), "second");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn content_length_mismatches_reset_only_their_stream() {
    let server = TestServer::plain(1).await;
    let (h2, connection) = h2c(server.addr).await;
    for (path, sent) in [
        ("/forged", &b"ok"[..]),
        ("/forged-stream", b"ok"),
        ("/cafe", b"caf\xc3"),
    ] {
        let reply = h2_get(&h2, &format!("http://localhost{path}")).await;
        assert_eq!(reply.body, sent, "{path}");
        let next = h2_get(&h2, "http://localhost/hello").await;
        assert_eq!(next.text(), "Hello, world!\n", "after {path}");
    }
    // Short of its Content-Length: the stream is reset, not the connection.
    let short = h2_send(&h2, get_request("http://localhost/short")).await;
    assert!(short.is_err(), "a short body arrived whole");
    let next = h2_get(&h2, "http://localhost/hello").await;
    assert_eq!(next.text(), "Hello, world!\n");
    assert!(!connection.is_finished(), "the connection was closed");
    let report = server.stop().await;
    assert_eq!(report.counters.application_errors(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_and_the_request_timeout_hold_over_http2() {
    let options = ServeOptions {
        limits: Limits {
            headers: 10,
            body_bytes: 1000,
            ..Limits::default()
        },
        request_timeout: Some(Duration::from_millis(200)),
        ..ServeOptions::default()
    };
    let server = TestServer::start("plain_app:app", 2, options).await;
    let (h2, _) = h2c(server.addr).await;
    let mut many = Request::get("http://localhost/hello");
    for n in 0..20 {
        many = many.header(format!("x-field-{n}"), n.to_string());
    }
    let reply = h2_send(&h2, many.body(Full::new(Bytes::new())).unwrap()).await;
    assert_eq!(
        reply.unwrap().status,
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
    );
    let big = Request::post("http://localhost/echo")
        .body(Full::new(Bytes::from(vec![b'x'; 1001])))
        .unwrap();
    let reply = h2_send(&h2, big).await.unwrap();
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    let huge_header = Request::get("http://localhost/hello")
        .header("x-big", "v".repeat(70_000))
        .body(Full::new(Bytes::new()))
        .unwrap();
    // Refused with a 431, or by a stream reset as HTTP/2 allows; the
    // connection goes on either way.
    if let Ok(reply) = h2_send(&h2, huge_header).await {
        assert_eq!(reply.status, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    }
    let started = Instant::now();
    let slow = h2_get(&h2, "http://localhost/sleep?secs=1").await;
    assert_eq!(slow.status, StatusCode::GATEWAY_TIMEOUT);
    assert!(started.elapsed() < Duration::from_millis(900));
    assert_eq!(
        h2_get(&h2, "http://localhost/hello").await.status,
        StatusCode::OK
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_http2_connection_is_closed_at_the_header_timeout() {
    let options = ServeOptions {
        timeouts: Timeouts {
            header: Duration::from_millis(300),
            ..Timeouts::default()
        },
        ..ServeOptions::default()
    };
    let server = TestServer::start("plain_app:app", 1, options).await;
    let (h2, connection) = h2c(server.addr).await;
    // A request outlasting the timeout keeps the connection open.
    let slow = h2_get(&h2, "http://localhost/sleep?secs=0.6").await;
    assert_eq!(slow.text(), "slept");
    let started = Instant::now();
    bounded("the idle close", connection)
        .await
        .unwrap()
        .unwrap();
    assert!(started.elapsed() >= Duration::from_millis(250));
    // A client that connects and sends nothing is closed too.
    let mut silent = TcpStream::connect(server.addr).await.unwrap();
    let mut rest = Vec::new();
    bounded("the silent close", silent.read_to_end(&mut rest))
        .await
        .unwrap();
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_sends_goaway_and_finishes_the_streams_in_flight() {
    let mut server = TestServer::plain(1).await;
    let (h2, connection) = h2c(server.addr).await;
    let announced = token("goaway");
    let in_flight = {
        let h2 = h2.clone();
        let uri = format!("http://localhost/sleep?secs=0.5&announce={announced}");
        tokio::spawn(async move { h2_get(&h2, &uri).await })
    };
    assert!(plain_app_call("wait_entered", vec![announced]).await);
    server.begin_stop();
    let finished = bounded("in flight", in_flight).await.unwrap();
    assert_eq!(finished.text(), "slept");
    bounded("GOAWAY", connection).await.unwrap().unwrap();
    let report = server.stop().await;
    assert_eq!(report.aborted, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_on_the_tls_port_does_not_hurt_other_clients() {
    let cert = TestCert::new();
    let server = tls_server(&cert, 2).await;
    let mut plain = TcpStream::connect(server.addr).await.unwrap();
    let silent = TcpStream::connect(server.addr).await.unwrap();
    plain
        .write_all(b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let tls = tls_connect(&cert, server.addr, &[b"h2"]).await;
    let (h2, _) = h2_over(tls).await;
    assert_eq!(
        h2_get(&h2, "https://localhost/hello").await.text(),
        "Hello, world!\n"
    );
    let mut answer = Vec::new();
    let _ = bounded("the plain client's close", plain.read_to_end(&mut answer)).await;
    assert!(
        !answer.starts_with(b"HTTP/1.1 200"),
        "plain HTTP was served"
    );
    assert_eq!(
        h2_get(&h2, "https://localhost/hello").await.status,
        StatusCode::OK
    );
    drop(silent);
    server.stop().await;
}

#[test]
fn bad_certificate_files_are_clear_errors() {
    let cert = TestCert::new();
    let missing = TlsFiles {
        certfile: cert.files.certfile.with_file_name("nowhere.pem"),
        keyfile: cert.files.keyfile.clone(),
    };
    let message = Tls::load(&missing).unwrap_err();
    assert!(
        message.starts_with("--certfile ") && message.contains("nowhere.pem"),
        "{message}"
    );
    let swapped = TlsFiles {
        certfile: cert.files.keyfile.clone(),
        keyfile: cert.files.certfile.clone(),
    };
    let message = Tls::load(&swapped).unwrap_err();
    assert!(message.contains("no PEM certificate found"), "{message}");
    let other = TestCert::new();
    let mismatched = TlsFiles {
        certfile: cert.files.certfile.clone(),
        keyfile: other.files.keyfile.clone(),
    };
    let message = Tls::load(&mismatched).unwrap_err();
    assert!(message.contains(" with --keyfile "), "{message}");
}
