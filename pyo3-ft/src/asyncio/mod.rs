//! Async on both sides: await Python awaitables from Rust futures, and Rust
//! futures from Python, with one asyncio event loop per worker thread.
//!
//! (Feature `asyncio`.)
//!
//! - [`EventLoops`] is a pool of threads that each run their own asyncio
//!   loop with their own persistent thread state. On a free-threaded
//!   interpreter `N` workers run `N` loops in parallel; on a GIL build the
//!   loops take turns.
//! - [`into_future`] / [`EventLoops::into_future`] turn a Python awaitable
//!   into a `Send` Rust future that any runtime can await. Dropping it
//!   cancels the Python task.
//! - [`future_into_py`] turns a `Send` Rust future into an `asyncio.Future`
//!   of the running loop. Cancelling that drops the Rust future.
//! - `#[pyfunction] async fn` and `async fn` methods return coroutines
//!   that do the same once awaited, so they can be created outside a loop
//!   (`asyncio.run(module.f())`) and given to `create_task`.
//!
//! Exceptions travel both ways as exceptions; a panic becomes a
//! `PanicException`; `contextvars` set by the awaiting side are visible on
//! the other.
//!
//! No particular async runtime is assumed: the Rust side polls futures on
//! the loop's thread and wakes through `call_soon_threadsafe`. A future
//! that needs tokio's reactor is spawned on a tokio runtime and its
//! `JoinHandle` awaited (see [`future_into_py`]).

mod bridge;
mod event_loops;
mod from_python;
mod inbox;
mod to_python;

pub use event_loops::{Builder, EventLoops};
pub use from_python::{into_future, PyFuture};
pub(crate) use to_python::coroutine;
pub use to_python::future_into_py;
