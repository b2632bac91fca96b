//! The HTTP side: hyper on tokio, one executor job per request.

use std::convert::Infallible;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use pyo3_ft::executor::{ExecError, Executor};
use pyo3_ft::prelude::*;
use tokio::net::TcpListener;

use crate::plugins::{self, Running};

/// What the service runs plugins with.
pub struct Host {
    /// Where `NAME.py` is looked up.
    pub plugins: PathBuf,
    /// The Python workers.
    pub executor: Executor,
    /// How long a call may run before it is interrupted (504).
    pub deadline: Duration,
}

/// Serves `host` on `listener` until `stop` completes.
pub async fn serve(listener: TcpListener, host: Arc<Host>, stop: impl Future<Output = ()>) {
    tokio::pin!(stop);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let host = Arc::clone(&host);
                tokio::spawn(async move {
                    let service = service_fn(move |request| respond(Arc::clone(&host), request));
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
            () = &mut stop => return,
        }
    }
}

fn text(status: StatusCode, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response
}

/// `POST /NAME` with a text body: the plugin's answer.
async fn respond(
    host: Arc<Host>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    if request.method() != Method::POST && request.method() != Method::GET {
        return Ok(text(StatusCode::METHOD_NOT_ALLOWED, "use GET or POST\n"));
    }
    let name = request.uri().path().trim_start_matches('/').to_owned();
    if !plugins::valid_name(&name) {
        return Ok(text(StatusCode::NOT_FOUND, "no such plugin\n"));
    }
    let body = match request.into_body().collect().await {
        Ok(body) => body.to_bytes(),
        Err(err) => return Ok(text(StatusCode::BAD_REQUEST, format!("{err}\n"))),
    };
    let Ok(body) = String::from_utf8(body.to_vec()) else {
        return Ok(text(StatusCode::BAD_REQUEST, "the body is not UTF-8\n"));
    };
    let running = Arc::new(Running::default());
    let job = {
        let (running, dir) = (Arc::clone(&running), host.plugins.clone());
        host.executor
            .submit(move |py| running.run(py, || plugins::call(py, &dir, &name, &body)))
    };
    tokio::pin!(job);
    let mut timed_out = false;
    let outcome = loop {
        match tokio::time::timeout(host.deadline, &mut job).await {
            Ok(outcome) => break outcome,
            // Past the deadline: interrupt the call (again, if it is still
            // running or has only now started) until it ends.
            Err(_) => {
                timed_out = true;
                let running = Arc::clone(&running);
                let _ =
                    tokio::task::spawn_blocking(move || Python::attach(|py| running.interrupt(py)))
                        .await;
            }
        }
    };
    Ok(match outcome {
        _ if timed_out => text(
            StatusCode::GATEWAY_TIMEOUT,
            format!("the plugin ran past its {:?} deadline\n", host.deadline),
        ),
        Ok(answer) => text(StatusCode::OK, answer),
        Err(ExecError::Python(err)) => text(StatusCode::INTERNAL_SERVER_ERROR, format!("{err}\n")),
        Err(err) => text(StatusCode::SERVICE_UNAVAILABLE, format!("{err}\n")),
    })
}
