//! The `scope` of an HTTP request (ASGI 3, HTTP spec 2.4).

use std::net::{IpAddr, SocketAddr};

use hyper::Version;
use pyo3_ft::prelude::*;
use pyo3_ft::types::{PyBytes, PyDict, PyList, PyString};

use crate::wsgi::environ::percent_decode;
use crate::wsgi::{forwarded, Request, Settings};

/// Builds the scope of `request`; `state` is the lifespan state, shallowly
/// copied as the spec asks.
pub(super) fn build<'py>(
    py: Python<'py>,
    request: &Request,
    settings: &Settings,
    state: &Bound<'py, PyDict>,
) -> PyResult<Bound<'py, PyDict>> {
    let scope = PyDict::new(py);
    scope.set_item("type", "http")?;
    scope.set_item("asgi", asgi_version(py)?)?;
    let version = match request.version {
        Version::HTTP_10 => "1.0",
        Version::HTTP_2 => "2",
        _ => "1.1",
    };
    scope.set_item("http_version", version)?;
    scope.set_item("method", request.method.as_str())?;
    let path = request.uri.path();
    let decoded = percent_decode(path.as_bytes());
    scope.set_item(
        "path",
        PyString::new(py, &String::from_utf8_lossy(&decoded)),
    )?;
    scope.set_item("raw_path", PyBytes::new(py, path.as_bytes()))?;
    let query = request.uri.query().unwrap_or("");
    scope.set_item("query_string", PyBytes::new(py, query.as_bytes()))?;
    scope.set_item("root_path", settings.script_name.as_str())?;
    scope.set_item("headers", headers(py, request)?)?;
    let forwarded = forwarded::read(
        &request.headers,
        request
            .peer
            .map_or(IpAddr::from([127, 0, 0, 1]), |peer| peer.ip()),
        &settings.trusted_proxies,
    );
    let https = forwarded
        .https
        .unwrap_or(request.uri.scheme_str() == Some("https"));
    scope.set_item("scheme", if https { "https" } else { "http" })?;
    let client = match (forwarded.client, request.peer) {
        (Some(client), peer) => Some((client, peer.map_or(0, |peer| peer.port()))),
        (None, Some(peer)) => Some((peer.ip().to_string(), peer.port())),
        (None, None) => None,
    };
    scope.set_item("client", client)?;
    scope.set_item("server", request.local.map(address))?;
    scope.set_item("state", state.copy()?)?;
    Ok(scope)
}

/// `{"version": "3.0", "spec_version": "2.4"}`.
fn asgi_version(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let asgi = PyDict::new(py);
    asgi.set_item("version", "3.0")?;
    asgi.set_item("spec_version", "2.4")?;
    Ok(asgi)
}

/// `[[name, value], ...]` as bytes, names lower-case (as hyper keeps them).
fn headers<'py>(py: Python<'py>, request: &Request) -> PyResult<Bound<'py, PyList>> {
    let headers = PyList::empty(py);
    for (name, value) in &request.headers {
        let pair = (
            PyBytes::new(py, name.as_str().as_bytes()),
            PyBytes::new(py, value.as_bytes()),
        );
        headers.append(pair)?;
    }
    Ok(headers)
}

fn address(address: SocketAddr) -> (String, u16) {
    (address.ip().to_string(), address.port())
}
