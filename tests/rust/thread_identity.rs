//! Ownership checks use thread identities that are never reused. The C
//! library reuses a joined thread's stack and thread control block for the
//! next thread it starts, so a check by thread pointer would take a new
//! thread for a dead one.

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use pyo3_ft::prelude::*;
use pyo3_ft::{pyclass, pymethods};

#[pyclass(unsendable)]
struct Pinned {
    calls: u32,
}

#[pymethods]
impl Pinned {
    fn touch(&mut self) -> u32 {
        self.calls += 1;
        self.calls
    }
}

#[pyclass(mutable)]
struct Shared {
    value: u32,
}

#[pymethods]
impl Shared {
    fn get(&self) -> u32 {
        self.value
    }
}

/// Runs `f` on a new thread and joins it, returning its result and the
/// thread pointer it ran with (the address the C library reuses).
fn on_new_thread<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> (R, usize) {
    thread::spawn(move || (f(), pyo3_ft::runtime::thread_id::current()))
        .join()
        .unwrap()
}

/// An unsendable object made on a thread that has exited is refused on
/// every later thread, including those that reuse the dead thread's
/// control block.
#[test]
fn an_unsendable_object_of_an_exited_thread_is_refused_on_every_new_thread() {
    const ATTEMPTS: usize = 50;
    let mut reused = 0;
    for _ in 0..ATTEMPTS {
        let (object, creator) =
            on_new_thread(|| Python::attach(|py| Py::new(py, Pinned { calls: 0 }).unwrap()));
        let (outcome, user) = on_new_thread(move || {
            Python::attach(|py| {
                let result = object.bind(py).as_any().call_method0("touch");
                // Leak it: freeing it here would only report an
                // unraisable foreign-thread deallocation.
                std::mem::forget(object);
                result.map(|_| ()).map_err(|err| err.to_string())
            })
        });
        reused += usize::from(creator == user);
        let error = outcome.expect_err("a new thread used an unsendable object of a dead thread");
        assert!(
            error.starts_with("RuntimeError: Pinned.touch() was called from another thread"),
            "{error}"
        );
    }
    eprintln!("{reused} of {ATTEMPTS} threads reused the creator's thread pointer");
}

/// A thread that leaks an exclusive borrow and exits keeps the object
/// locked forever; a new thread that asks for it must wait (like any other
/// thread), not be taken for the dead holder and told it re-entered.
#[test]
fn a_leaked_exclusive_borrow_of_an_exited_thread_is_not_taken_for_a_new_threads() {
    for _ in 0..3 {
        let (object, _) = on_new_thread(|| {
            Python::attach(|py| {
                let object = Bound::new(py, Shared { value: 7 }).unwrap();
                std::mem::forget(object.borrow_mut());
                object.unbind()
            })
        });
        let (sender, outcome) = mpsc::channel();
        // This thread waits forever for the leaked lock (detached), and
        // is left behind when the test ends.
        thread::spawn(move || {
            let result = Python::attach(|py| {
                let result = object.bind(py).as_any().call_method0("get");
                result.map(|_| ()).map_err(|err| err.to_string())
            });
            let _ = sender.send(result);
        });
        match outcome.recv_timeout(Duration::from_millis(300)) {
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            other => panic!("the new thread did not wait for the leaked borrow: {other:?}"),
        }
    }
}
