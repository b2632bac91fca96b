//! The response body hyper sends: all at once, or chunks a worker streams.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use tokio::sync::mpsc;

/// Why a streamed body ended early: the application failed after the
/// headers were sent. hyper then closes the connection, so the client sees
/// a truncated response rather than a complete-looking one.
#[derive(Debug)]
pub struct BodyError(pub String);

impl fmt::Display for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BodyError {}

/// A chunk of a streamed body, or the error that ends it.
pub type Chunk = Result<Bytes, BodyError>;

/// A response body.
#[derive(Debug)]
pub struct ResponseBody(Kind);

#[derive(Debug)]
enum Kind {
    Full(Option<Bytes>),
    Stream(mpsc::Receiver<Chunk>),
    Cut {
        data: Option<Bytes>,
        /// Whether hyper had its chance to flush `data` (it drops what it
        /// buffered when a body fails).
        flushed: bool,
        why: String,
    },
}

impl ResponseBody {
    /// A body known in full.
    pub fn full(data: impl Into<Bytes>) -> ResponseBody {
        let data = data.into();
        ResponseBody(Kind::Full((!data.is_empty()).then_some(data)))
    }

    /// `data`, then an error: hyper closes the connection after it, so that
    /// a body short of its `Content-Length` is not followed by anything the
    /// client could take for the rest of it.
    pub fn cut(data: Bytes, why: &str) -> ResponseBody {
        ResponseBody(Kind::Cut {
            data: (!data.is_empty()).then_some(data),
            flushed: false,
            why: why.to_owned(),
        })
    }

    /// A body whose chunks arrive on `chunks`; it ends when every sender is
    /// dropped.
    pub fn stream(chunks: mpsc::Receiver<Chunk>) -> ResponseBody {
        ResponseBody(Kind::Stream(chunks))
    }
}

impl Body for ResponseBody {
    type Data = Bytes;
    type Error = BodyError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BodyError>>> {
        let this = self.get_mut();
        match &mut this.0 {
            Kind::Full(data) => Poll::Ready(data.take().map(|data| Ok(Frame::data(data)))),
            Kind::Stream(chunks) => match chunks.poll_recv(cx) {
                // Cut like a short body: what hyper holds goes out first.
                Poll::Ready(Some(Err(BodyError(why)))) => {
                    this.0 = Kind::Cut {
                        data: None,
                        flushed: false,
                        why,
                    };
                    Pin::new(this).poll_frame(cx)
                }
                polled => polled.map(|chunk| chunk.map(|chunk| chunk.map(Frame::data))),
            },
            Kind::Cut { data, flushed, why } => {
                if let Some(data) = data.take() {
                    return Poll::Ready(Some(Ok(Frame::data(data))));
                }
                if !*flushed {
                    // Pending once: hyper flushes what it has, then polls
                    // again.
                    *flushed = true;
                    cx.waker().wake_by_ref();
                    return Poll::Pending;
                }
                Poll::Ready(Some(Err(BodyError(why.clone()))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self.0, Kind::Full(None))
    }

    fn size_hint(&self) -> SizeHint {
        match &self.0 {
            Kind::Full(data) => SizeHint::with_exact(data.as_ref().map_or(0, |d| d.len() as u64)),
            Kind::Stream(_) | Kind::Cut { .. } => SizeHint::default(),
        }
    }
}
