//! Hand-written declarations of exactly the CPython C API that pyo3-ft uses,
//! checked against the interpreter's own headers by the layout test
//! (`runtime/tests/layout.rs`).
//!
//! The names are CPython's. Items that are macros or `static inline`
//! functions in C are `#[inline(always)]` Rust functions here.

#![allow(
    non_camel_case_types,
    non_snake_case,
    non_upper_case_globals,
    missing_docs
)]

mod abstract_;
mod buffer;
mod builtins;
mod config;
mod containers;
mod context;
mod critical_section;
mod datetime;
mod errors;
mod module;
mod numbers;
mod object;
mod refcount;
mod run;
mod state;
mod text;
mod typeobj;

pub use abstract_::*;
pub use buffer::*;
pub use builtins::*;
pub use config::*;
pub use containers::*;
pub use context::*;
pub use critical_section::*;
pub use datetime::*;
pub use errors::*;
pub use module::*;
pub use numbers::*;
pub use object::*;
pub use refcount::*;
pub use run::*;
pub use state::*;
pub use text::*;
pub use typeobj::*;
