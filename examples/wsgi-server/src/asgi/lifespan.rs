//! The ASGI `lifespan` protocol: startup before the server accepts
//! connections, shutdown after the last request. An application that
//! raises on a `lifespan` scope (or returns at once) does not support it;
//! the server goes on without, as uvicorn's default does.

use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use pyo3_ft::asyncio::future_into_py;
use pyo3_ft::exceptions::PyRuntimeError;
use pyo3_ft::prelude::*;
use pyo3_ft::types::{PyCFunction, PyDict};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::AsgiApp;

/// A running lifespan call, between startup and shutdown.
#[derive(Debug)]
pub struct Lifespan {
    /// Tells `receive` to return `lifespan.shutdown`.
    shutdown: oneshot::Sender<()>,
    /// `lifespan.shutdown.complete` (Ok) or `.failed` (its message).
    done: oneshot::Receiver<Result<(), String>>,
    /// The application's call.
    call: JoinHandle<PyResult<Py<PyAny>>>,
}

/// The ends `receive` and `send` use.
struct Ends {
    startup: Option<oneshot::Sender<Result<(), String>>>,
    shutdown: Option<oneshot::Receiver<()>>,
    done: Option<oneshot::Sender<Result<(), String>>>,
    started: bool,
}

/// Runs the startup: `Ok(Some(..))` once the application completed it,
/// `Ok(None)` if it does not support the protocol, `Err` with its message
/// if it failed.
///
/// # Errors
/// The application's `lifespan.startup.failed` message.
pub async fn startup(app: &AsgiApp) -> Result<Option<Lifespan>, String> {
    let (startup_sender, startup) = oneshot::channel();
    let (shutdown, shutdown_receiver) = oneshot::channel();
    let (done_sender, done) = oneshot::channel();
    let ends = Arc::new(Mutex::new(Ends {
        startup: Some(startup_sender),
        shutdown: Some(shutdown_receiver),
        done: Some(done_sender),
        started: false,
    }));
    let started = Python::attach(|py| -> PyResult<_> {
        let scope = PyDict::new(py);
        scope.set_item("type", "lifespan")?;
        let asgi = PyDict::new(py);
        asgi.set_item("version", "3.0")?;
        asgi.set_item("spec_version", "2.0")?;
        scope.set_item("asgi", asgi)?;
        scope.set_item("state", app.state.bind(py))?;
        let coroutine = app
            .app
            .bind(py)
            .call1((scope, receive(py, &ends)?, send(py, &ends)?))?;
        app.loops.into_future(&coroutine)
    });
    let mut call = match started {
        Ok(future) => tokio::spawn(future),
        Err(err) => return unsupported(&err.to_string()),
    };
    tokio::select! {
        outcome = startup => match outcome {
            Ok(Ok(())) => Ok(Some(Lifespan { shutdown, done, call })),
            Ok(Err(message)) => Err(message),
            Err(_) => unsupported("it dropped the startup"),
        },
        finished = &mut call => match finished {
            Ok(Err(err)) => unsupported(&err.to_string()),
            _ => unsupported("it returned before completing the startup"),
        },
    }
}

fn unsupported(why: &str) -> Result<Option<Lifespan>, String> {
    crate::info!(
        "the application does not support the ASGI lifespan protocol ({why}); going on without"
    );
    Ok(None)
}

impl Lifespan {
    /// Runs the shutdown, waiting at most `limit`.
    ///
    /// # Errors
    /// What went wrong: the application's `lifespan.shutdown.failed`
    /// message, an early return, or the time running out.
    pub async fn shutdown(self, limit: Duration) -> Result<(), String> {
        let _ = self.shutdown.send(());
        let outcome = match tokio::time::timeout(limit, self.done).await {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(_)) => Err("it ended without completing the shutdown".to_owned()),
            Err(_) => Err(format!(
                "it did not complete within {:.1}s",
                limit.as_secs_f64()
            )),
        };
        self.call.abort();
        outcome
    }
}

/// `receive`: `lifespan.startup` first, then `lifespan.shutdown` when the
/// server stops.
fn receive<'py>(py: Python<'py>, ends: &Arc<Mutex<Ends>>) -> PyResult<Bound<'py, PyCFunction>> {
    let ends = Arc::clone(ends);
    PyCFunction::new_closure(py, Some(c"receive"), None, move |args, _| {
        let py = args.py();
        let mut state = ends.lock();
        let wait = if state.started {
            state.shutdown.take()
        } else {
            state.started = true;
            None
        };
        drop(state);
        let first = wait.is_none();
        future_into_py(py, async move {
            let kind = match wait {
                None if first => "lifespan.startup",
                _ => {
                    if let Some(wait) = wait {
                        let _ = wait.await;
                    }
                    "lifespan.shutdown"
                }
            };
            Python::attach(|py| {
                let message = PyDict::new(py);
                message.set_item("type", kind)?;
                Ok(message.unbind())
            })
        })
        .map(Bound::unbind)
    })
}

/// `send`: the startup's and the shutdown's completion or failure.
fn send<'py>(py: Python<'py>, ends: &Arc<Mutex<Ends>>) -> PyResult<Bound<'py, PyCFunction>> {
    let ends = Arc::clone(ends);
    PyCFunction::new_closure(py, Some(c"send"), None, move |args, _| {
        let message = args.get_item(0)?;
        let kind: String = message.get_item("type")?.extract()?;
        let text = || -> String {
            message
                .get_item("message")
                .and_then(|m| m.extract())
                .unwrap_or_default()
        };
        let mut state = ends.lock();
        let (slot, outcome) = match kind.as_str() {
            "lifespan.startup.complete" => (state.startup.take(), Ok(())),
            "lifespan.startup.failed" => (state.startup.take(), Err(text())),
            "lifespan.shutdown.complete" => (state.done.take(), Ok(())),
            "lifespan.shutdown.failed" => (state.done.take(), Err(text())),
            other => {
                return Err(PyRuntimeError::new_err(format!(
                    "unexpected ASGI message type {other:?} for the lifespan scope"
                )))
            }
        };
        drop(state);
        let Some(slot) = slot else {
            return Err(PyRuntimeError::new_err(format!("{kind} sent twice")));
        };
        let _ = slot.send(outcome);
        future_into_py(args.py(), async { Ok(()) }).map(Bound::unbind)
    })
}
