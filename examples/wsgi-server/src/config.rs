//! The command line.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::access_log::AccessLogFormat;
use crate::listener::Bind;
use crate::wsgi::TrustedProxies;

/// What `wsgi-server --help` prints.
pub const USAGE: &str = "\
usage: wsgi-server --app MODULE[:CALLABLE] [options]

Serves a WSGI (PEP 3333) or ASGI 3 application over HTTP/1.1 and HTTP/2 (h2c
with prior knowledge in clear text, ALPN over TLS), running it on a pool of
Python worker threads (in parallel on a free-threaded interpreter).

options:
  --app MODULE[:CALLABLE]  the application: CALLABLE (default `application`,
                           a dotted path allowed) of the importable MODULE
  --interface wsgi|asgi    how to call it (default wsgi); asgi runs one
                           asyncio event loop per worker, and the app's
                           lifespan once before serving
  --workers N              Python worker threads (default: the CPU count)
  --bind ADDR              HOST:PORT or unix:PATH to listen on (repeatable;
                           default 127.0.0.1:8000)
  --certfile PATH          serve every --bind over TLS with the certificate
                           chain in this PEM file (the server's first), with
                           --keyfile (default: none, clear text)
  --keyfile PATH           the private key (PEM: PKCS#8, PKCS#1 or SEC1) of
                           --certfile
  --pythonpath DIR         put DIR first on sys.path (repeatable)
  --venv DIR               run Python as the virtual environment DIR (made by
                           this interpreter) does: its sys.prefix and
                           site-packages
  --io-threads N           threads running the HTTP side (default 1)
  --backlog N              WSGI: requests that may wait for a free worker
                           before connections wait too (default 1024)
  --script-name PATH       the mount point: SCRIPT_NAME, stripped from
                           PATH_INFO (default: empty)
  --graceful-timeout SECS  on SIGINT/SIGTERM, how long in-flight requests may
                           take; at its end their connections are closed and
                           requests still running in Python are abandoned
                           (logged) as the process exits (default 30)
  --header-timeout SECS    how long a client may take for the TLS handshake
                           and to send a request's headers, and how long a
                           connection may stay idle between requests (HTTP/2:
                           with no stream in progress) (default 30)
  --body-timeout SECS      how long a read of the request body may wait for
                           the client's next bytes; then the request is
                           answered 408 and its worker released (default 30)
  --write-timeout SECS     how long a response may wait for the client to
                           read; then the connection is closed and the worker
                           released (default 30)
  --request-timeout SECS   answer 504 when the application has not started
                           its response in time; its call goes on (Python
                           code cannot be interrupted) (default 0: none)
  --max-headers N          request headers allowed; more get 431 (default 100)
  --max-header-bytes N     size allowed for a request's head; more gets 431
                           (default 65536, at least 8192)
  --max-body-bytes N       request body size allowed; more gets 413
                           (default 0: no limit)
  --forwarded-allow-ips LIST  the proxies (IP addresses, comma-separated, or
                           `*`) whose X-Forwarded-For and X-Forwarded-Proto
                           set REMOTE_ADDR and wsgi.url_scheme (default
                           127.0.0.1,::1; empty: none)
  --processes N            supervisor mode: N server processes share the
                           listening socket; one that dies is restarted
                           (default 0: a single process, no supervisor)
  --max-requests N         with --processes: a process exits gracefully after
                           about N requests and is replaced (default 0: never)
  --max-requests-jitter N  adds a random 0..=N to each process's
                           --max-requests, so they do not restart together
  --access-log             log one line per request
  --access-log-format FMT  the access log's line (implies --access-log), in
                           gunicorn's atoms: %(h)s client, %(r)s request
                           line, %(m)s method, %(U)s path, %(q)s query,
                           %(H)s protocol, %(s)s status, %(b)s bytes,
                           %(M)s milliseconds, %(L)s seconds, %(p)s pid,
                           %({Header}i)s a request header, %% a `%`
                           (default: %(h)s \"%(r)s\" %(s)s %(b)s %(M)sms)
  -h, --help               print this help";

/// How to run the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `module:callable`.
    pub app: String,
    pub interface: Interface,
    pub workers: usize,
    /// Where to listen (at least one).
    pub binds: Vec<Bind>,
    /// The certificate chain and key files for TLS.
    pub tls: Option<TlsFiles>,
    /// Prepended to `sys.path`, in the order given.
    pub pythonpath: Vec<PathBuf>,
    pub venv: Option<PathBuf>,
    pub io_threads: usize,
    /// The executor's queue capacity.
    pub backlog: usize,
    /// `SCRIPT_NAME`, without a trailing slash (empty for the root).
    pub script_name: String,
    pub graceful_timeout: Duration,
    pub timeouts: Timeouts,
    /// How long the application may take to start its response (`None`:
    /// as long as it takes).
    pub request_timeout: Option<Duration>,
    pub limits: Limits,
    pub trusted_proxies: TrustedProxies,
    /// Server processes under a supervisor (0: none, serve in this process).
    pub processes: usize,
    /// Requests after which a supervised process is recycled (0: never).
    pub max_requests: u64,
    pub max_requests_jitter: u64,
    /// The access log's format, if there is one.
    pub access_log: Option<AccessLogFormat>,
}

/// The calling convention of the application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interface {
    /// PEP 3333: `app(environ, start_response)`, on executor workers.
    Wsgi,
    /// ASGI 3: `await app(scope, receive, send)`, on event loops.
    Asgi,
}

impl Interface {
    fn parse(text: &str) -> Result<Interface, String> {
        match text {
            "wsgi" => Ok(Interface::Wsgi),
            "asgi" => Ok(Interface::Asgi),
            other => Err(format!("--interface must be wsgi or asgi, got `{other}`")),
        }
    }
}

/// `--certfile` and `--keyfile`, both PEM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub certfile: PathBuf,
    pub keyfile: PathBuf,
}

/// How long the server waits on a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// For a request's headers, and between requests on a kept-alive
    /// connection.
    pub header: Duration,
    /// For each read of the request body the application waits on.
    pub body: Duration,
    /// For the client to take the next piece of a response.
    pub write: Duration,
}

/// What a request may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Header fields.
    pub headers: usize,
    /// Bytes of the request line and headers (hyper needs at least 8192).
    pub header_bytes: usize,
    /// Bytes of the body (0: no limit).
    pub body_bytes: u64,
}

/// The least `--max-header-bytes` hyper accepts.
const MIN_HEADER_BYTES: usize = 8192;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            headers: 100,
            header_bytes: 65_536,
            body_bytes: 0,
        }
    }
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            header: Duration::from_secs(30),
            body: Duration::from_secs(30),
            write: Duration::from_secs(30),
        }
    }
}

impl Config {
    /// The defaults, serving `app`.
    pub fn new(app: impl Into<String>) -> Config {
        Config {
            app: app.into(),
            interface: Interface::Wsgi,
            workers: std::thread::available_parallelism().map_or(1, |n| n.get()),
            binds: vec![Bind::Tcp(SocketAddr::from(([127, 0, 0, 1], 8000)))],
            tls: None,
            pythonpath: Vec::new(),
            venv: None,
            io_threads: 1,
            backlog: 1024,
            script_name: String::new(),
            graceful_timeout: Duration::from_secs(30),
            timeouts: Timeouts::default(),
            request_timeout: None,
            limits: Limits::default(),
            trusted_proxies: TrustedProxies::default(),
            processes: 0,
            max_requests: 0,
            max_requests_jitter: 0,
            access_log: None,
        }
    }

    /// Parses the arguments after the program name. `Ok(None)` means help
    /// was asked for.
    pub fn from_args<I, S>(args: I) -> Result<Option<Config>, String>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut args = args.into_iter().map(Into::into);
        let mut config = Config::new(String::new());
        let mut binds = Vec::new();
        let (mut certfile, mut keyfile) = (None, None);
        while let Some(arg) = args.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((flag, value)) if flag.starts_with("--") => {
                    (flag.to_owned(), Some(value.to_owned()))
                }
                _ => (arg, None),
            };
            let mut value = || {
                inline
                    .clone()
                    .or_else(|| args.next())
                    .ok_or_else(|| format!("{flag} needs a value"))
            };
            match flag.as_str() {
                "-h" | "--help" => return Ok(None),
                "--app" => config.app = value()?,
                "--interface" => config.interface = Interface::parse(&value()?)?,
                "--workers" => config.workers = positive(&flag, &value()?)?,
                "--io-threads" => config.io_threads = positive(&flag, &value()?)?,
                "--backlog" => config.backlog = positive(&flag, &value()?)?,
                "--bind" => binds.push(Bind::parse(&value()?)?),
                "--certfile" => certfile = Some(PathBuf::from(value()?)),
                "--keyfile" => keyfile = Some(PathBuf::from(value()?)),
                "--pythonpath" => config.pythonpath.push(PathBuf::from(value()?)),
                "--venv" => config.venv = Some(PathBuf::from(value()?)),
                "--script-name" => {
                    let text = value()?;
                    let trimmed = text.trim_end_matches('/');
                    if !trimmed.is_empty() && !trimmed.starts_with('/') {
                        return Err(format!("--script-name must start with `/`, got `{text}`"));
                    }
                    config.script_name = trimmed.to_owned();
                }
                "--graceful-timeout" => config.graceful_timeout = seconds(&flag, &value()?)?,
                "--header-timeout" => config.timeouts.header = seconds(&flag, &value()?)?,
                "--body-timeout" => config.timeouts.body = seconds(&flag, &value()?)?,
                "--write-timeout" => config.timeouts.write = seconds(&flag, &value()?)?,
                "--request-timeout" => {
                    let limit = seconds(&flag, &value()?)?;
                    config.request_timeout = (!limit.is_zero()).then_some(limit);
                }
                "--max-headers" => config.limits.headers = positive(&flag, &value()?)?,
                "--max-header-bytes" => {
                    let text = value()?;
                    config.limits.header_bytes = count(&flag, &text)
                        .ok()
                        .filter(|&bytes| bytes >= MIN_HEADER_BYTES)
                        .ok_or_else(|| {
                            format!("{flag} wants at least {MIN_HEADER_BYTES} bytes, got `{text}`")
                        })?;
                }
                "--max-body-bytes" => config.limits.body_bytes = count(&flag, &value()?)?,
                "--forwarded-allow-ips" => {
                    config.trusted_proxies = TrustedProxies::parse(&value()?)
                        .map_err(|err| format!("--forwarded-allow-ips: {err}"))?;
                }
                "--processes" => config.processes = count(&flag, &value()?)?,
                "--max-requests" => config.max_requests = count(&flag, &value()?)?,
                "--max-requests-jitter" => config.max_requests_jitter = count(&flag, &value()?)?,
                "--access-log" => {
                    config
                        .access_log
                        .get_or_insert_with(AccessLogFormat::default);
                }
                "--access-log-format" => {
                    config.access_log = Some(AccessLogFormat::parse(&value()?)?);
                }
                other => return Err(format!("unknown option `{other}`")),
            }
        }
        if !binds.is_empty() {
            config.binds = binds;
        }
        config.tls = match (certfile, keyfile) {
            (Some(certfile), Some(keyfile)) => Some(TlsFiles { certfile, keyfile }),
            (None, None) => None,
            _ => return Err("--certfile and --keyfile go together".to_owned()),
        };
        if config.app.is_empty() {
            return Err("--app MODULE[:CALLABLE] is required".to_owned());
        }
        if config.max_requests > 0 && config.processes == 0 {
            return Err(
                "--max-requests needs --processes (a supervisor to replace the process)".to_owned(),
            );
        }
        Ok(Some(config))
    }
}

fn positive(flag: &str, text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("{flag} wants a positive number, got `{text}`")),
    }
}

fn count<T: std::str::FromStr>(flag: &str, text: &str) -> Result<T, String> {
    text.parse::<T>()
        .map_err(|_| format!("{flag} wants a number, got `{text}`"))
}

fn seconds(flag: &str, text: &str) -> Result<Duration, String> {
    text.parse::<f64>()
        .ok()
        .filter(|secs| secs.is_finite() && *secs >= 0.0 && *secs < 1e9)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| format!("{flag} wants seconds, got `{text}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<Option<Config>, String> {
        Config::from_args(line.split_whitespace())
    }

    #[test]
    fn parses_every_option() {
        let config = parse(
            "--app hello:app --workers 2 --bind 127.0.0.1:9000 --bind unix:/tmp/s --pythonpath a --pythonpath=b \
             --venv v --io-threads 3 --backlog 7 --script-name /api/ --graceful-timeout 1.5 --access-log \
             --header-timeout 5 --body-timeout 0.5 --write-timeout 7 --processes 3 \
             --max-requests 100 --max-requests-jitter 10 --request-timeout 2 \
             --max-headers 20 --max-header-bytes 9000 --max-body-bytes 1000 \
             --forwarded-allow-ips=10.0.0.1,::1 --certfile c.pem --keyfile=k.pem",
        )
        .unwrap()
        .unwrap();
        assert_eq!(config.app, "hello:app");
        assert_eq!(config.workers, 2);
        assert_eq!(
            config.binds,
            [
                Bind::Tcp("127.0.0.1:9000".parse().unwrap()),
                Bind::Unix("/tmp/s".into())
            ]
        );
        assert_eq!(
            config.tls,
            Some(TlsFiles {
                certfile: "c.pem".into(),
                keyfile: "k.pem".into(),
            })
        );
        assert_eq!(config.pythonpath, [PathBuf::from("a"), PathBuf::from("b")]);
        assert_eq!(config.venv, Some(PathBuf::from("v")));
        assert_eq!((config.io_threads, config.backlog), (3, 7));
        assert_eq!(config.script_name, "/api");
        assert_eq!(config.graceful_timeout, Duration::from_millis(1500));
        assert_eq!(config.access_log, Some(AccessLogFormat::default()));
        let formatted = parse("--app a --access-log-format %(s)s --access-log")
            .unwrap()
            .unwrap();
        assert_eq!(formatted.access_log, AccessLogFormat::parse("%(s)s").ok());
        assert_eq!(
            config.timeouts,
            Timeouts {
                header: Duration::from_secs(5),
                body: Duration::from_millis(500),
                write: Duration::from_secs(7),
            }
        );
        assert_eq!(
            (
                config.processes,
                config.max_requests,
                config.max_requests_jitter
            ),
            (3, 100, 10)
        );
        assert_eq!(config.request_timeout, Some(Duration::from_secs(2)));
        assert_eq!(
            config.trusted_proxies,
            TrustedProxies::parse("10.0.0.1,::1").unwrap()
        );
        assert_eq!(
            config.limits,
            Limits {
                headers: 20,
                header_bytes: 9000,
                body_bytes: 1000,
            }
        );
    }

    #[test]
    fn rejects_bad_input() {
        assert!(parse("").is_err());
        assert!(parse("--app a --workers 0").is_err());
        assert!(parse("--app a --interface rsgi").is_err());
        assert_eq!(
            parse("--app a --interface asgi")
                .unwrap()
                .unwrap()
                .interface,
            Interface::Asgi
        );
        assert!(parse("--app a --bind nowhere").is_err());
        assert!(parse("--app a --frobnicate").is_err());
        assert!(parse("--app a --script-name api").is_err());
        assert!(parse("--app").is_err());
        assert!(parse("--app a --body-timeout -1").is_err());
        assert!(parse("--app a --processes two").is_err());
        assert!(parse("--app a --max-requests 10").is_err());
        assert!(parse("--app a --max-header-bytes 100").is_err());
        assert!(parse("--app a --certfile c.pem").is_err());
        assert!(parse("--app a --keyfile k.pem").is_err());
        let config = parse("--app a --request-timeout 0").unwrap().unwrap();
        assert_eq!(config.request_timeout, None);
        assert_eq!(parse("--help"), Ok(None));
    }
}
