//! `cargo xtask bench-server`: the WSGI server example under load, against
//! gunicorn and Granian, on loopback.
//!
//! 1. Builds `examples/wsgi-server` (the server and its load generator,
//!    `wsgi-load`) in release mode for the free-threaded interpreter and for
//!    its GIL-enabled twin, installs gunicorn into the GIL twin's venv
//!    (`target/venv-gil`) and Granian into the free-threaded one
//!    (`target/venv-ft`; Flask too, into both venvs, with `--flask`).
//! 2. For each round, starts each server in turn and measures each route
//!    with `wsgi-load` (keep-alive connections, a warm-up, then a fixed
//!    duration): wsgi-server with 1 and 2 workers on each interpreter,
//!    gunicorn `--worker-class gthread --threads 2` on the GIL twin, and
//!    Granian (`--interface wsgi`, one worker process with 1 and 2 blocking
//!    threads) on the free-threaded interpreter, all serving the same
//!    application (`tests/python-apps/plain_app.py`).
//!    Servers and rounds are interleaved, so that a noisy moment of the
//!    machine spreads over every server instead of hitting one.
//! 3. Prints the median of the rounds (requests/s, p50 and p99 latency) and
//!    the ratios the issue asks about.
//!
//! The load generator runs on the same CPUs as the server: on a 2-CPU
//! machine it and the server's HTTP thread take their share from the
//! Python workers. Nothing here fails on a number.

use std::fmt::Write as _;
use std::fs::File;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::interpreters::Interpreter;
use crate::provision;
use crate::util::{self, Result};
use crate::venv::{self, Venv};

const USAGE: &str = "\
usage: cargo xtask bench-server [--quick] [--rounds N] [--duration SECS]
                                [--connections N] [--flask]
  --quick          one round of 1 s per route (a smoke test of the pipeline)
  --rounds N       rounds over all servers; the table shows medians (default 3)
  --duration SECS  measured seconds per route and round (default 3)
  --connections N  keep-alive connections of the load generator (default 32)
  --flask          also serve tests/python-apps/flask_app.py (installs Flask)";

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

#[derive(Debug, Clone, PartialEq)]
struct Options {
    rounds: usize,
    duration: f64,
    connections: usize,
    flask: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            rounds: 3,
            duration: 3.0,
            connections: 32,
            flask: false,
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

/// One server configuration of the table.
struct Server<'a> {
    label: String,
    interpreter: &'a Interpreter,
    kind: ServerKind,
}

enum ServerKind {
    /// `wsgi-server` with this many workers.
    Pyo3Ft { binary: PathBuf, workers: usize },
    /// gunicorn's threaded worker, in this venv.
    Gunicorn { venv: PathBuf },
    /// Granian's WSGI interface, one worker with this many blocking
    /// threads, in this venv.
    Granian { venv: PathBuf, threads: usize },
}

/// An application and the routes measured on it.
struct App {
    name: &'static str,
    spec: &'static str,
    /// The venv to add to `sys.path` (Flask's site-packages), per kind.
    needs_venv: bool,
    routes: &'static [&'static str],
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
    let gil = found
        .gil
        .as_ref()
        .ok_or("bench-server needs the GIL-enabled twin (`cargo xtask provision`)")?;

    section("building wsgi-server and wsgi-load (release) for both interpreters");
    for interpreter in [ft, gil] {
        let mut build = util::cargo();
        build
            .args(["build", "--release", "-p", "wsgi-server"])
            .current_dir(&root);
        util::run(interpreter.cargo_env(&mut build, &root))?;
    }
    let binary = |interpreter: &Interpreter, name: &str| {
        interpreter
            .kind
            .target_dir(&root)
            .join("release")
            .join(name)
    };
    let load = binary(ft, "wsgi-load");

    section("venvs: gunicorn for the GIL twin, Granian for the free-threaded one");
    let gil_venv = venv::ensure(&root, gil)?;
    ensure_packages(gil, &gil_venv, &[("gunicorn", "gunicorn")])?;
    let ft_venv = venv::ensure(&root, ft)?;
    ensure_packages(ft, &ft_venv, &[("granian", GRANIAN)])?;
    if options.flask {
        ensure_packages(gil, &gil_venv, &[("flask", "flask")])?;
        ensure_packages(ft, &ft_venv, &[("flask", "flask")])?;
    }

    let servers = [
        pyo3_ft_server(ft, binary(ft, "wsgi-server"), 1),
        pyo3_ft_server(ft, binary(ft, "wsgi-server"), 2),
        pyo3_ft_server(gil, binary(gil, "wsgi-server"), 1),
        pyo3_ft_server(gil, binary(gil, "wsgi-server"), 2),
        Server {
            label: format!("gunicorn gthread --threads 2, {}", short(gil)),
            interpreter: gil,
            kind: ServerKind::Gunicorn {
                venv: gil_venv.dir.clone(),
            },
        },
        granian_server(ft, &ft_venv, 1),
        granian_server(ft, &ft_venv, 2),
    ];
    let mut apps = vec![App {
        name: "plain",
        spec: "plain_app:app",
        needs_venv: false,
        routes: &["/hello", "/bench"],
    }];
    if options.flask {
        apps.push(App {
            name: "flask",
            spec: "flask_app:app",
            needs_venv: true,
            routes: &["/bench?x=1"],
        });
    }

    let apps_dir = root.join("tests").join("python-apps");
    let rows: Vec<(usize, usize, &str)> = apps
        .iter()
        .enumerate()
        .flat_map(|(a, app)| {
            (0..servers.len()).flat_map(move |s| app.routes.iter().map(move |r| (a, s, *r)))
        })
        .collect();
    let mut samples: Vec<Vec<Sample>> = vec![Vec::new(); rows.len()];
    let started = Instant::now();
    for round in 1..=options.rounds {
        section(&format!("round {round} of {}", options.rounds));
        for (a, app) in apps.iter().enumerate() {
            for (s, server) in servers.iter().enumerate() {
                let venv = app.needs_venv.then(|| match server.interpreter.kind {
                    crate::interpreters::Kind::FreeThreaded => ft_venv.dir.clone(),
                    crate::interpreters::Kind::Gil => gil_venv.dir.clone(),
                });
                let log = out.join(format!("{}-{s}.log", app.name));
                let running = start(server, app.spec, &apps_dir, venv.as_deref(), &log)?;
                for route in app.routes {
                    let sample = measure(&load, &running, route, options);
                    let sample = match sample {
                        Ok(sample) => sample,
                        Err(err) => {
                            stop(running);
                            return Err(err);
                        }
                    };
                    eprintln!(
                        "  {:<6} {:<11} {:<44} {:>9.0} req/s  p99 {:>7.2} ms  {:>6.0} µs CPU/req",
                        app.name,
                        route,
                        server.label,
                        sample.rps,
                        sample.p99_us / 1e3,
                        sample.cpu_us_per_request
                    );
                    let row = rows
                        .iter()
                        .position(|&(ra, rs, rr)| (ra, rs, rr) == (a, s, *route))
                        .expect("every measurement has a row");
                    samples[row].push(sample);
                }
                stop(running);
            }
        }
    }

    let medians: Vec<Sample> = samples.iter().map(|s| median(s)).collect();
    let mut table = String::new();
    let _ = writeln!(
        table,
        "\nwsgi-server vs gunicorn and Granian: {} keep-alive connections, {} s per route, medians of {} round(s); \
         loopback, {} CPU(s) shared with the load generator ({:.0} s in all)\n",
        options.connections,
        options.duration,
        options.rounds,
        util::cpus(),
        started.elapsed().as_secs_f64()
    );
    let _ = writeln!(
        table,
        "| app | route | server | req/s | p50 ms | p99 ms | server CPU µs/req |\n\
         |---|---|---|---:|---:|---:|---:|"
    );
    for (&(a, s, route), sample) in rows.iter().zip(&medians) {
        let errors = if sample.errors > 0 {
            format!(" ({} errors)", sample.errors)
        } else {
            String::new()
        };
        let _ = writeln!(
            table,
            "| {} | `{}` | {} | {:.0}{errors} | {:.2} | {:.2} | {:.0} |",
            apps[a].name,
            route,
            servers[s].label,
            sample.rps,
            sample.p50_us / 1e3,
            sample.p99_us / 1e3,
            sample.cpu_us_per_request
        );
    }
    let _ = writeln!(table);
    for (a, app) in apps.iter().enumerate() {
        for route in app.routes {
            let rps = |s: usize| {
                rows.iter()
                    .position(|&(ra, rs, rr)| (ra, rs, rr) == (a, s, *route))
                    .map_or(0.0, |row| medians[row].rps)
            };
            let ratio = |x: f64, y: f64| if y > 0.0 { x / y } else { 0.0 };
            let _ = writeln!(
                table,
                "{} `{route}`: free-threaded 2 workers / 1 worker = {:.2}x; \
                 free-threaded 2 workers / gunicorn = {:.2}x; \
                 free-threaded 1 worker / Granian 1 thread = {:.2}x; \
                 free-threaded 2 workers / Granian 2 threads = {:.2}x; \
                 GIL 2 workers / 1 worker = {:.2}x",
                app.name,
                ratio(rps(1), rps(0)),
                ratio(rps(1), rps(4)),
                ratio(rps(0), rps(5)),
                ratio(rps(1), rps(6)),
                ratio(rps(3), rps(2)),
            );
        }
    }
    println!("{table}");
    util::write(&out.join("table.md"), &table)?;
    eprintln!(
        "bench-server: table saved to {}",
        out.join("table.md").display()
    );
    Ok(())
}

fn pyo3_ft_server(interpreter: &Interpreter, binary: PathBuf, workers: usize) -> Server<'_> {
    let plural = if workers == 1 { "worker" } else { "workers" };
    Server {
        label: format!("wsgi-server {workers} {plural}, {}", short(interpreter)),
        interpreter,
        kind: ServerKind::Pyo3Ft { binary, workers },
    }
}

/// `3.13.15t` or `3.13.15 (GIL)`.
fn granian_server<'a>(interpreter: &'a Interpreter, venv: &Venv, threads: usize) -> Server<'a> {
    let plural = if threads == 1 { "thread" } else { "threads" };
    Server {
        label: format!(
            "Granian {} wsgi, {threads} blocking {plural}, {}",
            GRANIAN.trim_start_matches("granian=="),
            short(interpreter)
        ),
        interpreter,
        kind: ServerKind::Granian {
            venv: venv.dir.clone(),
            threads,
        },
    }
}

fn short(interpreter: &Interpreter) -> String {
    match interpreter.kind {
        crate::interpreters::Kind::FreeThreaded => format!("{}t", interpreter.version),
        crate::interpreters::Kind::Gil => format!("{} (GIL)", interpreter.version),
    }
}

/// Installs `packages` into `venv` unless they import already.
/// Installs the `(module, requirement)` packages whose module does not
/// import.
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

fn start(
    server: &Server<'_>,
    spec: &str,
    apps_dir: &Path,
    venv: Option<&Path>,
    log: &Path,
) -> Result<Running> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, free_port()?));
    let mut cmd = match &server.kind {
        ServerKind::Pyo3Ft { binary, workers } => {
            let mut cmd = Command::new(binary);
            cmd.arg("--app")
                .arg(spec)
                .arg("--pythonpath")
                .arg(apps_dir)
                .arg("--workers")
                .arg(workers.to_string())
                .arg("--bind")
                .arg(addr.to_string());
            if let Some(venv) = venv {
                cmd.arg("--venv").arg(venv);
            }
            cmd
        }
        ServerKind::Gunicorn { venv } => {
            let mut cmd = Command::new(venv.join("bin").join("python"));
            cmd.args(["-m", "gunicorn", "--worker-class", "gthread"])
                .args(["--workers", "1", "--threads", "2"])
                .args(["--log-level", "warning", "--bind"])
                .arg(addr.to_string())
                .arg("--pythonpath")
                .arg(apps_dir)
                .arg(spec);
            cmd
        }
        ServerKind::Granian { venv, threads } => {
            let mut cmd = Command::new(venv.join("bin").join("python"));
            cmd.args(["-m", "granian", "--interface", "wsgi"])
                .args(["--workers", "1", "--blocking-threads"])
                .arg(threads.to_string())
                .args(["--log-level", "warning", "--host"])
                .arg(addr.ip().to_string())
                .arg("--port")
                .arg(addr.port().to_string())
                .arg("--working-dir")
                .arg(apps_dir)
                .arg(spec);
            cmd
        }
    };
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
    // Ready when it accepts a connection.
    let deadline = Instant::now() + START_LIMIT;
    loop {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
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
}
