//! `wsgi.input`: the request body, read by the application as it arrives.

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use pyo3_ft::exceptions::PyOSError;
use pyo3_ft::prelude::*;
use pyo3_ft::sync::Mutex;
use pyo3_ft::types::PyBytes;
use pyo3_ft::{pyclass, pymethods};

use super::client::{ClientError, ClientLink};

/// A file-like object over the request body (PEP 3333 `wsgi.input`):
/// `read`, `readline`, `readlines` and iteration over lines. A read that
/// needs more of the body than has arrived waits for it with the worker
/// detached, at most the body timeout for each piece; a timeout or a
/// malformed body raises `OSError` and is remembered as the client's fault. At the end of the body reads return `b""`; the server never
/// reads past it (chunked bodies end where the client ended them, hence
/// `wsgi.input_terminated`).
#[pyclass(module = "wsgi_server", name = "Input")]
pub struct Input {
    state: Mutex<State>,
}

struct State {
    /// The part of the body not received yet; `None` once it ended.
    body: Option<Incoming>,
    /// Received, not yet read: `buffer[start..]`.
    buffer: Vec<u8>,
    start: usize,
    /// Body bytes received so far.
    received: u64,
    /// Bounds the waits for the body, and its size.
    client: ClientLink,
    /// Why the body could not be read, once it could not.
    client_error: Option<ClientError>,
}

impl State {
    fn available(&self) -> &[u8] {
        &self.buffer[self.start..]
    }

    /// Receives one more piece of the body, waiting detached; false at its
    /// end. A client error ends the body and raises `OSError`.
    fn fill(&mut self) -> PyResult<bool> {
        let data = match self.next_data() {
            Ok(Some(data)) => data,
            Ok(None) => {
                self.body = None;
                return Ok(false);
            }
            Err(err) => {
                self.body = None;
                let raised = PyOSError::new_err(err.to_string());
                self.client_error = Some(err);
                return Err(raised);
            }
        };
        if self.start == self.buffer.len() {
            self.buffer.clear();
            self.start = 0;
        } else if self.start > self.buffer.len() / 2 {
            self.buffer.drain(..self.start);
            self.start = 0;
        }
        self.buffer.extend_from_slice(&data);
        Ok(true)
    }

    /// The next non-empty piece of the body (`None` at its end), counted
    /// against the size limit.
    fn next_data(&mut self) -> Result<Option<Bytes>, ClientError> {
        loop {
            let Some(body) = self.body.as_mut() else {
                return Ok(None);
            };
            let frame = self.client.read(body.frame())?;
            let Some(frame) = frame
                .transpose()
                .map_err(|err| ClientError::bad_body(&err))?
            else {
                return Ok(None);
            };
            // Trailers carry no data.
            if let Ok(data) = frame.into_data() {
                if !data.is_empty() {
                    self.received += data.len() as u64;
                    self.client.check_body_size(self.received)?;
                    return Ok(Some(data));
                }
            }
        }
    }

    /// Takes up to `n` available bytes.
    fn take<'py>(&mut self, py: Python<'py>, n: usize) -> Bound<'py, PyBytes> {
        let n = n.min(self.available().len());
        let bytes = PyBytes::new(py, &self.available()[..n]);
        self.start += n;
        bytes
    }

    fn read<'py>(&mut self, py: Python<'py>, size: Option<usize>) -> PyResult<Bound<'py, PyBytes>> {
        while size.is_none_or(|size| self.available().len() < size) {
            if !self.fill()? {
                break;
            }
        }
        Ok(self.take(py, size.unwrap_or(usize::MAX)))
    }

    fn readline<'py>(
        &mut self,
        py: Python<'py>,
        size: Option<usize>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let limit = size.unwrap_or(usize::MAX);
        let mut searched = 0;
        loop {
            let available = self.available();
            let window = &available[..available.len().min(limit)];
            if let Some(newline) = window[searched..].iter().position(|&b| b == b'\n') {
                return Ok(self.take(py, searched + newline + 1));
            }
            if window.len() >= limit {
                return Ok(self.take(py, limit));
            }
            searched = window.len();
            if !self.fill()? {
                return Ok(self.take(py, limit));
            }
        }
    }
}

/// A Python size argument: `None` or negative means "everything".
fn size_arg(size: Option<isize>) -> Option<usize> {
    size.and_then(|size| usize::try_from(size).ok())
}

impl Input {
    pub(crate) fn new(body: Option<Incoming>, client: ClientLink) -> Input {
        Input {
            state: Mutex::new(State {
                body,
                buffer: Vec::new(),
                start: 0,
                received: 0,
                client,
                client_error: None,
            }),
        }
    }

    /// Why the body could not be read, if it could not.
    pub(crate) fn client_error(&self, py: Python<'_>) -> Option<ClientError> {
        self.state.lock(py).client_error.clone()
    }

    /// Drops what is left of the body (the request is over; the
    /// application may keep this object).
    pub(crate) fn finish(&self, py: Python<'_>) {
        let mut state = self.state.lock(py);
        state.body = None;
        state.buffer = Vec::new();
        state.start = 0;
    }
}

#[pymethods]
impl Input {
    /// Reads up to `size` bytes (all that is left if `size` is omitted,
    /// `None` or negative); fewer only at the end of the body.
    #[py(signature = (size = None))]
    fn read<'py>(&self, py: Python<'py>, size: Option<isize>) -> PyResult<Bound<'py, PyBytes>> {
        self.state.lock(py).read(py, size_arg(size))
    }

    /// Reads one line, up to and including `b"\n"`, or at most `size` bytes.
    #[py(signature = (size = None))]
    fn readline<'py>(&self, py: Python<'py>, size: Option<isize>) -> PyResult<Bound<'py, PyBytes>> {
        self.state.lock(py).readline(py, size_arg(size))
    }

    /// Reads lines until the end, or until they add up to `hint` bytes.
    #[py(signature = (hint = None))]
    fn readlines<'py>(
        &self,
        py: Python<'py>,
        hint: Option<isize>,
    ) -> PyResult<Vec<Bound<'py, PyBytes>>> {
        let hint = size_arg(hint).filter(|&hint| hint > 0);
        let mut state = self.state.lock(py);
        let (mut lines, mut total) = (Vec::new(), 0);
        loop {
            let line = state.readline(py, None)?;
            let len = line.as_bytes().len();
            if len == 0 {
                return Ok(lines);
            }
            lines.push(line);
            total += len;
            if hint.is_some_and(|hint| total >= hint) {
                return Ok(lines);
            }
        }
    }

    fn __iter__<'py>(slf: &Bound<'py, Self>) -> Bound<'py, Self> {
        slf.clone()
    }

    fn __next__<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyBytes>>> {
        let line = self.state.lock(py).readline(py, None)?;
        Ok((!line.as_bytes().is_empty()).then_some(line))
    }
}
