//! `wsgi-server`: an HTTP/1.1 and HTTP/2 server (hyper + tokio; TLS through
//! rustls) that serves a PEP 3333 WSGI application from pyo3-ft's
//! [`Executor`](pyo3_ft::executor::Executor).
//!
//! The HTTP side runs on tokio (one I/O thread by default); every request
//! becomes one executor job, which builds the `environ`, calls the
//! application on a Python worker thread and streams its body back. Each
//! worker keeps its thread state for its whole life; on a free-threaded
//! interpreter the workers run the application in parallel.
//!
//! The pieces are public so that tests and other programs can embed the
//! server: [`app::start_python`] starts the interpreter with the
//! configured `sys.path` and virtual environment, [`app::load`] imports the
//! application, [`server::serve`] serves it on listeners until a shutdown
//! future completes.
//!
//! ```no_run
//! use std::sync::Arc;
//! use pyo3_ft::executor::{Executor, ShutdownMode};
//! use pyo3_ft::prelude::*;
//! use wsgi_server::{app, server, Config};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let config = Config::new("hello:app");
//! app::start_python(&config)?;
//! let (application, gil) = Python::attach(|py| app::load(py, &config))?;
//! println!("{}", app::describe_gil(&gil));
//! let executor = Arc::new(Executor::new(2)?);
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8000").await?;
//! let stop = tokio::signal::ctrl_c();
//! server::serve(vec![listener.into()], application, executor.clone(), Default::default(), async {
//!     let _ = stop.await;
//! })
//! .await?;
//! executor.shutdown(ShutdownMode::Drain).await;
//! # Ok(())
//! # }
//! ```

#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]

pub mod access_log;
mod activity;
pub mod app;
pub mod asgi;
pub mod body;
pub mod config;
pub mod counters;
pub mod inflight;
pub mod listener;
pub mod log;
pub mod protocol;
pub mod server;
pub mod supervisor;
pub mod tls;
pub mod wsgi;

pub use config::Config;
