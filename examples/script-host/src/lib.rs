//! `script-host`: an HTTP service that runs plugin scripts.
//!
//! `POST /NAME` (body: text) calls `handle(body)` of the script
//! `PLUGINS/NAME.py` on one of the executor's Python workers and answers
//! with its result. The scripts import `host`, a module written in Rust
//! ([`api`]): a key-value store shared by every plugin, and logging.
//!
//! - Each worker loads its own copy of a script (a function shared by all
//!   threads would keep a contended reference count on 3.13t) and reloads
//!   it when the file's modification time changes.
//! - Failures stay with their request: a script that raises answers 500
//!   with the exception; one that runs past the deadline is interrupted
//!   (an asynchronous `TimeoutError` on its worker thread) and answers
//!   504. The other plugins keep serving.

#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]

pub mod api;
pub mod plugins;
pub mod server;
