//! Whether a connection has requests in progress, so that one with none
//! for `--header-timeout` can be closed, whatever its protocol: HTTP/1.1
//! between requests, HTTP/2 with no open stream, or a client that sent too
//! little to tell which it speaks.
//!
//! A request is in progress from the moment its head is parsed until its
//! response body is finished or dropped ([`Tracked`] carries the mark).

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::body::{Body, Frame, SizeHint};
use tokio::sync::watch;

/// The requests in progress on one connection.
#[derive(Debug)]
pub(crate) struct Activity(watch::Sender<usize>);

/// One request in progress; it ends when this is dropped.
#[derive(Debug)]
pub(crate) struct Busy(watch::Sender<usize>);

impl Activity {
    pub(crate) fn new() -> Activity {
        Activity(watch::Sender::new(0))
    }

    /// Marks a request as in progress until the mark is dropped.
    pub(crate) fn begin(&self) -> Busy {
        self.0.send_modify(|running| *running += 1);
        Busy(self.0.clone())
    }

    /// Completes once no request has been in progress for `limit` on end.
    pub(crate) async fn idle_for(&self, limit: Duration) {
        let mut running = self.0.subscribe();
        loop {
            // The sender lives as long as `self`: this cannot fail.
            let _ = running.wait_for(|running| *running == 0).await;
            if tokio::time::timeout(limit, running.changed())
                .await
                .is_err()
            {
                return;
            }
        }
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.send_modify(|running| *running -= 1);
    }
}

/// A response body that keeps its request in progress until hyper has
/// sent it (or dropped it).
#[derive(Debug)]
pub(crate) struct Tracked<B> {
    body: B,
    _busy: Busy,
}

impl<B> Tracked<B> {
    pub(crate) fn new(body: B, busy: Busy) -> Tracked<B> {
        Tracked { body, _busy: busy }
    }
}

impl<B: Body + Unpin> Body for Tracked<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<B::Data>, B::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[tokio::test]
    async fn idle_only_without_requests_in_progress() {
        let activity = Activity::new();
        let busy = activity.begin();
        let limit = Duration::from_millis(20);
        let waited = tokio::time::timeout(limit * 10, activity.idle_for(limit)).await;
        assert!(waited.is_err(), "idle while a request was in progress");
        drop(busy);
        let start = Instant::now();
        tokio::time::timeout(Duration::from_secs(10), activity.idle_for(limit))
            .await
            .expect("idle once the request ended");
        assert!(start.elapsed() >= limit);
    }
}
