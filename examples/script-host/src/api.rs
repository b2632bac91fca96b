//! The `host` module the plugins import: registered with
//! `append_to_inittab!` before the interpreter starts.

use std::collections::BTreeMap;

use pyo3_ft::prelude::*;
use pyo3_ft::sync::Mutex;

/// The key-value store every plugin shares. Its lock detaches to wait.
static STORE: Mutex<BTreeMap<String, String>> = Mutex::new(BTreeMap::new());

/// `host.kv_get(key)`: the value, or `None`.
#[pyfunction]
fn kv_get(py: Python<'_>, key: &str) -> Option<String> {
    STORE.lock(py).get(key).cloned()
}

/// `host.kv_set(key, value)`.
#[pyfunction]
fn kv_set(py: Python<'_>, key: String, value: String) {
    STORE.lock(py).insert(key, value);
}

/// `host.kv_add(key, n)`: adds `n` to the integer under `key` (0 if
/// absent), atomically, and returns the sum.
#[pyfunction]
fn kv_add(py: Python<'_>, key: String, n: i64) -> PyResult<i64> {
    let mut store = STORE.lock(py);
    let current = match store.get(&key) {
        Some(text) => text.parse::<i64>().map_err(|_| {
            pyo3_ft::exceptions::PyValueError::new_err(format!("{key} holds {text:?}"))
        })?,
        None => 0,
    };
    let sum = current + n;
    store.insert(key, sum.to_string());
    Ok(sum)
}

/// `host.log(message)`: one line on the host's stderr.
#[pyfunction]
fn log(message: &str) {
    eprintln!("script-host: plugin: {message}");
}

/// The `host` module.
#[pymodule]
pub fn host(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(kv_get, m)?)?;
    m.add_function(wrap_pyfunction!(kv_set, m)?)?;
    m.add_function(wrap_pyfunction!(kv_add, m)?)?;
    m.add_function(wrap_pyfunction!(log, m)?)?;
    Ok(())
}
