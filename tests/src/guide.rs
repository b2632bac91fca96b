//! The user guide's pages as doctests: every Rust snippet in `guide/src/`
//! compiles and runs under `cargo test -p pyo3-ft-tests --doc`, on the
//! interpreter the workspace is built against.

#[doc = include_str!("../../guide/src/introduction.md")]
mod introduction {}

#[doc = include_str!("../../guide/src/getting-started.md")]
mod getting_started {}

#[doc = include_str!("../../guide/src/sharing-rules.md")]
mod sharing_rules {}

#[doc = include_str!("../../guide/src/coming-from-pyo3.md")]
mod coming_from_pyo3 {}

#[doc = include_str!("../../guide/src/functions.md")]
mod functions {}

#[doc = include_str!("../../guide/src/modules.md")]
mod modules {}

#[doc = include_str!("../../guide/src/classes.md")]
mod classes {}

#[doc = include_str!("../../guide/src/errors.md")]
mod errors {}

#[doc = include_str!("../../guide/src/conversions.md")]
mod conversions {}

#[doc = include_str!("../../guide/src/buffer.md")]
mod buffer {}

#[doc = include_str!("../../guide/src/wheels.md")]
mod wheels {}

#[doc = include_str!("../../guide/src/testing.md")]
mod testing {}

#[doc = include_str!("../../guide/src/sync.md")]
mod sync {}

#[doc = include_str!("../../guide/src/embedding.md")]
mod embedding {}

#[doc = include_str!("../../guide/src/async.md")]
mod async_rust {}

#[doc = include_str!("../../guide/src/asyncio.md")]
mod asyncio {}

#[doc = include_str!("../../guide/src/wsgi.md")]
mod wsgi {}

#[doc = include_str!("../../guide/src/asgi.md")]
mod asgi {}

#[doc = include_str!("../../guide/src/performance.md")]
mod performance {}
