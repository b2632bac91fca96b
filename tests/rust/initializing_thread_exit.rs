//! The thread that initializes the embedded interpreter may exit (a test
//! harness thread, a worker of a thread pool) without leaving a thread state
//! behind. On free-threaded builds CPython finds an object's owner thread by
//! its thread pointer, which a later thread may reuse: a stale state with
//! that address would swallow the references other threads drop to the later
//! thread's objects, which would then wait for the next garbage collection
//! instead of being merged by their owner.
//!
//! This file holds a single test so that it is the first to attach.

use std::thread;

use pyo3_ft::prelude::*;

thread_local! {
    static MARKER: u8 = const { 0 };
}

/// The address of this thread's thread-local block: equal for two threads
/// exactly when the second reuses the first one's thread pointer.
fn tls_address() -> usize {
    MARKER.with(|marker| marker as *const u8 as usize)
}

#[test]
fn owner_merges_dropped_references_after_the_initializing_thread_exited() {
    let initializer = thread::spawn(|| {
        Python::attach(|py| py.run("pass", None, None).unwrap());
        tls_address()
    })
    .join()
    .unwrap();

    thread::spawn(move || {
        let reused = tls_address() == initializer;
        let (obj, start, moved) = Python::attach(|py| {
            let obj = py.eval("type('Owned', (), {})()", None, None).unwrap();
            let start = obj.get_refcnt();
            let moved = obj.clone().unbind();
            (obj.unbind(), start, moved)
        });
        thread::spawn(move || drop(moved)).join().unwrap();
        Python::attach(|py| {
            // Running Python code handles this thread's eval breaker, which
            // merges the references other threads queued for it.
            py.run("pass", None, None).unwrap();
            assert_eq!(
                obj.bind(py).get_refcnt(),
                start,
                "a reference another thread dropped was not merged by the owner \
                 (owner reuses the initializing thread's address: {reused})"
            );
        });
    })
    .join()
    .unwrap();
}
