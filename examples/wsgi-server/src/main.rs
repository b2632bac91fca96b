//! `wsgi-server --app MODULE:CALLABLE --workers N --bind HOST:PORT`: see
//! `wsgi-server --help`.

#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use pyo3_ft::asyncio::EventLoops;
use pyo3_ft::executor::{Executor, ShutdownMode};
use pyo3_ft::prelude::*;
use pyo3_ft::types::PyDict;
use tokio::signal::unix::{signal, SignalKind};
use wsgi_server::asgi::{lifespan, AsgiApp};
use wsgi_server::config::{Config, Interface, USAGE};
use wsgi_server::listener::{self, Listener, StdListener};
use wsgi_server::server::{self, Application, ServeOptions, ServeReport};
use wsgi_server::tls::Tls;
use wsgi_server::{app, error, info, supervisor};

fn main() -> ExitCode {
    let config = match Config::from_args(std::env::args().skip(1)) {
        Ok(Some(config)) => config,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("wsgi-server: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    // Bad TLS files are a configuration error, found before anything starts
    // (the supervisor's server processes load them again).
    let tls = match config.tls.as_ref().map(Tls::load).transpose() {
        Ok(tls) => tls,
        Err(message) => {
            eprintln!("wsgi-server: {message}");
            return ExitCode::from(2);
        }
    };
    let outcome = match supervisor::inherited_listeners() {
        Err(message) => Err(message),
        Ok(Some(listeners)) => run(&config, tls, Some(listeners)),
        Ok(None) if config.processes > 0 => {
            return match supervisor::run(&config, std::env::args().skip(1).collect()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(message) => {
                    error!("{message}");
                    ExitCode::FAILURE
                }
            };
        }
        Ok(None) => run(&config, tls, None),
    };
    match outcome {
        Ok(()) => {
            run_exit_hooks();
            ExitCode::SUCCESS
        }
        Err(message) => {
            error!("{message}");
            ExitCode::FAILURE
        }
    }
}

/// Serves in this process, on `inherited` if a supervisor passed listening
/// sockets, else on sockets bound to `--bind`.
fn run(
    config: &Config,
    tls: Option<Tls>,
    inherited: Option<Vec<StdListener>>,
) -> Result<(), String> {
    let supervised = inherited.is_some();
    let listeners = match inherited {
        Some(listeners) => listeners,
        None => listener::bind_all(&config.binds)?,
    };
    // The interpreter starts configured (--pythonpath, --venv); then the
    // main thread imports the app.
    app::start_python(config).map_err(|err| format!("cannot start Python: {err}"))?;
    let (application, gil) = Python::attach(|py| app::load(py, config))
        .map_err(|err| format!("cannot load the application {}:\n{err}", config.app))?;
    info!("{}", app::describe_gil(&gil));
    let application = start_workers(config, application)
        .map_err(|err| format!("cannot start the Python workers: {err}"))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(config.io_threads)
        .thread_name("wsgi-io")
        .enable_all()
        .build()
        .map_err(|err| format!("cannot start the I/O runtime: {err}"))?;
    let options = ServeOptions {
        script_name: config.script_name.clone(),
        access_log: config.access_log.clone(),
        multiprocess: supervised,
        trusted_proxies: config.trusted_proxies.clone(),
        graceful_timeout: config.graceful_timeout,
        timeouts: config.timeouts,
        request_timeout: config.request_timeout,
        limits: config.limits,
        max_requests: if supervised {
            supervisor::request_limit(config)
        } else {
            0
        },
        tls,
    };
    let served = runtime.block_on(async {
        let listeners = listeners
            .into_iter()
            .map(StdListener::into_tokio)
            .collect::<std::io::Result<Vec<_>>>()
            .map_err(|err| format!("cannot use a listening socket: {err}"))?;
        let places = listener::places(
            listeners.iter().map(Listener::describe),
            options.tls.is_some(),
        );
        let shutdown = shutdown_signal().map_err(|err| format!("cannot watch signals: {err}"))?;
        let lifespan = match &application {
            Application::Asgi(app) => lifespan::startup(app).await.map_err(|message| {
                format!("the application's lifespan startup failed: {message}")
            })?,
            Application::Wsgi { .. } => None,
        };
        info!(
            "serving {} on {places} with {} Python worker(s) as {} (process {})",
            config.app,
            config.workers,
            match config.interface {
                Interface::Wsgi => "WSGI",
                Interface::Asgi => "ASGI, one event loop each",
            },
            std::process::id()
        );
        let report = server::serve_application(listeners, application.clone(), options, shutdown)
            .await
            .map_err(|err| format!("serving failed: {err}"))?;
        finish_or_abandon(&application, &report).await;
        if let Some(lifespan) = lifespan {
            if let Err(why) = lifespan.shutdown(config.graceful_timeout).await {
                error!("the application's lifespan shutdown failed: {why}");
            }
        }
        Ok::<_, String>(report)
    })?;
    // Joins the I/O threads (and releases any thread state they made).
    drop(runtime);
    info!("stopped: {}", summary(&served));
    Ok(())
}

/// The workers: an executor for WSGI, a pool of event loops for ASGI.
fn start_workers(config: &Config, app: Py<PyAny>) -> std::io::Result<Application> {
    Ok(match config.interface {
        Interface::Wsgi => {
            let executor = Executor::builder()
                .workers(config.workers)
                .queue_capacity(config.backlog)
                .thread_name("wsgi-worker")
                .build()?;
            Application::Wsgi {
                app,
                executor: Arc::new(executor),
            }
        }
        Interface::Asgi => {
            let loops = EventLoops::builder()
                .workers(config.workers)
                .thread_name("asgi-worker")
                .build()?;
            let state = Python::attach(|py| PyDict::new(py).unbind());
            Application::Asgi(Arc::new(AsgiApp { app, loops, state }))
        }
    })
}

/// Waits for the workers to finish the requests still running, until the
/// graceful timeout runs out. Then it logs the requests abandoned and
/// exits the process (0: the shutdown was asked for): a Python call cannot
/// be interrupted, and the process's exit is what ends it.
async fn finish_or_abandon(application: &Application, report: &ServeReport) {
    let left = report.deadline.saturating_duration_since(Instant::now());
    let finished = match application {
        Application::Wsgi { executor, .. } => {
            let shutdown = executor.shutdown(ShutdownMode::CancelQueued);
            tokio::time::timeout(left, shutdown).await.is_ok()
        }
        Application::Asgi(_) => tokio::time::timeout(left, report.in_flight.empty())
            .await
            .is_ok(),
    };
    if finished {
        return;
    }
    let abandoned = report.in_flight.describe();
    error!(
        "graceful timeout: abandoning {} request(s) still running in Python:\n  {}",
        abandoned.len(),
        abandoned.join("\n  ")
    );
    info!("stopped: {}", summary(report));
    std::process::exit(0);
}

/// The closing counts.
fn summary(report: &ServeReport) -> String {
    let mut line = format!(
        "{} connection(s), {} request(s), {} failed in the application, {} client error(s)",
        report.connections,
        report.counters.completed(),
        report.counters.application_errors(),
        report.counters.client_errors()
    );
    if report.aborted > 0 {
        line += &format!(
            ", {} connection(s) cut at the graceful timeout",
            report.aborted
        );
    }
    line
}

/// Completes at the first SIGINT or SIGTERM; a second one exits at once.
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        let name = tokio::select! {
            _ = interrupt.recv() => "SIGINT",
            _ = terminate.recv() => "SIGTERM",
        };
        info!("{name}: shutting down gracefully (send it again to stop at once)");
        tokio::spawn(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
            error!("second signal: exiting without waiting for requests");
            std::process::exit(1);
        });
    })
}

/// Runs the application's exit hooks (`atexit`, which is also how
/// `logging` flushes its handlers) and flushes Python's standard streams,
/// once every worker has exited. The interpreter itself is left to the
/// process's exit: pyo3-ft's runtime owns its main thread state.
fn run_exit_hooks() {
    let result = Python::attach(|py| -> PyResult<()> {
        py.import("atexit")?.call_method0("_run_exitfuncs")?;
        let sys = py.import("sys")?;
        for stream in ["stdout", "stderr"] {
            let stream = sys.getattr(stream)?;
            if !stream.is_none() {
                stream.call_method0("flush")?;
            }
        }
        Ok(())
    });
    if let Err(err) = result {
        error!("the exit hooks failed:\n{err}");
    }
}
