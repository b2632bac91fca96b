//! The `wsgi-server` binary as a process: start-up log (including the GIL
//! line), SIGTERM while a request is in flight (it completes, then the
//! process exits 0), the supervisor, TLS, and command-line errors.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio_rustls::rustls;

/// The longest any step may take before the test counts as hung.
const LIMIT: Duration = Duration::from_secs(60);

fn apps_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/python-apps")
}

/// The server process and its stderr, line by line.
struct Server {
    child: Child,
    lines: Receiver<String>,
    log: Vec<String>,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_wsgi-server"))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("wsgi-server starts");
        let stderr = child.stderr.take().unwrap();
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Server {
            child,
            lines,
            log: Vec::new(),
        }
    }

    /// The first stderr line containing `needle` (bounded wait).
    fn wait_for(&mut self, needle: &str) -> String {
        loop {
            match self.lines.recv_timeout(LIMIT) {
                Ok(line) => {
                    self.log.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(_) => panic!(
                    "no log line with {needle:?} within {LIMIT:?}; log so far:\n{}",
                    self.log.join("\n")
                ),
            }
        }
    }

    /// Waits for the "serving" line and returns the address it names.
    fn address(&mut self) -> String {
        let serving = self.wait_for(" on http");
        serving
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap()
            .to_owned()
    }

    /// Waits until `count` log lines so far contain `needle`.
    fn wait_for_count(&mut self, needle: &str, count: usize) {
        while self.log.iter().filter(|line| line.contains(needle)).count() < count {
            self.wait_for(needle);
        }
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([format!("-{name}"), self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for the exit (bounded) and returns the exit code.
    fn wait_exit(&mut self) -> Option<i32> {
        let (done, exited) = mpsc::channel();
        let pid = self.child.id();
        let watchdog = std::thread::spawn(move || {
            if exited.recv_timeout(LIMIT).is_err() {
                let _ = Command::new("kill")
                    .args(["-KILL", &pid.to_string()])
                    .status();
            }
        });
        let status = self.child.wait().unwrap();
        let _ = done.send(());
        watchdog.join().unwrap();
        // The rest of the log.
        while let Ok(line) = self.lines.recv_timeout(LIMIT) {
            self.log.push(line);
        }
        status.code()
    }
}

impl Drop for Server {
    /// A test that failed half-way leaves no server running (a supervisor's
    /// processes follow it: they get SIGTERM when it dies).
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[test]
fn sigterm_lets_the_request_in_flight_finish_then_exits_cleanly() {
    let apps = apps_dir();
    let mut server = Server::start(&[
        "--app",
        "plain_app:app",
        "--pythonpath",
        apps.to_str().unwrap(),
        "--workers",
        "2",
        "--bind",
        "127.0.0.1:0",
    ]);
    let gil = server.wait_for("GIL ");
    if pyo3_ft::runtime::build_info::GIL_DISABLED {
        assert!(
            gil.contains("GIL disabled: free-threaded interpreter"),
            "{gil}"
        );
    } else {
        assert!(
            gil.contains("GIL enabled: GIL-enabled interpreter build"),
            "{gil}"
        );
    }
    let addr = server.address();

    // Half of a request body: the application waits for the rest.
    let mut stream = TcpStream::connect(&addr).unwrap();
    stream.set_read_timeout(Some(LIMIT)).unwrap();
    stream
        .write_all(b"POST /echo?announce=t1 HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello")
        .unwrap();
    server.wait_for("entered t1");

    server.signal("TERM");
    server.wait_for("SIGTERM: shutting down gracefully");
    server.wait_for("shutting down: finishing 1 open connection(s)");
    // New connections are refused now.
    assert!(TcpStream::connect(&addr).is_err());

    stream.write_all(b"world").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.ends_with("\r\n\r\nhelloworld"), "{response}");

    assert_eq!(
        server.wait_exit(),
        Some(0),
        "log:\n{}",
        server.log.join("\n")
    );
    assert!(
        server
            .log
            .iter()
            .any(|line| line.contains("stopped: 1 connection(s), 1 request(s)")),
        "log:\n{}",
        server.log.join("\n")
    );
}

#[test]
fn sigterm_abandons_a_stuck_python_call_at_the_graceful_timeout() {
    const GRACE: Duration = Duration::from_secs(1);
    let apps = apps_dir();
    let mut server = Server::start(&[
        "--app=plain_app:app",
        "--pythonpath",
        apps.to_str().unwrap(),
        "--workers=1",
        "--bind=127.0.0.1:0",
        "--graceful-timeout=1",
    ]);
    let addr = server.address();
    let mut stream = TcpStream::connect(&addr).unwrap();
    stream
        .write_all(b"GET /sleep?secs=60&announce=stuck HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    server.wait_for("entered stuck");

    let signalled = Instant::now();
    server.signal("TERM");
    let code = server.wait_exit();
    let took = signalled.elapsed();
    let log = server.log.join("\n");
    assert_eq!(code, Some(0), "log:\n{log}");
    // The graceful timeout, plus a second, plus slack for a loaded machine.
    assert!(
        took < GRACE + Duration::from_secs(2),
        "exited after {took:?}; log:\n{log}"
    );
    assert!(
        log.contains("abandoning 1 request(s) still running in Python")
            && log.contains("GET /sleep?secs=60&announce=stuck from 127.0.0.1:"),
        "log:\n{log}"
    );
    assert!(
        log.contains("stopped: 1 connection(s), 0 request(s)"),
        "log:\n{log}"
    );
}

/// `GET path` on a new connection: the response, or what arrived before
/// the connection ended.
fn http_get(addr: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(LIMIT)).unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    String::from_utf8_lossy(&response).into_owned()
}

/// The body of a 200 response to `GET path`.
fn body_of(addr: &str, path: &str) -> String {
    let response = http_get(addr, path);
    assert!(
        response.starts_with("HTTP/1.1 200 OK\r\n"),
        "{path}: {response:?}"
    );
    response.split("\r\n\r\n").nth(1).unwrap().to_owned()
}

#[test]
fn the_supervisor_replaces_a_process_that_dies_and_stops_gracefully() {
    let apps = apps_dir();
    let mut server = Server::start(&[
        "--app=plain_app:app",
        "--pythonpath",
        apps.to_str().unwrap(),
        "--workers=1",
        "--processes=2",
        "--bind=127.0.0.1:0",
    ]);
    let addr = server.address();
    let victim = body_of(&addr, "/pid");
    // The process that takes this request dies in the middle of it.
    let died = http_get(&addr, "/exit");
    assert!(died.is_empty(), "{died:?}");
    let line = server.wait_for(" died (exit code 1); starting a new one");
    let dead: String = line
        .split("server process ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap()
        .to_owned();
    // The others answer meanwhile, and the replacement joins them.
    for _ in 0..10 {
        assert_ne!(body_of(&addr, "/pid"), dead);
    }
    server.wait_for_count("serving plain_app:app", 3);
    assert!(!victim.is_empty());

    server.signal("TERM");
    assert_eq!(
        server.wait_exit(),
        Some(0),
        "log:\n{}",
        server.log.join("\n")
    );
    let log = server.log.join("\n");
    assert!(
        log.contains("supervisor: SIGTERM: stopping the server processes gracefully"),
        "{log}"
    );
    assert_eq!(
        log.matches("SIGTERM: shutting down gracefully").count(),
        2,
        "{log}"
    );
    assert!(log.contains("supervisor: stopped"), "{log}");
}

#[test]
fn max_requests_recycles_a_supervised_process() {
    let apps = apps_dir();
    let mut server = Server::start(&[
        "--app=plain_app:app",
        "--pythonpath",
        apps.to_str().unwrap(),
        "--workers=1",
        "--processes=1",
        "--max-requests=3",
        "--bind=127.0.0.1:0",
    ]);
    let addr = server.address();
    let pids: Vec<String> = (0..7).map(|_| body_of(&addr, "/pid")).collect();
    assert_eq!(pids[0], pids[2], "{pids:?}");
    assert_ne!(pids[2], pids[3], "{pids:?}");
    assert_eq!(pids[3], pids[5], "{pids:?}");
    server.wait_for("served 3 request(s) (--max-requests): stopping to be replaced");
    server.wait_for("finished (exit code 0); starting a new one");
    server.signal("INT");
    assert_eq!(
        server.wait_exit(),
        Some(0),
        "log:\n{}",
        server.log.join("\n")
    );
}

#[test]
fn serves_several_binds_including_a_unix_socket_with_an_access_log() {
    let socket = std::env::temp_dir().join(format!("wsgi-server-test-{}.sock", std::process::id()));
    let unix_bind = format!("unix:{}", socket.display());
    let apps = apps_dir();
    let mut server = Server::start(&[
        "--app=plain_app:app",
        "--pythonpath",
        apps.to_str().unwrap(),
        "--workers=1",
        "--bind=127.0.0.1:0",
        "--bind",
        &unix_bind,
        "--access-log-format",
        "%(m)s %(U)s %(s)s %(b)s via %(H)s, %({Host}i)s",
    ]);
    let serving = server.wait_for("serving plain_app:app on http://");
    assert!(
        serving.contains(&format!(" and {unix_bind} with")),
        "{serving}"
    );
    let addr = serving
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap()
        .to_owned();
    assert_eq!(body_of(&addr, "/hello"), "Hello, world!\n");
    server.wait_for("GET /hello 200 14 via HTTP/1.1, x");

    let mut stream = std::os::unix::net::UnixStream::connect(&socket).unwrap();
    stream.set_read_timeout(Some(LIMIT)).unwrap();
    stream
        .write_all(b"GET /environ HTTP/1.1\r\nHost: example.test:8080\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(
        response.contains(r#""SERVER_NAME": "example.test""#),
        "{response}"
    );
    assert!(response.contains(r#""SERVER_PORT": "8080""#), "{response}");
    assert!(!response.contains("REMOTE_ADDR"), "{response}");

    server.signal("TERM");
    assert_eq!(
        server.wait_exit(),
        Some(0),
        "log:\n{}",
        server.log.join("\n")
    );
    let _ = std::fs::remove_file(&socket);
}

#[test]
fn sigint_with_nothing_in_flight_exits_at_once() {
    let apps = apps_dir();
    let mut server = Server::start(&[
        "--app=plain_app:app",
        "--pythonpath",
        apps.to_str().unwrap(),
        "--workers=1",
        "--bind=127.0.0.1:0",
    ]);
    server.wait_for("serving plain_app:app");
    server.signal("INT");
    assert_eq!(
        server.wait_exit(),
        Some(0),
        "log:\n{}",
        server.log.join("\n")
    );
}

#[test]
fn bad_command_lines_and_applications_fail_clearly() {
    let run = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_wsgi-server"))
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (code, stdout, _) = run(&["--help"]);
    assert_eq!(code, Some(0));
    assert!(stdout.contains("usage: wsgi-server --app"));

    let (code, _, stderr) = run(&["--workers", "2"]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("--app MODULE[:CALLABLE] is required"),
        "{stderr}"
    );

    let apps = apps_dir();
    let (code, _, stderr) = run(&[
        "--app",
        "plain_app:no_such_app",
        "--pythonpath",
        apps.to_str().unwrap(),
        "--bind",
        "127.0.0.1:0",
    ]);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("cannot load the application plain_app:no_such_app"),
        "{stderr}"
    );
    assert!(stderr.contains("AttributeError"), "{stderr}");

    // TLS files are read before anything starts, supervisor or not.
    for processes in ["0", "2"] {
        let (code, _, stderr) = run(&[
            "--app=plain_app:app",
            "--certfile=/nonexistent/cert.pem",
            "--keyfile=/nonexistent/key.pem",
            "--processes",
            processes,
        ]);
        assert_eq!(code, Some(2), "{stderr}");
        assert!(
            stderr.contains("--certfile /nonexistent/cert.pem: No such file"),
            "{stderr}"
        );
    }
}

/// A certificate for `localhost` made for one test: its PEM files, and a
/// client configuration that trusts it alone.
fn test_certificate() -> (PathBuf, PathBuf, Arc<rustls::ClientConfig>) {
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let dir = std::env::temp_dir().join(format!("wsgi-process-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (certfile, keyfile) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&certfile, made.cert.pem()).unwrap();
    std::fs::write(&keyfile, made.key_pair.serialize_pem()).unwrap();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(made.cert.der().clone()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let client = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    (certfile, keyfile, Arc::new(client))
}

/// [`http_get`] over TLS.
fn https_get(addr: &str, client: &Arc<rustls::ClientConfig>, path: &str) -> String {
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let connection = rustls::ClientConnection::new(Arc::clone(client), name).unwrap();
    let tcp = TcpStream::connect(addr).unwrap();
    tcp.set_read_timeout(Some(LIMIT)).unwrap();
    let mut stream = rustls::StreamOwned::new(connection, tcp);
    let request = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    String::from_utf8_lossy(&response).into_owned()
}

#[test]
fn supervised_processes_serve_over_tls() {
    let apps = apps_dir();
    let (certfile, keyfile, client) = test_certificate();
    let mut server = Server::start(&[
        "--app=plain_app:app",
        "--pythonpath",
        apps.to_str().unwrap(),
        "--processes=2",
        "--workers=1",
        "--bind=127.0.0.1:0",
        "--certfile",
        certfile.to_str().unwrap(),
        "--keyfile",
        keyfile.to_str().unwrap(),
    ]);
    let addr = server.address();
    let serving = server.log.last().unwrap();
    assert!(
        serving.contains(" on https://") && serving.contains("(TLS)"),
        "{serving}"
    );
    let environ = https_get(&addr, &client, "/environ");
    assert!(environ.starts_with("HTTP/1.1 200 OK\r\n"), "{environ}");
    assert!(
        environ.contains("\"wsgi.url_scheme\": \"https\""),
        "{environ}"
    );
    // Plain HTTP on the TLS port gets no answer, and breaks nothing.
    assert!(!http_get(&addr, "/hello").contains("200 OK"));
    assert!(https_get(&addr, &client, "/hello").ends_with("Hello, world!\n"));
    server.signal("TERM");
    assert_eq!(
        server.wait_exit(),
        Some(0),
        "log:\n{}",
        server.log.join("\n")
    );
    let _ = std::fs::remove_dir_all(certfile.parent().unwrap());
}

#[test]
fn an_asgi_app_runs_its_lifespan_around_serving() {
    let apps = apps_dir();
    let mut server = Server::start(&[
        "--app",
        "asgi_plain:app",
        "--interface",
        "asgi",
        "--pythonpath",
        apps.to_str().unwrap(),
        "--workers",
        "2",
        "--bind",
        "127.0.0.1:0",
    ]);
    server.wait_for("asgi_plain: lifespan startup");
    let addr = server.address();
    assert_eq!(body_of(&addr, "/there"), "hello from /there\n");
    server.signal("TERM");
    assert_eq!(server.wait_exit(), Some(0), "{}", server.log.join("\n"));
    assert!(
        server
            .log
            .iter()
            .any(|line| line.contains("asgi_plain: lifespan shutdown")),
        "{}",
        server.log.join("\n")
    );
}
