//! The WSGI `environ` dict of one request (PEP 3333, with CGI's variables).
//!
//! Strings are "native strings": bytes from the wire decoded as ISO-8859-1,
//! so that every byte survives (an application re-encodes to recover them).
//! Keys and common values are interned: they are immortal, so workers on
//! different cores never contend on their reference counts.

use std::net::IpAddr;

use hyper::header::HeaderName;
use hyper::{Method, Version};
use pyo3_ft::intern;
use pyo3_ft::prelude::*;
use pyo3_ft::sync::PyOnceLock;
use pyo3_ft::type_info::PyTypeInfo;
use pyo3_ft::types::{PyDict, PyModule, PyString, PyTuple};

use super::file_wrapper::FileWrapper;
use super::forwarded;
use super::input::Input;
use super::{Request, Settings};

/// Whether the request path `path` (as sent, percent-encoded) is under the
/// mount point `script_name` (empty for the root).
pub fn is_mounted(path: &str, script_name: &str) -> bool {
    script_name.is_empty() || path_info(&percent_decode(path.as_bytes()), script_name).is_some()
}

/// `path` (decoded) without `script_name`, if it is under it.
fn path_info<'a>(path: &'a [u8], script_name: &str) -> Option<&'a [u8]> {
    match path.strip_prefix(script_name.as_bytes()) {
        Some(rest) if rest.is_empty() || rest[0] == b'/' => Some(rest),
        _ => None,
    }
}

/// Builds the environ of `request`, whose body `input` reads.
pub(crate) fn build<'py>(
    py: Python<'py>,
    request: &Request,
    input: &Bound<'py, Input>,
    settings: &Settings,
) -> PyResult<Bound<'py, PyDict>> {
    let script_name = settings.script_name.as_str();
    let environ = PyDict::new(py);
    let set = |key: &Bound<'py, PyString>, value: &Bound<'py, PyAny>| environ.set_item(key, value);

    set(
        intern!(py, "REQUEST_METHOD"),
        method(py, &request.method).as_any(),
    )?;

    let path = percent_decode(request.uri.path().as_bytes());
    // The server answers 404 to paths outside the mount point.
    let path = path_info(&path, script_name).unwrap_or(&path);
    let script = if script_name.is_empty() {
        intern!(py, "").clone()
    } else {
        PyString::new(py, script_name)
    };
    set(intern!(py, "SCRIPT_NAME"), script.as_any())?;
    set(intern!(py, "PATH_INFO"), latin1(py, path).as_any())?;
    let query = request.uri.query().unwrap_or("");
    let query = if query.is_empty() {
        intern!(py, "").clone()
    } else {
        PyString::new(py, query)
    };
    set(intern!(py, "QUERY_STRING"), query.as_any())?;
    let target = request
        .uri
        .path_and_query()
        .map_or("/", |target| target.as_str());
    set(intern!(py, "RAW_URI"), PyString::new(py, target).as_any())?;

    let protocol = match request.version {
        Version::HTTP_10 => intern!(py, "HTTP/1.0"),
        Version::HTTP_2 => intern!(py, "HTTP/2"),
        _ => intern!(py, "HTTP/1.1"),
    };
    set(intern!(py, "SERVER_PROTOCOL"), protocol.as_any())?;
    set_server(py, &environ, request)?;
    if let Some(peer) = request.peer {
        let ip = PyString::new(py, &peer.ip().to_string());
        environ.set_item(intern!(py, "REMOTE_ADDR"), ip)?;
        let port = PyString::new(py, &peer.port().to_string());
        environ.set_item(intern!(py, "REMOTE_PORT"), port)?;
    }

    for name in request.headers.keys() {
        let mut values = request.headers.get_all(name).iter();
        let Some(first) = values.next() else { continue };
        let Some(key) = header_key(py, name) else {
            continue;
        };
        let mut joined = first.as_bytes().to_vec();
        let separator: &[u8] = if name == hyper::header::COOKIE {
            b"; "
        } else {
            b", "
        };
        for value in values {
            joined.extend_from_slice(separator);
            joined.extend_from_slice(value.as_bytes());
        }
        environ.set_item(key, latin1(py, &joined))?;
    }

    set(
        intern!(py, "wsgi.version"),
        PyTuple::new(py, [1, 0])?.as_any(),
    )?;
    let forwarded = forwarded::read(
        &request.headers,
        // A Unix socket's peer is a process on this machine.
        request
            .peer
            .map_or(IpAddr::from([127, 0, 0, 1]), |peer| peer.ip()),
        &settings.trusted_proxies,
    );
    if let Some(client) = forwarded.client {
        set(
            intern!(py, "REMOTE_ADDR"),
            PyString::new(py, &client).as_any(),
        )?;
    }
    let scheme = if forwarded.https.unwrap_or(request.secure) {
        intern!(py, "https")
    } else {
        intern!(py, "http")
    };
    set(intern!(py, "wsgi.url_scheme"), scheme.as_any())?;
    set(intern!(py, "wsgi.input"), input.as_any())?;
    set(
        intern!(py, "wsgi.errors"),
        &sys(py)?.getattr(intern!(py, "stderr"))?,
    )?;
    set(intern!(py, "wsgi.multithread"), &py.bool(true))?;
    set(
        intern!(py, "wsgi.multiprocess"),
        &py.bool(settings.multiprocess),
    )?;
    set(
        intern!(py, "wsgi.file_wrapper"),
        FileWrapper::type_object(py).as_any(),
    )?;
    set(intern!(py, "wsgi.run_once"), &py.bool(false))?;
    // The body ends where the client ended it, even without Content-Length.
    set(intern!(py, "wsgi.input_terminated"), &py.bool(true))?;
    Ok(environ)
}

/// `sys`, imported once.
fn sys(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    static SYS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
    SYS.get_or_try_init(py, || py.import("sys").map(Bound::unbind))
        .map(|sys| sys.bind(py))
}

fn method<'py>(py: Python<'py>, method: &Method) -> Bound<'py, PyString> {
    let interned = match *method {
        Method::GET => intern!(py, "GET"),
        Method::POST => intern!(py, "POST"),
        Method::HEAD => intern!(py, "HEAD"),
        Method::PUT => intern!(py, "PUT"),
        Method::DELETE => intern!(py, "DELETE"),
        Method::PATCH => intern!(py, "PATCH"),
        Method::OPTIONS => intern!(py, "OPTIONS"),
        _ => return PyString::new(py, method.as_str()),
    };
    interned.clone()
}

/// `SERVER_NAME` and `SERVER_PORT`: the listening address, or on a Unix
/// socket what the `Host` header says (`localhost` and 80 without one).
fn set_server(py: Python<'_>, environ: &Bound<'_, PyDict>, request: &Request) -> PyResult<()> {
    let (name, port) = match request.local {
        Some(local) => (local.ip().to_string(), local.port()),
        None => {
            let authority = request
                .headers
                .get(hyper::header::HOST)
                .and_then(|host| host.to_str().ok())
                .and_then(|host| host.parse::<hyper::http::uri::Authority>().ok());
            match authority {
                Some(authority) => (
                    authority.host().to_owned(),
                    authority.port_u16().unwrap_or(80),
                ),
                None => ("localhost".to_owned(), 80),
            }
        }
    };
    environ.set_item(intern!(py, "SERVER_NAME"), PyString::new(py, &name))?;
    environ.set_item(
        intern!(py, "SERVER_PORT"),
        PyString::new(py, &port.to_string()),
    )
}

/// The environ key of a request header: `CONTENT_TYPE`, `CONTENT_LENGTH`,
/// else `HTTP_` and the name upper-cased with `-` as `_`. `None` for a name
/// with an underscore: it would be indistinguishable from its dashed twin
/// (`X_User` and `X-User` both map to `HTTP_X_USER`), which lets a client
/// smuggle a header past a proxy that filters the dashed one.
fn header_key<'py>(py: Python<'py>, name: &HeaderName) -> Option<Bound<'py, PyString>> {
    let common = match name.as_str() {
        "content-type" => intern!(py, "CONTENT_TYPE"),
        "content-length" => intern!(py, "CONTENT_LENGTH"),
        "host" => intern!(py, "HTTP_HOST"),
        "user-agent" => intern!(py, "HTTP_USER_AGENT"),
        "accept" => intern!(py, "HTTP_ACCEPT"),
        "accept-encoding" => intern!(py, "HTTP_ACCEPT_ENCODING"),
        "accept-language" => intern!(py, "HTTP_ACCEPT_LANGUAGE"),
        "connection" => intern!(py, "HTTP_CONNECTION"),
        "cookie" => intern!(py, "HTTP_COOKIE"),
        other => {
            if other.contains('_') {
                return None;
            }
            let mut key = String::with_capacity(5 + other.len());
            key.push_str("HTTP_");
            key.extend(other.chars().map(|c| match c {
                '-' => '_',
                c => c.to_ascii_uppercase(),
            }));
            return Some(PyString::new(py, &key));
        }
    };
    Some(common.clone())
}

/// Bytes as a native string (ISO-8859-1: one character per byte).
fn latin1<'py>(py: Python<'py>, bytes: &[u8]) -> Bound<'py, PyString> {
    match std::str::from_utf8(bytes) {
        Ok(text) if bytes.is_ascii() => PyString::new(py, text),
        _ => PyString::new(
            py,
            &bytes.iter().map(|&b| char::from(b)).collect::<String>(),
        ),
    }
}

/// `%XX` escapes decoded; anything else (including a malformed escape) kept
/// as it is. `+` stays `+` (it means a space only in query strings).
pub(crate) fn percent_decode(input: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        if input[i] == b'%' && i + 2 < input.len() {
            if let (Some(hi), Some(lo)) = (hex(input[i + 1]), hex(input[i + 2])) {
                out.push(hi << 4 | lo);
                i += 3;
                continue;
            }
        }
        out.push(input[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::percent_decode;

    #[test]
    fn decodes_percent_escapes() {
        assert_eq!(percent_decode(b"/a%20b"), b"/a b");
        assert_eq!(percent_decode(b"/caf%C3%A9"), b"/caf\xc3\xa9");
        assert_eq!(percent_decode(b"/%2Fx%2f"), b"//x/");
        assert_eq!(percent_decode(b"/100%"), b"/100%");
        assert_eq!(percent_decode(b"/%4"), b"/%4");
        assert_eq!(percent_decode(b"/%zz+"), b"/%zz+");
        assert_eq!(percent_decode(b"%41"), b"A");
    }
}
