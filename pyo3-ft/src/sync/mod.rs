//! Synchronization that is safe on free-threaded Python.

mod critical_section;

pub use critical_section::{critical_section, critical_section2};
