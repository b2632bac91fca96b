//! The slot a worker puts a job's result into, and the future side reads.
//!
//! A sender dropped without sending (the job was removed from the queue)
//! reads as [`ExecError::Cancelled`]. The lock is held only to move values
//! and wakers in and out; values are dropped after it is released, because
//! dropping a `Py` may attach the thread.

use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use parking_lot::Mutex;

use super::error::ExecError;
use super::lock_detached;

struct State<R> {
    value: Option<Result<R, ExecError>>,
    waker: Option<Waker>,
    sender_gone: bool,
    receiver_gone: bool,
}

type Shared<R> = Arc<Mutex<State<R>>>;

/// The worker's end.
pub(crate) struct Sender<R> {
    shared: Option<Shared<R>>,
}

/// The future's end.
pub(crate) struct Receiver<R> {
    shared: Shared<R>,
}

pub(crate) fn channel<R>() -> (Sender<R>, Receiver<R>) {
    let shared = Arc::new(Mutex::new(State {
        value: None,
        waker: None,
        sender_gone: false,
        receiver_gone: false,
    }));
    (
        Sender {
            shared: Some(shared.clone()),
        },
        Receiver { shared },
    )
}

impl<R> Sender<R> {
    /// Whether nobody will read the result any more.
    pub(crate) fn is_abandoned(&self) -> bool {
        self.shared
            .as_ref()
            .is_none_or(|shared| lock_detached(shared).receiver_gone)
    }

    /// Delivers the result; if the receiver is gone, the value is dropped
    /// here (after the lock is released).
    pub(crate) fn send(mut self, value: Result<R, ExecError>) {
        let Some(shared) = self.shared.take() else {
            return;
        };
        let mut state = lock_detached(&shared);
        state.sender_gone = true;
        if state.receiver_gone {
            drop(state);
            drop(value);
            return;
        }
        state.value = Some(value);
        let waker = state.waker.take();
        drop(state);
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl<R> Drop for Sender<R> {
    fn drop(&mut self) {
        if let Some(shared) = self.shared.take() {
            let mut state = lock_detached(&shared);
            state.sender_gone = true;
            let waker = state.waker.take();
            drop(state);
            if let Some(waker) = waker {
                waker.wake();
            }
        }
    }
}

impl<R> Receiver<R> {
    pub(crate) fn poll(&self, cx: &mut Context<'_>) -> Poll<Result<R, ExecError>> {
        let mut state = lock_detached(&self.shared);
        if let Some(value) = state.value.take() {
            return Poll::Ready(value);
        }
        if state.sender_gone {
            return Poll::Ready(Err(ExecError::Cancelled));
        }
        match &mut state.waker {
            Some(waker) if waker.will_wake(cx.waker()) => {}
            slot => *slot = Some(cx.waker().clone()),
        }
        Poll::Pending
    }
}

impl<R> Drop for Receiver<R> {
    fn drop(&mut self) {
        let mut state = lock_detached(&self.shared);
        state.receiver_gone = true;
        let value = state.value.take();
        let waker = state.waker.take();
        drop(state);
        drop(value);
        drop(waker);
    }
}
