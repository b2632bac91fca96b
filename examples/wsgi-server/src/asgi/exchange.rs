//! One request's state between the application's `send`, its `receive`,
//! and the server's handler: where the response stands, and the channels
//! its head and body go out through.

use bytes::Bytes;
use hyper::{HeaderMap, StatusCode};
use parking_lot::Mutex;
use tokio::sync::{mpsc, oneshot, watch, Notify};

use super::{verdict, Waits};
use crate::body::{BodyError, Chunk, ResponseBody};
use crate::wsgi::length::BodyLength;
use crate::wsgi::{Head, Outcome, Request};

/// Chunks of a streamed body in flight at once: `send` waits beyond that.
const STREAM_DEPTH: usize = 4;

/// Where the response stands.
#[derive(Debug)]
pub(super) enum Phase {
    /// No `http.response.start` yet.
    Waiting,
    /// Started; the head waits for the first body message.
    Started(Start),
    /// The head is out and the body streams through `body`.
    Streaming(mpsc::Sender<Chunk>),
    /// The whole response is out (or abandoned).
    Complete,
}

/// A started response's status and headers.
#[derive(Debug)]
pub(super) struct Start {
    pub(super) status: StatusCode,
    pub(super) headers: HeaderMap,
}

#[derive(Debug)]
struct State {
    phase: Phase,
    head: Option<oneshot::Sender<Head>>,
    length: BodyLength,
    status: u16,
    /// The client broke the request (its body was malformed, too large or
    /// too slow): the status it gets if no response started.
    client_error: Option<StatusCode>,
}

/// Shared by `receive`, `send` and the handler.
#[derive(Debug)]
pub(super) struct Exchange {
    state: Mutex<State>,
    /// Woken on every change of phase, for `receive`'s wait for the end.
    changed: Notify,
    /// True once the client left before the head went out.
    gone: watch::Receiver<bool>,
    pub(super) waits: Waits,
    /// `HEAD` requests get the head only.
    head_only: bool,
    /// `METHOD target`, for the log.
    pub(super) label: String,
}

/// What `send` asks of a body message.
pub(super) enum Push {
    /// Nothing to wait for.
    Done,
    /// Send `data` through the stream, waiting for room.
    Stream(mpsc::Sender<Chunk>, Chunk),
}

impl Exchange {
    pub(super) fn new(
        head: oneshot::Sender<Head>,
        gone: watch::Receiver<bool>,
        request: &Request,
        waits: Waits,
    ) -> Exchange {
        Exchange {
            state: Mutex::new(State {
                phase: Phase::Waiting,
                head: Some(head),
                length: BodyLength::default(),
                status: 0,
                client_error: None,
            }),
            changed: Notify::new(),
            gone,
            waits,
            head_only: request.method == hyper::Method::HEAD,
            label: format!("{} {}", request.method, request.uri),
        }
    }

    /// `http.response.start`.
    pub(super) fn start(&self, start: Start) -> Result<(), &'static str> {
        let mut state = self.state.lock();
        if !matches!(state.phase, Phase::Waiting) {
            return Err("http.response.start sent twice");
        }
        let declared = start
            .headers
            .get(hyper::header::CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok()?.trim().parse::<u64>().ok());
        state.length = BodyLength::new(declared);
        state.status = start.status.as_u16();
        state.phase = Phase::Started(start);
        Ok(())
    }

    /// `http.response.body`: what to send, and whether to wait for room.
    pub(super) fn body(&self, data: Bytes, more: bool) -> Result<Push, &'static str> {
        let label = self.label.as_str();
        let mut state = self.state.lock();
        let data = state.length.admit(data);
        let data = if self.head_only { Bytes::new() } else { data };
        let push = match std::mem::replace(&mut state.phase, Phase::Complete) {
            Phase::Waiting => {
                state.phase = Phase::Waiting;
                return Err("http.response.body sent before http.response.start");
            }
            // Past the declared length, the rest is dropped (and the
            // mismatch logged at the end).
            Phase::Complete if state.length.reached() => Push::Done,
            Phase::Complete => return Err("http.response.body sent after the response ended"),
            Phase::Started(start) if !more => {
                let body = if state.length.is_short() {
                    ResponseBody::cut(data, &short_body(&state.length, label))
                } else {
                    ResponseBody::full(data)
                };
                self.send_head(&mut state, start, body);
                Push::Done
            }
            Phase::Started(start) => {
                let (sender, receiver) = mpsc::channel(STREAM_DEPTH);
                self.send_head(&mut state, start, ResponseBody::stream(receiver));
                state.phase = Phase::Streaming(sender.clone());
                Push::Stream(sender, Ok(data))
            }
            Phase::Streaming(sender) if more && !state.length.reached() => {
                state.phase = Phase::Streaming(sender.clone());
                Push::Stream(sender, Ok(data))
            }
            Phase::Streaming(sender) => {
                // The last piece; the stream ends when `sender` drops.
                let last = if state.length.is_short() {
                    Err(BodyError(short_body(&state.length, label)))
                } else {
                    Ok(data)
                };
                Push::Stream(sender, last)
            }
        };
        drop(state);
        self.changed.notify_waiters();
        Ok(push)
    }

    fn send_head(&self, state: &mut State, start: Start, body: ResponseBody) {
        if let Some(head) = state.head.take() {
            let _ = head.send(Head {
                status: start.status,
                reason: None,
                headers: start.headers,
                body,
            });
        }
    }

    /// Marks a client error (a bad, large or slow request body), answered
    /// with `status` unless a response started.
    pub(super) fn client_error(&self, status: StatusCode) {
        self.state.lock().client_error = Some(status);
    }

    /// Resolves when the client is gone or the response is complete:
    /// what `receive` waits for once the request body is read.
    pub(super) async fn ended(&self) {
        let mut gone = self.gone.clone();
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            let stream = match &self.state.lock().phase {
                Phase::Complete => return,
                Phase::Streaming(sender) => Some(sender.clone()),
                Phase::Waiting | Phase::Started(_) => None,
            };
            let closed = async {
                match &stream {
                    Some(sender) => sender.closed().await,
                    None => std::future::pending().await,
                }
            };
            // A closed channel (the guard disarmed) tells nothing more.
            let left = async {
                if gone.wait_for(|gone| *gone).await.is_err() {
                    std::future::pending::<()>().await;
                }
            };
            tokio::select! {
                () = left => return,
                () = closed => return,
                () = changed => {}
            }
        }
    }

    /// After the application's call: sends what it never sent (a 500, or
    /// the end of a body it left open) and reports the outcome.
    pub(super) fn finish(&self, failed: bool) -> Outcome {
        let label = self.label.as_str();
        let mut state = self.state.lock();
        let phase = std::mem::replace(&mut state.phase, Phase::Complete);
        let broke_protocol = match phase {
            Phase::Complete => false,
            Phase::Streaming(sender) => {
                let why = format!("{label}: the application ended without finishing its body");
                let _ = sender.try_send(Err(BodyError(why.clone())));
                crate::error!("{why}; the connection is closed");
                true
            }
            Phase::Waiting | Phase::Started(_) => {
                let status = state
                    .client_error
                    .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                if !failed && state.client_error.is_none() {
                    crate::error!("{label}: the application returned without sending a response; answered 500");
                }
                state.status = status.as_u16();
                let start = Start {
                    status,
                    headers: HeaderMap::new(),
                };
                let text = status.canonical_reason().unwrap_or("Error");
                self.send_head(&mut state, start, ResponseBody::full(format!("{text}\n")));
                true
            }
        };
        drop(state);
        self.changed.notify_waiters();
        let state = self.state.lock();
        if let Some(mismatch) = state.length.mismatch() {
            crate::error!("{label}: the application {mismatch}");
        }
        Outcome {
            status: state.status,
            body_bytes: state.length.sent(),
            verdict: verdict(
                failed || broke_protocol || state.length.mismatch().is_some(),
                state.client_error.is_some(),
            ),
        }
    }
}

fn short_body(length: &BodyLength, label: &str) -> String {
    format!(
        "{label}: the application {}; the connection is closed",
        length.mismatch().unwrap_or_default()
    )
}
