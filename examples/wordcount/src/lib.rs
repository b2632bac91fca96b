//! `wordcount`: a realistic extension that scales across Python threads on
//! the free-threaded build. Each call borrows the text straight from the
//! Python `str` (no copy) and counts in Rust; threads share nothing, so
//! eight threads count eight texts at once.
//!
//! It also reports the GIL sentinel's findings, the diagnostics a
//! production extension would expose.

#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]

use std::collections::HashMap;

use pyo3_ft::gil_sentinel;
use pyo3_ft::prelude::*;
use pyo3_ft::types::{PyDict, PyModule};
use pyo3_ft::{pyfunction, pymodule, wrap_pyfunction};

/// Lower-cased words of `text`: runs of letters, digits and apostrophes.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
}

/// `{word: count}` for one text.
#[pyfunction]
fn count_words(text: &str) -> HashMap<String, u64> {
    let mut counts = HashMap::new();
    for word in words(text) {
        *counts.entry(word).or_insert(0) += 1;
    }
    counts
}

/// The `n` most frequent words of `counts` as `(word, count)` pairs, most
/// frequent first, ties in alphabetical order.
#[pyfunction]
fn top_words(counts: HashMap<String, u64>, n: usize) -> Vec<(String, u64)> {
    let mut pairs: Vec<(String, u64)> = counts.into_iter().collect();
    pairs.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    pairs.truncate(n);
    pairs
}

/// Starts watching imports that re-enable the GIL.
#[pyfunction]
fn install_gil_sentinel(py: Python<'_>) -> PyResult<()> {
    gil_sentinel::install(py)
}

/// `{"free_threaded_build": ..., "enabled": ..., "enabled_by": [...]}`.
#[pyfunction]
fn gil_status(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let status = gil_sentinel::status(py)?;
    let dict = PyDict::new(py);
    dict.set_item("free_threaded_build", status.free_threaded_build)?;
    dict.set_item("enabled", status.enabled)?;
    dict.set_item("enabled_by", status.enabled_by)?;
    Ok(dict)
}

/// Word counting that scales across Python threads.
#[pymodule]
fn wordcount(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(count_words))?;
    m.add_function(wrap_pyfunction!(top_words))?;
    m.add_function(wrap_pyfunction!(install_gil_sentinel))?;
    m.add_function(wrap_pyfunction!(gil_status))?;
    Ok(())
}
