//! A Rust module registered by the host before start-up
//! (`append_to_inittab!`), imported by scripts on several threads at once,
//! calling back into Rust in parallel and from Rust into Python again.
//! Registration must precede the start, so the scenarios run in child
//! processes.

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Barrier;

use pyo3_ft::embed::EmbedError;
use pyo3_ft::prelude::*;
use pyo3_ft::types::PyDict;
use pyo3_ft_tests::run_child;

const WORKERS: usize = 4;
const HITS: usize = 1000;

/// Calls counted per worker.
static COUNTS: [AtomicUsize; WORKERS] = [const { AtomicUsize::new(0) }; WORKERS];
/// Workers inside `host.rendezvous()` together.
static RENDEZVOUS: Barrier = Barrier::new(WORKERS);
/// The most workers seen inside `host.rendezvous()` at once.
static INSIDE: AtomicUsize = AtomicUsize::new(0);
static MOST_INSIDE: AtomicUsize = AtomicUsize::new(0);

/// Counts one call for `worker`.
#[pyfunction]
fn hit(worker: usize) -> usize {
    COUNTS[worker].fetch_add(1, SeqCst) + 1
}

/// Returns once every worker is inside it: proof that the scripts run in
/// Rust at the same time. The wait is detached.
#[pyfunction]
fn rendezvous(py: Python<'_>) {
    let inside = INSIDE.fetch_add(1, SeqCst) + 1;
    MOST_INSIDE.fetch_max(inside, SeqCst);
    py.detach(|| {
        RENDEZVOUS.wait();
    });
    INSIDE.fetch_sub(1, SeqCst);
}

/// Calls the Python callable `f` with `x` and adds one: Python to Rust to
/// Python.
#[pyfunction]
fn call_python(f: &Bound<'_, PyAny>, x: i64) -> PyResult<i64> {
    Ok(f.call1((x,))?.extract::<i64>()? + 1)
}

#[pymodule]
fn host(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(hit, m)?)?;
    m.add_function(wrap_pyfunction!(rendezvous, m)?)?;
    m.add_function(wrap_pyfunction!(call_python, m)?)?;
    Ok(())
}

/// Each worker's script.
const SCRIPT: &str = "
import host
host.rendezvous()
for _ in range(HITS):
    last = host.hit(worker)
result = host.call_python(lambda x: x * 2 + worker, 10)
";

#[test]
fn scripts_on_worker_threads_call_a_host_module_in_parallel() {
    run_child("child_scripts_call_host_module");
}

#[test]
#[ignore = "run in a child process by its parent test"]
fn child_scripts_call_host_module() {
    pyo3_ft::append_to_inittab!(host).unwrap();
    let workers: Vec<_> = (0..WORKERS)
        .map(|worker| {
            std::thread::spawn(move || {
                Python::attach(|py| -> PyResult<(usize, i64)> {
                    let globals = PyDict::new(py);
                    globals.set_item("worker", worker)?;
                    globals.set_item("HITS", HITS)?;
                    py.run(SCRIPT, Some(&globals), None)?;
                    let last = globals.get_item("last")?.expect("set").extract()?;
                    let result = globals.get_item("result")?.expect("set").extract()?;
                    Ok((last, result))
                })
                .unwrap()
            })
        })
        .collect();
    for (worker, handle) in workers.into_iter().enumerate() {
        let (last, result) = handle.join().unwrap();
        assert_eq!(last, HITS);
        assert_eq!(result, 10 * 2 + worker as i64 + 1);
    }
    for count in &COUNTS {
        assert_eq!(count.load(SeqCst), HITS);
    }
    assert_eq!(MOST_INSIDE.load(SeqCst), WORKERS);
    Python::attach(|py| {
        let builtin: bool = py
            .eval(
                "'host' in __import__('sys').builtin_module_names",
                None,
                None,
            )
            .unwrap()
            .extract()
            .unwrap();
        assert!(builtin);
    });
}

#[test]
fn registering_after_start_is_an_error() {
    run_child("child_register_after_start");
}

#[test]
#[ignore = "run in a child process by its parent test"]
fn child_register_after_start() {
    Python::attach(|py| py.run("pass", None, None)).unwrap();
    assert_eq!(
        pyo3_ft::append_to_inittab!(host),
        Err(EmbedError::AlreadyStarted)
    );
    let missing = Python::attach(|py| py.import("host").is_err());
    assert!(missing);
}

#[test]
fn registered_module_with_a_configured_start() {
    run_child("child_register_then_configure");
}

#[test]
#[ignore = "run in a child process by its parent test"]
fn child_register_then_configure() {
    pyo3_ft::append_to_inittab!(host).unwrap();
    pyo3_ft::embed::Config::new()
        .isolated(true)
        .start()
        .unwrap();
    let called: i64 = Python::attach(|py| {
        py.eval("__import__('host').call_python(abs, -5)", None, None)?
            .extract()
    })
    .unwrap();
    assert_eq!(called, 6);
}
