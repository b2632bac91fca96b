//! `cargo xtask bench-server`: the server example under load, against
//! gunicorn, uvicorn and Granian, on loopback.
//!
//! 1. Builds `examples/wsgi-server` (the server and its load generator,
//!    `wsgi-load`) in release mode for the free-threaded interpreter and,
//!    for the WSGI table, for its GIL-enabled twin; installs gunicorn into
//!    the GIL twin's venv (`target/venv-gil`), and Granian and uvicorn into
//!    the free-threaded one (`target/venv-ft`, which has FastAPI; Flask
//!    too, into both venvs, with `--flask`).
//! 2. Measures two tables, each of servers serving the same applications:
//!    - WSGI: wsgi-server with 1 and 2 workers on each interpreter,
//!      gunicorn `--worker-class gthread --threads 2` on the GIL twin, and
//!      Granian (`--interface wsgi`, one worker process with 1 and 2
//!      blocking threads) on the free-threaded interpreter, serving
//!      `tests/python-apps/plain_app.py` (and `flask_app.py`);
//!    - ASGI, all on the free-threaded interpreter: wsgi-server
//!      `--interface asgi` with 1 and 2 workers (event loops), uvicorn (one
//!      process, `--loop asyncio --http h11`: its uvloop and httptools
//!      extras are left out) and Granian `--interface asgi` (one worker
//!      process, its default single runtime thread, `--loop asyncio`),
//!      serving the FastAPI app `tests/python-apps/asgi_bench.py`. Each
//!      runs the app on the standard library's event loop with one thread
//!      doing the HTTP side (wsgi-server's `--io-threads` is 1 by default).
//!
//!    For each round, starts each server in turn and measures each route
//!    with `wsgi-load` (keep-alive connections, a warm-up, then a fixed
//!    duration). Servers and rounds are interleaved, so that a noisy moment
//!    of the machine spreads over every server instead of hitting one.
//! 3. Prints, per table, the median of the rounds (requests/s, p50 and p99
//!    latency, the server's CPU time per request) and the ratios the issues
//!    ask about.
//!
//! The load generator runs on the same CPUs as the server: on a 2-CPU
//! machine it and the server's HTTP thread take their share from the
//! Python workers. Nothing here fails on a number.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{Read as _, Write as _};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::interpreters::{Interpreter, Kind};
use crate::provision;
use crate::util::{self, Result};
use crate::venv::{self, Venv};

const USAGE: &str = "\
usage: cargo xtask bench-server [--quick] [--rounds N] [--duration SECS]
                                [--connections N] [--flask]
                                [--interface wsgi|asgi]
  --quick             one round of 1 s per route (a smoke test of the pipeline)
  --rounds N          rounds over all servers; the tables show medians (default 3)
  --duration SECS     measured seconds per route and round (default 3)
  --connections N     keep-alive connections of the load generator (default 32)
  --flask             also serve tests/python-apps/flask_app.py in the WSGI
                      table (installs Flask)
  --interface I       only the WSGI table (wsgi-server, gunicorn, Granian) or
                      only the ASGI one (FastAPI under wsgi-server, uvicorn,
                      Granian; needs no GIL-enabled build); default both";

/// The Granian release installed: the newest with a free-threaded (cp313t)
/// wheel for this platform on PyPI when this was written (2.8 has only a
/// source distribution here, whose build fetches from outside PyPI).
const GRANIAN: &str = "granian==2.7.9";

/// How long a server may take to start listening.
const START_LIMIT: Duration = Duration::from_secs(60);

/// How long a server may take to exit after SIGTERM before it is killed.
const STOP_LIMIT: Duration = Duration::from_secs(30);

/// Warm-up before each measurement (connections open, caches warm).
const WARMUP_SECS: f64 = 0.5;

/// How the servers call the application: one table each.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Interface {
    Wsgi,
    Asgi,
}

impl Interface {
    const ALL: [Interface; 2] = [Interface::Wsgi, Interface::Asgi];

    fn name(self) -> &'static str {
        match self {
            Interface::Wsgi => "wsgi",
            Interface::Asgi => "asgi",
        }
    }

    fn parse(text: &str) -> Result<Interface> {
        Interface::ALL
            .into_iter()
            .find(|interface| interface.name() == text)
            .ok_or_else(|| format!("--interface wants wsgi or asgi, got `{text}`"))
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Options {
    rounds: usize,
    duration: f64,
    connections: usize,
    flask: bool,
    interfaces: Vec<Interface>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            rounds: 3,
            duration: 3.0,
            connections: 32,
            flask: false,
            interfaces: Interface::ALL.to_vec(),
        }
    }
}

fn parse(args: &[String]) -> Result<Option<Options>> {
    let mut options = Options::default();
    let mut args = args.iter().map(String::as_str);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .ok_or_else(|| format!("{name} needs a value\n\n{USAGE}"))
        };
        match arg {
            "--quick" => {
                options.rounds = 1;
                options.duration = 1.0;
            }
            "--rounds" => {
                options.rounds = positive(value("--rounds")?, "--rounds")?;
            }
            "--connections" => {
                options.connections = positive(value("--connections")?, "--connections")?;
            }
            "--duration" => {
                let text = value("--duration")?;
                options.duration = text
                    .parse::<f64>()
                    .ok()
                    .filter(|secs| (0.1..=60.0).contains(secs))
                    .ok_or_else(|| format!("--duration wants 0.1 to 60 seconds, got `{text}`"))?;
            }
            "--flask" => options.flask = true,
            "--interface" => {
                options.interfaces = vec![Interface::parse(value("--interface")?)?];
            }
            "-h" | "--help" => return Ok(None),
            other => {
                return Err(format!(
                    "unexpected argument `{other}` for `cargo xtask bench-server`\n\n{USAGE}"
                ))
            }
        }
    }
    Ok(Some(options))
}

fn positive(text: &str, name: &str) -> Result<usize> {
    match text.parse::<usize>() {
        Ok(n) if (1..=1000).contains(&n) => Ok(n),
        _ => Err(format!(
            "{name} wants a number from 1 to 1000, got `{text}`"
        )),
    }
}

/// Entry point: `cargo xtask bench-server [options]` (the arguments after
/// the command).
pub fn main(args: &[String]) -> ExitCode {
    util::subcommand(args, USAGE, parse, run)
}

/// One server configuration of a table.
struct Server<'a> {
    label: String,
    interpreter: &'a Interpreter,
    /// The interpreter's venv: the Python servers run from it, and
    /// wsgi-server adds it for the apps that need it (`--venv`).
    venv: PathBuf,
    kind: ServerKind,
}

enum ServerKind {
    /// `wsgi-server` with this many workers.
    Pyo3Ft { binary: PathBuf, workers: usize },
    /// gunicorn's threaded worker, 2 threads.
    Gunicorn,
    /// uvicorn, one process, the asyncio loop and h11.
    Uvicorn,
    /// Granian, one worker process: for WSGI with this many blocking
    /// threads, for ASGI (`None`) with the asyncio loop.
    Granian { blocking_threads: Option<usize> },
}

/// An application and the routes measured on it.
struct App {
    name: &'static str,
    spec: &'static str,
    interface: Interface,
    /// Whether it imports packages of the venv (Flask, FastAPI).
    needs_venv: bool,
    routes: &'static [&'static str],
}

/// One table: servers that serve the same applications, and the ratios of
/// their requests/s printed under it.
struct Suite<'a> {
    title: String,
    servers: Vec<Server<'a>>,
    apps: Vec<App>,
    /// `(what, numerator, denominator)`, indices into `servers`.
    ratios: &'static [(&'static str, usize, usize)],
}

/// A line of a table: indices of its app and server, and the route.
type Row = (usize, usize, &'static str);

impl Suite<'_> {
    /// Every measurement's row, in the table's order.
    fn rows(&self) -> Vec<Row> {
        self.apps
            .iter()
            .enumerate()
            .flat_map(|(a, app)| {
                (0..self.servers.len())
                    .flat_map(move |s| app.routes.iter().map(move |route| (a, s, *route)))
            })
            .collect()
    }
}

/// What every measurement needs.
struct Bench<'a> {
    options: &'a Options,
    /// `wsgi-load`.
    load: PathBuf,
    apps_dir: PathBuf,
    /// Where the servers' logs go.
    out: PathBuf,
}

/// One measurement: what `wsgi-load` printed, and the CPU time the server
/// (all its threads and child processes) used per request meanwhile.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Sample {
    rps: f64,
    p50_us: f64,
    p99_us: f64,
    errors: u64,
    cpu_us_per_request: f64,
}

fn run(options: &Options) -> Result<()> {
    let root = util::workspace_root();
    let out = root.join("target").join("bench-server");
    util::create_dir(&out)?;
    let found = provision::interpreters(&provision::Options::default(), true)?;
    let ft = &found.free_threaded;
    let gil = match options.interfaces.contains(&Interface::Wsgi) {
        true => Some(
            found
                .gil
                .as_ref()
                .ok_or("the WSGI table needs the GIL-enabled twin (`cargo xtask provision`)")?,
        ),
        false => None,
    };

    section("building wsgi-server and wsgi-load (release)");
    for interpreter in std::iter::once(ft).chain(gil) {
        let mut build = util::cargo();
        build
            .args(["build", "--release", "-p", "wsgi-server"])
            .current_dir(&root);
        util::run(interpreter.cargo_env(&mut build, &root))?;
    }

    section("venvs: the servers to compare with");
    let ft_venv = venv::ensure(&root, ft)?;
    let mut suites = Vec::new();
    if let Some(gil) = gil {
        let gil_venv = venv::ensure(&root, gil)?;
        ensure_packages(gil, &gil_venv, &[("gunicorn", "gunicorn")])?;
        ensure_packages(ft, &ft_venv, &[("granian", GRANIAN)])?;
        if options.flask {
            ensure_packages(gil, &gil_venv, &[("flask", "flask")])?;
            ensure_packages(ft, &ft_venv, &[("flask", "flask")])?;
        }
        suites.push(wsgi_suite(
            &root,
            (ft, &ft_venv),
            (gil, &gil_venv),
            options.flask,
        ));
    }
    if options.interfaces.contains(&Interface::Asgi) {
        ensure_packages(
            ft,
            &ft_venv,
            &[("granian", GRANIAN), ("uvicorn", "uvicorn")],
        )?;
        suites.push(asgi_suite(&root, ft, &ft_venv));
    }

    let bench = Bench {
        options,
        load: release_binary(&root, ft, "wsgi-load"),
        apps_dir: root.join("tests").join("python-apps"),
        out: out.clone(),
    };
    let rows: Vec<Vec<Row>> = suites.iter().map(Suite::rows).collect();
    let mut samples: Vec<Vec<Vec<Sample>>> = rows
        .iter()
        .map(|rows| vec![Vec::new(); rows.len()])
        .collect();
    let mut elapsed = vec![Duration::ZERO; suites.len()];
    for round in 1..=options.rounds {
        section(&format!("round {round} of {}", options.rounds));
        for (i, suite) in suites.iter().enumerate() {
            let started = Instant::now();
            measure_suite(&bench, suite, &rows[i], &mut samples[i])?;
            elapsed[i] += started.elapsed();
        }
    }

    let mut tables = String::new();
    for (i, suite) in suites.iter().enumerate() {
        let medians: Vec<Sample> = samples[i].iter().map(|s| median(s)).collect();
        tables += &table(suite, &rows[i], &medians, options, elapsed[i]);
    }
    println!("{tables}");
    util::write(&out.join("table.md"), &tables)?;
    eprintln!(
        "bench-server: tables saved to {}",
        out.join("table.md").display()
    );
    Ok(())
}

/// The WSGI table: wsgi-server on both interpreters, gunicorn on the GIL
/// twin, Granian on the free-threaded interpreter.
fn wsgi_suite<'a>(
    root: &Path,
    (ft, ft_venv): (&'a Interpreter, &Venv),
    (gil, gil_venv): (&'a Interpreter, &Venv),
    flask: bool,
) -> Suite<'a> {
    let mut apps = vec![App {
        name: "plain",
        spec: "plain_app:app",
        interface: Interface::Wsgi,
        needs_venv: false,
        routes: &["/hello", "/bench"],
    }];
    if flask {
        apps.push(App {
            name: "flask",
            spec: "flask_app:app",
            interface: Interface::Wsgi,
            needs_venv: true,
            routes: &["/bench?x=1"],
        });
    }
    Suite {
        title: "wsgi-server vs gunicorn and Granian".to_string(),
        servers: pyo3_ft_servers(root, ft, ft_venv)
            .into_iter()
            .chain(pyo3_ft_servers(root, gil, gil_venv))
            .chain([
                python_server(
                    "gunicorn gthread --threads 2",
                    gil,
                    gil_venv,
                    ServerKind::Gunicorn,
                ),
                granian_server(ft, ft_venv, Some(1)),
                granian_server(ft, ft_venv, Some(2)),
            ])
            .collect(),
        apps,
        ratios: &[
            ("free-threaded 2 workers / 1 worker", 1, 0),
            ("free-threaded 2 workers / gunicorn", 1, 4),
            ("free-threaded 1 worker / Granian 1 thread", 0, 5),
            ("free-threaded 2 workers / Granian 2 threads", 1, 6),
            ("GIL 2 workers / 1 worker", 3, 2),
        ],
    }
}

/// The ASGI table: the FastAPI app under wsgi-server, uvicorn and Granian,
/// all on the free-threaded interpreter.
fn asgi_suite<'a>(root: &Path, ft: &'a Interpreter, ft_venv: &Venv) -> Suite<'a> {
    Suite {
        title: format!(
            "wsgi-server --interface asgi vs uvicorn and Granian, FastAPI on {}",
            short(ft)
        ),
        servers: pyo3_ft_servers(root, ft, ft_venv)
            .into_iter()
            .chain([
                python_server(
                    "uvicorn, asyncio loop, h11",
                    ft,
                    ft_venv,
                    ServerKind::Uvicorn,
                ),
                granian_server(ft, ft_venv, None),
            ])
            .collect(),
        apps: vec![App {
            name: "fastapi",
            spec: "asgi_bench:app",
            interface: Interface::Asgi,
            needs_venv: true,
            routes: &["/hello", "/json/bench?count=5", "/bench"],
        }],
        ratios: &[
            ("2 workers / 1 worker", 1, 0),
            ("2 workers / uvicorn", 1, 2),
            ("1 worker / Granian", 0, 3),
            ("2 workers / Granian", 1, 3),
        ],
    }
}

/// Where `cargo build --release` put the binary `name` for `interpreter`.
fn release_binary(root: &Path, interpreter: &Interpreter, name: &str) -> PathBuf {
    interpreter.kind.target_dir(root).join("release").join(name)
}

/// wsgi-server with 1 and 2 workers on `interpreter`.
fn pyo3_ft_servers<'a>(root: &Path, interpreter: &'a Interpreter, venv: &Venv) -> [Server<'a>; 2] {
    [1, 2].map(|workers| Server {
        label: format!(
            "wsgi-server {}, {}",
            count(workers, "worker"),
            short(interpreter)
        ),
        interpreter,
        venv: venv.dir.clone(),
        kind: ServerKind::Pyo3Ft {
            binary: release_binary(root, interpreter, "wsgi-server"),
            workers,
        },
    })
}

fn granian_server<'a>(
    interpreter: &'a Interpreter,
    venv: &Venv,
    blocking_threads: Option<usize>,
) -> Server<'a> {
    let setup = match blocking_threads {
        Some(threads) => format!("wsgi, {}", count(threads, "blocking thread")),
        None => "asgi, 1 runtime thread, asyncio loop".to_string(),
    };
    let version = GRANIAN.trim_start_matches("granian==");
    python_server(
        &format!("Granian {version} {setup}"),
        interpreter,
        venv,
        ServerKind::Granian { blocking_threads },
    )
}

/// A server run by the venv's python (`name` then the interpreter is its
/// label).
fn python_server<'a>(
    name: &str,
    interpreter: &'a Interpreter,
    venv: &Venv,
    kind: ServerKind,
) -> Server<'a> {
    Server {
        label: format!("{name}, {}", short(interpreter)),
        interpreter,
        venv: venv.dir.clone(),
        kind,
    }
}

/// `1 worker`, `2 workers`.
fn count(n: usize, noun: &str) -> String {
    let plural = if n == 1 { "" } else { "s" };
    format!("{n} {noun}{plural}")
}

/// `3.13.15t` or `3.13.15 (GIL)`.
fn short(interpreter: &Interpreter) -> String {
    match interpreter.kind {
        Kind::FreeThreaded => format!("{}t", interpreter.version),
        Kind::Gil => format!("{} (GIL)", interpreter.version),
    }
}

/// One round over `suite`: each server in turn serves each app while its
/// routes are measured; each sample goes to its row's.
fn measure_suite(
    bench: &Bench<'_>,
    suite: &Suite<'_>,
    rows: &[Row],
    samples: &mut [Vec<Sample>],
) -> Result<()> {
    for (a, app) in suite.apps.iter().enumerate() {
        for (s, server) in suite.servers.iter().enumerate() {
            let log = bench.out.join(format!("{}-{s}.log", app.name));
            let running = start(server, app, &bench.apps_dir, &log)?;
            let measured: Result<()> = app.routes.iter().try_for_each(|route| {
                let sample = measure(&bench.load, &running, route, bench.options)?;
                eprintln!(
                    "  {:<7} {:<19} {:<52} {:>9.0} req/s  p99 {:>7.2} ms  {:>6.0} µs CPU/req",
                    app.name,
                    route,
                    server.label,
                    sample.rps,
                    sample.p99_us / 1e3,
                    sample.cpu_us_per_request
                );
                let row = rows
                    .iter()
                    .position(|&row| row == (a, s, *route))
                    .expect("every measurement has a row");
                samples[row].push(sample);
                Ok(())
            });
            stop(running);
            measured?;
        }
    }
    Ok(())
}

/// The Markdown table of `suite` (the `medians` of its `rows`) and its
/// ratios.
fn table(
    suite: &Suite<'_>,
    rows: &[Row],
    medians: &[Sample],
    options: &Options,
    elapsed: Duration,
) -> String {
    let mut table = String::new();
    let _ = writeln!(
        table,
        "\n{}: {} keep-alive connections, {} s per route, medians of {} round(s); \
         loopback, {} CPU(s) shared with the load generator ({:.0} s in all)\n",
        suite.title,
        options.connections,
        options.duration,
        options.rounds,
        util::cpus(),
        elapsed.as_secs_f64()
    );
    let _ = writeln!(
        table,
        "| app | route | server | req/s | p50 ms | p99 ms | server CPU µs/req |\n\
         |---|---|---|---:|---:|---:|---:|"
    );
    for (&(a, s, route), sample) in rows.iter().zip(medians) {
        let errors = if sample.errors > 0 {
            format!(" ({} errors)", sample.errors)
        } else {
            String::new()
        };
        let _ = writeln!(
            table,
            "| {} | `{}` | {} | {:.0}{errors} | {:.2} | {:.2} | {:.0} |",
            suite.apps[a].name,
            route,
            suite.servers[s].label,
            sample.rps,
            sample.p50_us / 1e3,
            sample.p99_us / 1e3,
            sample.cpu_us_per_request
        );
    }
    let _ = writeln!(table);
    for (a, app) in suite.apps.iter().enumerate() {
        for route in app.routes {
            let rps = |s: usize| {
                rows.iter()
                    .position(|&row| row == (a, s, *route))
                    .map_or(0.0, |row| medians[row].rps)
            };
            let ratios: Vec<String> = suite
                .ratios
                .iter()
                .map(|&(what, x, y)| format!("{what} = {:.2}x", ratio(rps(x), rps(y))))
                .collect();
            let _ = writeln!(table, "{} `{route}`: {}", app.name, ratios.join("; "));
        }
    }
    table
}

/// `x / y`, 0 when `y` is.
fn ratio(x: f64, y: f64) -> f64 {
    if y > 0.0 {
        x / y
    } else {
        0.0
    }
}

/// Installs the `(module, requirement)` packages whose module does not
/// import, into `venv`.
fn ensure_packages(
    interpreter: &Interpreter,
    venv: &Venv,
    packages: &[(&str, &str)],
) -> Result<()> {
    let modules: Vec<&str> = packages.iter().map(|(module, _)| *module).collect();
    let requirements: Vec<&str> = packages
        .iter()
        .map(|(_, requirement)| *requirement)
        .collect();
    let mut probe = venv.command();
    probe
        .arg("-c")
        .arg(format!("import {}", modules.join(", ")));
    probe.stdout(Stdio::null()).stderr(Stdio::null());
    if interpreter
        .library_env(&mut probe)
        .status()
        .is_ok_and(|status| status.success())
    {
        return Ok(());
    }
    eprintln!(
        "venv: installing {} into {}",
        requirements.join(" "),
        venv.dir.display()
    );
    let mut pip = venv.command();
    pip.args(["-m", "pip", "install", "--quiet", "--only-binary=:all:"])
        .args(requirements);
    util::run(interpreter.library_env(&mut pip))
}

/// A server process listening on `addr`.
struct Running {
    child: Child,
    addr: SocketAddr,
    log: PathBuf,
}

/// A free loopback port (the OS picks it; it is free again once probed).
fn free_port() -> Result<u16> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(|e| format!("cannot find a free loopback port: {e}"))
}

/// The command that makes `server` serve `app` on `addr`.
fn server_command(server: &Server<'_>, app: &App, apps_dir: &Path, addr: SocketAddr) -> Command {
    // The Python servers: `python -m MODULE [options] APP`.
    let python = |module: &str, options: &[&str]| {
        let mut cmd = Command::new(server.venv.join("bin").join("python"));
        cmd.args(["-m", module]).args(options);
        cmd.args(["--log-level", "warning"]);
        cmd
    };
    let host_port = |cmd: &mut Command| {
        cmd.arg("--host")
            .arg(addr.ip().to_string())
            .arg("--port")
            .arg(addr.port().to_string());
    };
    let mut cmd = match &server.kind {
        ServerKind::Pyo3Ft { binary, workers } => {
            let mut cmd = Command::new(binary);
            cmd.args(["--interface", app.interface.name()])
                .arg("--pythonpath")
                .arg(apps_dir)
                .arg("--workers")
                .arg(workers.to_string())
                .arg("--bind")
                .arg(addr.to_string());
            if app.needs_venv {
                cmd.arg("--venv").arg(&server.venv);
            }
            cmd.arg("--app");
            cmd
        }
        ServerKind::Gunicorn => {
            let mut cmd = python(
                "gunicorn",
                &["--worker-class=gthread", "--workers=1", "--threads=2"],
            );
            cmd.arg("--bind")
                .arg(addr.to_string())
                .arg("--pythonpath")
                .arg(apps_dir);
            cmd
        }
        ServerKind::Uvicorn => {
            let mut cmd = python(
                "uvicorn",
                &["--loop=asyncio", "--http=h11", "--no-access-log"],
            );
            cmd.arg("--app-dir").arg(apps_dir);
            host_port(&mut cmd);
            cmd
        }
        ServerKind::Granian { blocking_threads } => {
            let interface = format!("--interface={}", app.interface.name());
            let mut cmd = python("granian", &[&interface, "--workers=1"]);
            match blocking_threads {
                Some(threads) => cmd.arg(format!("--blocking-threads={threads}")),
                None => cmd.arg("--loop=asyncio"),
            };
            cmd.arg("--working-dir").arg(apps_dir);
            host_port(&mut cmd);
            cmd
        }
    };
    cmd.arg(app.spec);
    cmd
}

fn start(server: &Server<'_>, app: &App, apps_dir: &Path, log: &Path) -> Result<Running> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, free_port()?));
    let mut cmd = server_command(server, app, apps_dir, addr);
    server.interpreter.library_env(&mut cmd);
    let file = File::create(log).map_err(|e| format!("cannot create {}: {e}", log.display()))?;
    let child = cmd
        .stdin(Stdio::null())
        .stdout(
            file.try_clone()
                .map_err(|e| format!("cannot open {}: {e}", log.display()))?,
        )
        .stderr(file)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", util::describe(&cmd)))?;
    let mut running = Running {
        child,
        addr,
        log: log.to_path_buf(),
    };
    let deadline = Instant::now() + START_LIMIT;
    loop {
        if answers(addr) {
            return Ok(running);
        }
        if let Ok(Some(status)) = running.child.try_wait() {
            return Err(format!(
                "{} exited ({status}) before listening on {addr}:\n{}",
                server.label,
                util::tail(&running.log)
            ));
        }
        if Instant::now() > deadline {
            let tail = util::tail(&running.log);
            stop(running);
            return Err(format!(
                "{} did not listen on {addr} within {START_LIMIT:?}:\n{tail}",
                server.label
            ));
        }
        thread::sleep(Duration::from_millis(20));
    }
}

/// Whether the server on `addr` answers an HTTP request, whatever the
/// status. Accepting a connection is not enough: a server may listen before
/// its application is imported (wsgi-server binds first, then starts
/// Python), and importing FastAPI takes seconds on a busy machine.
fn answers(addr: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) else {
        return false;
    };
    let mut first = [0u8; 1];
    stream
        .set_read_timeout(Some(Duration::from_millis(500)))
        .is_ok()
        && stream
            .write_all(b"GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
            .is_ok()
        && matches!(stream.read(&mut first), Ok(1))
}

/// SIGTERM, then SIGKILL if it has not exited within [`STOP_LIMIT`].
fn stop(mut running: Running) {
    let _ = Command::new("kill")
        .args(["-TERM", &running.child.id().to_string()])
        .status();
    let deadline = Instant::now() + STOP_LIMIT;
    while Instant::now() < deadline {
        if let Ok(Some(_)) = running.child.try_wait() {
            return;
        }
        thread::sleep(Duration::from_millis(20));
    }
    eprintln!(
        "bench-server: the server did not exit after SIGTERM; killing it (log: {})",
        running.log.display()
    );
    let _ = running.child.kill();
    let _ = running.child.wait();
}

/// Runs `wsgi-load` against `route`, reading the server's CPU time over the
/// measured window (after the warm-up).
fn measure(load: &Path, running: &Running, route: &str, options: &Options) -> Result<Sample> {
    let mut cmd = Command::new(load);
    cmd.arg("--addr")
        .arg(running.addr.to_string())
        .args(["--path", route])
        .arg("--connections")
        .arg(options.connections.to_string())
        .arg("--warmup")
        .arg(WARMUP_SECS.to_string())
        .arg("--duration")
        .arg(options.duration.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped());
    let child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", util::describe(&cmd)))?;
    let pid = running.child.id();
    // Timing the window, not synchronizing: the load generator measures
    // from the end of its warm-up for `duration` seconds.
    thread::sleep(Duration::from_secs_f64(WARMUP_SECS));
    let cpu_before = cpu_ticks(pid);
    thread::sleep(Duration::from_secs_f64(options.duration));
    let cpu_after = cpu_ticks(pid);
    let output = child
        .wait_with_output()
        .map_err(|e| format!("wsgi-load failed: {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        return Err(format!("wsgi-load failed ({}): {text}", output.status));
    }
    let mut sample =
        parse_sample(&text).ok_or_else(|| format!("unexpected output from wsgi-load: {text}"))?;
    let requests = sample.rps * options.duration;
    if let (Some(before), Some(after), true) = (cpu_before, cpu_after, requests > 0.0) {
        sample.cpu_us_per_request =
            (after.saturating_sub(before)) as f64 * 1e6 / TICKS_PER_SEC / requests;
    }
    Ok(sample)
}

/// Linux's `USER_HZ`, the unit of `/proc/*/stat` times (100 on every
/// mainstream architecture).
const TICKS_PER_SEC: f64 = 100.0;

/// User + system CPU ticks of process `pid`, its threads and its child
/// processes (gunicorn's worker is one), from `/proc`.
fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the parenthesized command name; utime and stime are the
    // 14th and 15th fields of the whole line.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let own = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    let mut total = own;
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).ok()?;
    for task in tasks.flatten() {
        let children = std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
        for child in children
            .split_whitespace()
            .filter_map(|c| c.parse::<u32>().ok())
        {
            total += cpu_ticks(child).unwrap_or(0);
        }
    }
    Some(total)
}

/// `requests=N errors=E seconds=S rps=R p50_us=A p99_us=B max_us=C`.
fn parse_sample(line: &str) -> Option<Sample> {
    let field = |name: &str| {
        line.split_whitespace()
            .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
            .and_then(|value| value.parse::<f64>().ok())
    };
    Some(Sample {
        rps: field("rps")?,
        p50_us: field("p50_us")?,
        p99_us: field("p99_us")?,
        errors: field("errors")? as u64,
        cpu_us_per_request: 0.0,
    })
}

/// The median of each figure over the rounds.
fn median(samples: &[Sample]) -> Sample {
    let of = |field: fn(&Sample) -> f64| {
        let mut values: Vec<f64> = samples.iter().map(field).collect();
        values.sort_by(f64::total_cmp);
        values.get(values.len() / 2).copied().unwrap_or(0.0)
    };
    Sample {
        rps: of(|s| s.rps),
        p50_us: of(|s| s.p50_us),
        p99_us: of(|s| s.p99_us),
        errors: samples.iter().map(|s| s.errors).sum(),
        cpu_us_per_request: of(|s| s.cpu_us_per_request),
    }
}

fn section(title: &str) {
    eprintln!("\n==== bench-server: {title} ====");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn parses_options() {
        assert_eq!(parse(&args("")), Ok(Some(Options::default())));
        let quick = parse(&args("--quick --flask")).unwrap().unwrap();
        assert_eq!((quick.rounds, quick.duration, quick.flask), (1, 1.0, true));
        let custom = parse(&args("--rounds 5 --duration 2.5 --connections 64"))
            .unwrap()
            .unwrap();
        assert_eq!(
            (custom.rounds, custom.duration, custom.connections),
            (5, 2.5, 64)
        );
        let asgi = parse(&args("--interface asgi")).unwrap().unwrap();
        assert_eq!(asgi.interfaces, [Interface::Asgi]);
        assert!(parse(&args("--interface rsgi")).is_err());
        assert_eq!(parse(&args("--help")), Ok(None));
        assert!(parse(&args("--rounds 0")).is_err());
        assert!(parse(&args("--duration 1000")).is_err());
        assert!(parse(&args("--frobnicate")).is_err());
        assert!(parse(&args("--rounds")).is_err());
    }

    #[test]
    fn reads_the_load_generators_line() {
        let sample = parse_sample(
            "requests=100 errors=2 seconds=1.00 rps=100 p50_us=900 p99_us=2500 max_us=4000",
        )
        .unwrap();
        assert_eq!(
            sample,
            Sample {
                rps: 100.0,
                p50_us: 900.0,
                p99_us: 2500.0,
                errors: 2,
                cpu_us_per_request: 0.0,
            }
        );
        assert_eq!(parse_sample("garbage"), None);
    }

    #[test]
    fn median_of_rounds() {
        let sample = |rps| Sample {
            rps,
            p50_us: rps,
            p99_us: rps,
            errors: 0,
            cpu_us_per_request: rps,
        };
        let middle = median(&[sample(3.0), sample(1.0), sample(2.0)]);
        assert_eq!((middle.rps, middle.cpu_us_per_request), (2.0, 2.0));
        assert_eq!(median(&[]).rps, 0.0);
    }

    fn interpreter() -> Interpreter {
        Interpreter {
            python: PathBuf::from("/py/bin/python3.13t"),
            version: "3.13.15".to_string(),
            kind: Kind::FreeThreaded,
            libdir: PathBuf::from("/py/lib"),
            include: PathBuf::from("/py/include"),
        }
    }

    const FASTAPI: App = App {
        name: "fastapi",
        spec: "asgi_bench:app",
        interface: Interface::Asgi,
        needs_venv: true,
        routes: &["/hello", "/bench"],
    };

    fn server(interpreter: &Interpreter, kind: ServerKind) -> Server<'_> {
        Server {
            label: "a server".to_string(),
            interpreter,
            venv: PathBuf::from("/venv"),
            kind,
        }
    }

    /// The command line, program first.
    fn line(server: &Server<'_>) -> String {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 8000));
        let cmd = server_command(server, &FASTAPI, Path::new("/apps"), addr);
        std::iter::once(cmd.get_program())
            .chain(cmd.get_args())
            .map(|arg| arg.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn commands_serve_the_app_on_the_address() {
        let python = interpreter();
        let ours = ServerKind::Pyo3Ft {
            binary: PathBuf::from("/bin/wsgi-server"),
            workers: 2,
        };
        assert_eq!(
            line(&server(&python, ours)),
            "/bin/wsgi-server --interface asgi --pythonpath /apps --workers 2 \
             --bind 127.0.0.1:8000 --venv /venv --app asgi_bench:app"
        );
        assert_eq!(
            line(&server(&python, ServerKind::Uvicorn)),
            "/venv/bin/python -m uvicorn --loop=asyncio --http=h11 --no-access-log \
             --log-level warning --app-dir /apps --host 127.0.0.1 --port 8000 asgi_bench:app"
        );
        let granian = ServerKind::Granian {
            blocking_threads: None,
        };
        assert_eq!(
            line(&server(&python, granian)),
            "/venv/bin/python -m granian --interface=asgi --workers=1 --log-level warning \
             --loop=asyncio --working-dir /apps --host 127.0.0.1 --port 8000 asgi_bench:app"
        );
    }

    #[test]
    fn tables_have_a_row_per_measurement_and_the_ratios() {
        let python = interpreter();
        let suite = Suite {
            title: "a title".to_string(),
            servers: vec![
                server(&python, ServerKind::Uvicorn),
                server(&python, ServerKind::Gunicorn),
            ],
            apps: vec![FASTAPI],
            ratios: &[("first / second", 0, 1)],
        };
        let rows = suite.rows();
        assert_eq!(
            rows,
            [
                (0, 0, "/hello"),
                (0, 0, "/bench"),
                (0, 1, "/hello"),
                (0, 1, "/bench")
            ]
        );
        let sample = |rps| Sample {
            rps,
            p50_us: 1000.0,
            p99_us: 2000.0,
            errors: 0,
            cpu_us_per_request: 50.0,
        };
        let medians = [sample(300.0), sample(100.0), sample(100.0), sample(0.0)];
        let text = table(
            &suite,
            &rows,
            &medians,
            &Options::default(),
            Duration::from_secs(1),
        );
        assert!(
            text.contains("\na title: 32 keep-alive connections"),
            "{text}"
        );
        assert!(
            text.contains("| fastapi | `/hello` | a server | 300 | 1.00 | 2.00 | 50 |"),
            "{text}"
        );
        assert!(
            text.contains("fastapi `/hello`: first / second = 3.00x\n"),
            "{text}"
        );
        assert!(
            text.contains("fastapi `/bench`: first / second = 0.00x\n"),
            "{text}"
        );
    }

    #[test]
    fn ready_means_answering_not_listening() {
        // Listening, the application still loading: connections wait.
        let loading = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        assert!(!answers(loading.local_addr().unwrap()));
        let serving = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let addr = serving.local_addr().unwrap();
        let server = thread::spawn(move || {
            let (mut stream, _) = serving.accept().unwrap();
            let mut request = [0u8; 64];
            let _ = stream.read(&mut request).unwrap();
            stream.write_all(b"HTTP/1.1 404 Not Found\r\n\r\n").unwrap();
        });
        assert!(answers(addr));
        server.join().unwrap();
    }
}
