//! Cross-crate integration tests live in `tests/rust/`.

#[cfg(doctest)]
mod guide;
