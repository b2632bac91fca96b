//! `aio`: async Rust functions that any asyncio loop awaits, from an
//! extension module. `asyncio.run(aio.sleep_then(0.1, "done"))` runs on
//! Python's own loop: the Rust future is polled on whichever loop awaits it,
//! and woken from a timer thread. No async runtime is involved.

#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use pyo3_ft::asyncio::into_future;
use pyo3_ft::exceptions::PyValueError;
use pyo3_ft::prelude::*;
use pyo3_ft::{pyclass, pyfunction, pymethods, pymodule, wrap_pyfunction};

/// Sleeps not yet finished or dropped (a cancelled await drops its sleep).
static LIVE_SLEEPS: AtomicUsize = AtomicUsize::new(0);

/// Completes after a duration, woken by a thread that sleeps it out.
struct Sleep {
    state: Arc<Mutex<(bool, Option<Waker>)>>,
}

impl Sleep {
    fn new(duration: Duration) -> Sleep {
        LIVE_SLEEPS.fetch_add(1, Ordering::SeqCst);
        let state = Arc::new(Mutex::new((false, None::<Waker>)));
        let timer = Arc::clone(&state);
        std::thread::spawn(move || {
            std::thread::sleep(duration);
            let waker = {
                let mut state = timer.lock().unwrap_or_else(PoisonError::into_inner);
                state.0 = true;
                state.1.take()
            };
            if let Some(waker) = waker {
                waker.wake();
            }
        });
        Sleep { state }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if state.0 {
            return Poll::Ready(());
        }
        state.1 = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        LIVE_SLEEPS.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Waits `seconds` (on a timer thread, not blocking the loop), then
/// returns `value`.
#[pyfunction]
async fn sleep_then(seconds: f64, value: Py<PyAny>) -> PyResult<Py<PyAny>> {
    let duration = Duration::try_from_secs_f64(seconds)
        .map_err(|_| PyValueError::new_err(format!("invalid sleep length: {seconds}")))?;
    Sleep::new(duration).await;
    Ok(value)
}

/// How many sleeps are in progress.
#[pyfunction]
fn live_sleeps() -> usize {
    LIVE_SLEEPS.load(Ordering::SeqCst)
}

/// Awaits a Python awaitable from Rust: it runs as a task on the caller's
/// loop, in the caller's context; its result comes back with `+ 1`.
#[pyfunction]
async fn plus_one(awaitable: Py<PyAny>) -> PyResult<i64> {
    let future = Python::attach(|py| into_future(awaitable.bind(py)))?;
    let value = future.await?;
    Python::attach(|py| value.bind(py).extract::<i64>()).map(|n| n + 1)
}

/// Fails with `ValueError(message)` after a yield to the loop.
#[pyfunction]
async fn fail(message: String) -> PyResult<()> {
    Sleep::new(Duration::ZERO).await;
    Err(PyValueError::new_err(message))
}

/// Panics: the awaiting code sees `PanicException`.
#[pyfunction]
async fn panic_later(message: String) {
    Sleep::new(Duration::ZERO).await;
    panic!("{message}");
}

/// A counter whose `async` method Python awaits from many threads.
#[pyclass]
struct Tally {
    total: AtomicU64,
}

#[pymethods]
impl Tally {
    #[new]
    fn new() -> Self {
        Tally {
            total: AtomicU64::new(0),
        }
    }

    /// Adds `n` after a yield to the loop; returns the new total.
    async fn add(&self, n: u64) -> u64 {
        Sleep::new(Duration::ZERO).await;
        self.total.fetch_add(n, Ordering::Relaxed) + n
    }

    #[getter]
    fn total(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }
}

#[pymodule]
fn aio(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(sleep_then))?;
    m.add_function(wrap_pyfunction!(live_sleeps))?;
    m.add_function(wrap_pyfunction!(plus_one))?;
    m.add_function(wrap_pyfunction!(fail))?;
    m.add_function(wrap_pyfunction!(panic_later))?;
    m.add_class::<Tally>()?;
    Ok(())
}
