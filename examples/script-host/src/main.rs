//! `script-host --plugins DIR [--workers N] [--bind ADDR] [--deadline-ms MS]`:
//! serves `POST /NAME` with `DIR/NAME.py`'s `handle(body)`.

#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]

use std::error::Error;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use pyo3_ft::executor::{Executor, ShutdownMode};
use script_host::api;
use script_host::server::{self, Host};

const USAGE: &str =
    "usage: script-host --plugins DIR [--workers N] [--bind HOST:PORT] [--deadline-ms MS]";

fn main() -> Result<(), Box<dyn Error + Send + Sync>> {
    let mut plugins = None;
    let mut workers = 2;
    let mut bind = "127.0.0.1:8080".to_owned();
    let mut deadline = Duration::from_secs(2);
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value\n{USAGE}"));
        match flag.as_str() {
            "--plugins" => plugins = Some(PathBuf::from(value()?)),
            "--workers" => workers = value()?.parse()?,
            "--bind" => bind = value()?,
            "--deadline-ms" => deadline = Duration::from_millis(value()?.parse()?),
            _ => return Err(format!("unknown option {flag}\n{USAGE}").into()),
        }
    }
    let plugins = plugins.ok_or(USAGE)?;

    // Before the interpreter starts: the Rust module, then the settings.
    pyo3_ft::append_to_inittab!(api::host)?;
    pyo3_ft::embed::Config::new()
        .program_name("script-host")
        .argv(["script-host"])
        .safe_path(true)
        .start()?;

    let executor = Executor::builder()
        .workers(workers)
        .thread_name("plugin-worker")
        .build()?;
    let host = Arc::new(Host {
        plugins,
        executor,
        deadline,
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(&bind).await?;
        eprintln!(
            "script-host: serving {} on http://{} with {workers} workers",
            host.plugins.display(),
            listener.local_addr()?
        );
        server::serve(listener, Arc::clone(&host), async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await;
        host.executor.shutdown(ShutdownMode::Drain).await;
        Ok::<_, Box<dyn Error + Send + Sync>>(())
    })?;
    drop(runtime);
    pyo3_ft::embed::finalize()?;
    Ok(())
}
