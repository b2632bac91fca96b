//! The VM layer of pyo3-ft.
//!
//! - [`ffi`]: raw declarations of the CPython C API that pyo3-ft uses, for
//!   both object-header layouts, with inline biased reference counting on
//!   free-threaded builds.
//! - [`thread_state`]: attaching Rust threads to the interpreter, with one
//!   persistent `PyThreadState` per thread.
//! - [`lifecycle`]: when threads may no longer attach (finalization).
//! - `embed` (feature `embed`): configuring, starting and finalizing the
//!   interpreter of an embedding program, on its dedicated main thread.
//! - [`build_info`]: what the build script found.
//!
//! Most users want the safe API of the `pyo3-ft` crate instead.

#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]
#![doc(test(attr(deny(warnings))))]

pub mod build_info;
#[cfg(feature = "embed")]
pub mod embed;
pub mod ffi;
pub mod lifecycle;
pub mod thread_id;
pub mod thread_state;
