//! Which HTTP a connection speaks. Over TLS, ALPN says; on a clear-text
//! connection (or a TLS client that offered no ALPN), the first bytes do:
//! HTTP/2's connection preface (h2c with prior knowledge) or anything else,
//! HTTP/1.1. The bytes read to tell are handed back to the parser.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, ReadBuf};

/// What an HTTP/2 client sends first (RFC 9113, section 3.4).
const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// The HTTP spoken on a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Http1,
    Http2,
}

/// Reads the first bytes of `stream`, no more than needed to tell whether
/// they are HTTP/2's preface, and returns the protocol with the stream,
/// those bytes put back in front.
pub(crate) async fn detect<S: AsyncRead + Unpin>(
    mut stream: S,
) -> io::Result<(Protocol, Rewound<S>)> {
    let mut read = Vec::with_capacity(PREFACE.len());
    let mut buf = [0u8; PREFACE.len()];
    while read.len() < PREFACE.len() {
        let n = stream.read(&mut buf[..PREFACE.len() - read.len()]).await?;
        read.extend_from_slice(&buf[..n]);
        if n == 0 || !PREFACE.starts_with(&read) {
            return Ok((Protocol::Http1, Rewound::new(read, stream)));
        }
    }
    Ok((Protocol::Http2, Rewound::new(read, stream)))
}

/// A stream with bytes already read from it put back in front.
#[derive(Debug)]
pub(crate) struct Rewound<S> {
    read: Vec<u8>,
    /// How much of `read` has been handed out again.
    taken: usize,
    stream: S,
}

impl<S> Rewound<S> {
    pub(crate) fn new(read: Vec<u8>, stream: S) -> Rewound<S> {
        Rewound {
            read,
            taken: 0,
            stream,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Rewound<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let left = &this.read[this.taken..];
        if left.is_empty() {
            return Pin::new(&mut this.stream).poll_read(cx, buf);
        }
        let n = left.len().min(buf.remaining());
        buf.put_slice(&left[..n]);
        this.taken += n;
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Rewound<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, data)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, data)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn detected(first: &[u8]) -> (Protocol, Vec<u8>) {
        let (protocol, mut stream) = detect(first).await.unwrap();
        let mut again = Vec::new();
        stream.read_to_end(&mut again).await.unwrap();
        (protocol, again)
    }

    #[tokio::test]
    async fn the_preface_means_http2_and_every_byte_is_kept() {
        let mut h2 = PREFACE.to_vec();
        h2.extend_from_slice(b"\0\0\0\x04");
        assert_eq!(detected(&h2).await, (Protocol::Http2, h2.clone()));
        let h1 = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
        assert_eq!(detected(h1).await, (Protocol::Http1, h1.to_vec()));
        // A prefix of the preface that ends: HTTP/1.1 (hyper sees the end).
        assert_eq!(
            detected(b"PRI * HT").await,
            (Protocol::Http1, b"PRI * HT".to_vec())
        );
        assert_eq!(detected(b"").await, (Protocol::Http1, Vec::new()));
    }
}
