//! Stress tests through the framework API, driven by the thread-safety
//! harness (`pyo3_ft::testing::hammer`): containers mutated and iterated by
//! 8 threads at once, and a million calls without memory growth.

use std::sync::atomic::{AtomicUsize, Ordering};

use pyo3_ft::prelude::*;
use pyo3_ft::testing::hammer;
use pyo3_ft::types::{PyDict, PyList};
use pyo3_ft::{pyclass, pymethods, wrap_pyfunction};

const THREADS: usize = 8;

#[test]
fn a_list_appended_and_iterated_by_8_threads_keeps_every_item() {
    let list: Py<PyList> = Python::attach(|py| PyList::empty(py).unbind());
    let iterations = 2_000;
    let report = hammer(THREADS, iterations, |py, thread, i| {
        let list = list.bind(py);
        list.append((thread, i))?;
        // Iterating while others append must never read out of bounds.
        let seen = list.iter().take(64).count();
        assert!(seen <= list.len());
        Ok(())
    });
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    Python::attach(|py| {
        let list = list.bind(py);
        assert_eq!(list.len(), THREADS * iterations);
        let mut items: Vec<(usize, usize)> = list.extract().unwrap();
        items.sort_unstable();
        items.dedup();
        assert_eq!(
            items.len(),
            THREADS * iterations,
            "an append was lost or doubled"
        );
    });
}

#[test]
fn a_dict_updated_and_iterated_by_8_threads_stays_consistent() {
    let dict: Py<PyDict> = Python::attach(|py| PyDict::new(py).unbind());
    let iterations = 2_000;
    let pairs_seen = AtomicUsize::new(0);
    let report = hammer(THREADS, iterations, |py, thread, i| {
        let dict = dict.bind(py);
        dict.set_item((thread, i % 100), i)?;
        if i % 10 == 0 {
            // Iteration walks a snapshot: it never fails while other
            // threads grow the dict, and every pair is whole.
            for (key, value) in dict.iter() {
                let (_, slot): (usize, usize) = key.extract()?;
                assert_eq!(value.extract::<usize>()? % 100, slot);
                pairs_seen.fetch_add(1, Ordering::Relaxed);
            }
        }
        Ok(())
    });
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    Python::attach(|py| assert_eq!(dict.bind(py).len(), THREADS * 100));
    println!(
        "dict stress: {THREADS} threads x {iterations} updates in {:?}, {} pairs iterated",
        report.elapsed,
        pairs_seen.load(Ordering::Relaxed)
    );
}

#[pyclass]
struct Adder {
    base: i64,
}

#[pymethods]
impl Adder {
    fn add(&self, x: i64) -> i64 {
        self.base + x
    }
}

#[pyo3_ft::pyfunction]
fn double(x: i64) -> i64 {
    2 * x
}

/// The resident set size of this process, from `/proc/self/status`.
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn a_million_calls_through_a_function_and_a_method_do_not_grow_memory() {
    Python::attach(|py| {
        let function = wrap_pyfunction!(double).to_object(py).unwrap();
        let adder = Bound::new(py, Adder { base: 1 }).unwrap();
        let method = adder.getattr("add").unwrap();
        let call_both = |n: usize| {
            for i in 0..n as i64 {
                assert_eq!(
                    function.call1((i,)).unwrap().extract::<i64>().unwrap(),
                    2 * i
                );
                assert_eq!(method.call1((i,)).unwrap().extract::<i64>().unwrap(), i + 1);
            }
        };
        call_both(100_000); // warm up allocator pools
        let before = rss_kib();
        call_both(1_000_000);
        let grown = rss_kib().saturating_sub(before);
        println!("10^6 calls of a function and a method: RSS grew {grown} KiB");
        assert!(
            grown < 16 * 1024,
            "RSS grew by {grown} KiB over 10^6 calls: a leak"
        );
    });
}
