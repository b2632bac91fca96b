//! Threads: `Py` references cross threads and are dropped on threads that
//! never attached without leaking or crashing; many threads attaching and
//! detaching while another runs the garbage collector (which stops the
//! world on free-threaded builds) never deadlock; nested attaches reuse the
//! thread's one thread state.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::Duration;

use pyo3_ft::prelude::*;
use pyo3_ft::runtime::{ffi, thread_state};
use pyo3_ft::types::{PyDict, PyList};

/// How long a multi-threaded test may run before it counts as deadlocked.
const WATCHDOG: Duration = Duration::from_secs(60);

/// Runs `work` on its own thread and panics with "deadlock: ..." if it does
/// not finish within [`WATCHDOG`]; a panic inside `work` is passed on.
fn with_watchdog(what: &str, work: impl FnOnce() + Send + 'static) {
    let (done, finished) = mpsc::channel();
    let worker = thread::spawn(move || {
        work();
        let _ = done.send(());
    });
    match finished.recv_timeout(WATCHDOG) {
        Ok(()) => worker.join().unwrap(),
        Err(RecvTimeoutError::Disconnected) => match worker.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!("the worker ended without reporting"),
        },
        Err(RecvTimeoutError::Timeout) => {
            panic!("deadlock: {what} did not finish within {WATCHDOG:?}")
        }
    }
}

/// A new object that only this test references, and a weak reference to
/// it whose callback appends to the returned list when the object dies.
fn watched_object(py: Python<'_>) -> (Py<PyAny>, Py<PyAny>, Py<PyList>) {
    let globals = PyDict::new(py);
    py.run(
        "import weakref\n\
         class Watched:\n    pass\n\
         obj = Watched()\n\
         freed = []\n\
         ref = weakref.ref(obj, lambda _: freed.append(True))\n",
        Some(&globals),
        None,
    )
    .unwrap();
    let item = |name: &str| globals.get_item(name).unwrap().unwrap();
    let (obj, weak) = (item("obj").unbind(), item("ref").unbind());
    let freed = item("freed").downcast_into::<PyList>().unwrap().unbind();
    // The callback keeps the namespace alive: leave `obj` only to the caller.
    globals.del_item("obj").unwrap();
    (obj, weak, freed)
}

/// Waits until `done()` holds, letting reference counts become final; false
/// if they never do. On free-threaded builds a reference that a thread drops
/// to an object it does not own (biased reference counting) may be queued
/// for the owner thread, which merges it when it next runs Python code; a
/// garbage collection merges every thread's queue, but `gc.collect()`
/// returns at once while another thread is collecting, hence the retries.
/// GIL builds have nothing to merge.
fn settles(py: Python<'_>, mut done: impl FnMut() -> bool) -> bool {
    let collect = py.import("gc").unwrap().getattr("collect").unwrap();
    for _ in 0..200 {
        if done() {
            return true;
        }
        py.run("pass", None, None).unwrap();
        collect.call0().unwrap();
        py.detach(|| thread::sleep(Duration::from_millis(5)));
    }
    done()
}

/// `obj`'s reference count settles at `expected`.
fn assert_refcount_settles(obj: &Bound<'_, PyAny>, expected: isize) {
    let settled = settles(obj.py(), || obj.get_refcnt() == expected);
    assert!(
        settled,
        "reference count {} never settled at {expected}",
        obj.get_refcnt()
    );
}

/// The current thread's `PyThreadState`, as an address.
fn current_thread_state() -> usize {
    // SAFETY: reading the current thread state is valid at any time.
    unsafe { ffi::PyThreadState_GetUnchecked() as usize }
}

#[test]
fn py_dropped_on_a_thread_that_never_attached_releases_its_reference() {
    let (keep, start, moved) = Python::attach(|py| {
        let (obj, _, _) = watched_object(py);
        let start = obj.bind(py).get_refcnt();
        let moved = obj.clone_ref(py);
        assert_eq!(obj.bind(py).get_refcnt(), start + 1);
        (obj, start, moved)
    });
    thread::spawn(move || {
        assert!(!thread_state::is_attached());
        drop(moved);
        assert!(
            !thread_state::is_attached(),
            "drop left the thread attached"
        );
    })
    .join()
    .unwrap();
    Python::attach(|py| assert_refcount_settles(keep.bind(py), start));
}

#[test]
fn last_py_dropped_on_a_thread_that_never_attached_frees_the_object() {
    let (obj, weak, freed) = Python::attach(watched_object);
    thread::spawn(move || drop(obj)).join().unwrap();
    Python::attach(|py| {
        let freed = freed.bind(py);
        assert!(
            settles(py, || !freed.is_empty()),
            "the object was never freed"
        );
        assert_eq!(freed.len(), 1, "the weakref callback ran once");
        assert!(
            weak.bind(py).call0().unwrap().is_none(),
            "the object is gone"
        );
    });
}

/// A stage of a pipeline: receives `Py`s, does `each` to every one, passes
/// on what `each` returns.
fn stage(
    input: mpsc::Receiver<Py<PyAny>>,
    output: mpsc::Sender<Py<PyAny>>,
    mut each: impl FnMut(Py<PyAny>) -> Option<Py<PyAny>> + Send + 'static,
) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        for item in input {
            if let Some(item) = each(item) {
                output.send(item).unwrap();
            }
        }
    })
}

#[test]
fn py_sent_through_channels_between_threads_keeps_exact_counts() {
    const SENT: usize = 1000;
    let (obj, start, address) = Python::attach(|py| {
        let (obj, _, _) = watched_object(py);
        let start = obj.bind(py).get_refcnt();
        let address = obj.as_ptr() as usize;
        (obj, start, address)
    });

    let (to_relay, relay_in) = mpsc::channel();
    let (to_binder, binder_in) = mpsc::channel();
    let (to_dropper, dropper_in) = mpsc::channel();
    let (to_main, main_in) = mpsc::channel();
    let stages = [
        // Never attaches itself: `Py::clone` attaches briefly, and the clone
        // is dropped unattached.
        stage(relay_in, to_binder, move |item| {
            drop(item.clone());
            Some(item)
        }),
        // Attaches, checks the object and swaps the reference for a new one.
        stage(binder_in, to_dropper, move |item| {
            Python::attach(|py| {
                let bound = item.bind(py);
                assert_eq!(bound.as_ptr() as usize, address);
                assert_eq!(
                    bound.get_type().name().unwrap().to_str().unwrap(),
                    "Watched"
                );
                Some(bound.clone().unbind())
            })
        }),
        // Drops every other reference without attaching.
        stage(dropper_in, to_main, {
            let mut count = 0;
            move |item| {
                count += 1;
                (count % 2 == 0).then_some(item)
            }
        }),
    ];
    Python::attach(|py| {
        for _ in 0..SENT {
            to_relay.send(obj.clone_ref(py)).unwrap();
        }
    });
    drop(to_relay);
    for stage in stages {
        stage.join().unwrap();
    }

    let returned: Vec<Py<PyAny>> = main_in.try_iter().collect();
    assert_eq!(returned.len(), SENT / 2);
    Python::attach(|py| {
        let bound = obj.bind(py);
        assert!(returned.iter().all(|item| item.bind(py).is(bound)));
        assert_refcount_settles(bound, start + (SENT / 2) as isize);
        drop(returned);
        assert_refcount_settles(bound, start);
    });
}

#[test]
fn attaching_and_detaching_threads_survive_concurrent_gc() {
    const WORKERS: usize = 8;
    const ROUNDS: usize = 300;
    with_watchdog("8 attaching threads and a gc.collect() loop", || {
        let workers_done = AtomicBool::new(false);
        let collections = AtomicUsize::new(0);
        thread::scope(|scope| {
            scope.spawn(|| loop {
                Python::attach(|py| {
                    py.import("gc").unwrap().call_method0("collect").unwrap();
                });
                collections.fetch_add(1, Ordering::Relaxed);
                if workers_done.load(Ordering::Relaxed) {
                    break;
                }
                // Collections keep colliding with the workers, but a full
                // collection after every GIL hand-off would starve them on
                // the GIL build (a debug build took 50 s for the 300 rounds).
                thread::sleep(Duration::from_millis(1));
            });
            let workers: Vec<_> = (0..WORKERS)
                .map(|worker| scope.spawn(move || attach_detach_rounds(worker, ROUNDS)))
                .collect();
            for worker in workers {
                worker.join().unwrap();
            }
            workers_done.store(true, Ordering::Relaxed);
        });
        assert!(collections.load(Ordering::Relaxed) >= 1);
    });
}

/// One worker of [`attaching_and_detaching_threads_survive_concurrent_gc`]:
/// makes cyclic garbage for the collector, and nests attach and detach.
fn attach_detach_rounds(worker: usize, rounds: usize) {
    for round in 0..rounds {
        Python::attach(|py| {
            let globals = PyDict::new(py);
            globals.set_item("n", round).unwrap();
            py.run("cycle = [n]\ncycle.append(cycle)\n", Some(&globals), None)
                .unwrap();
            let kept = globals.get_item("cycle").unwrap().unwrap().unbind();
            let sum: usize = py.detach(|| {
                let local: usize = (0..100).sum();
                let from_python = Python::attach(|py| {
                    let head: usize = kept.bind(py).get_item(0).unwrap().extract().unwrap();
                    py.detach(thread::yield_now);
                    head
                });
                local + from_python
            });
            assert_eq!(sum, 4950 + round, "worker {worker}, round {round}");
        });
    }
}

#[test]
fn nested_attach_reuses_the_one_thread_state() {
    // A fresh thread, so that this test sees its whole attach history.
    thread::spawn(|| {
        assert!(!thread_state::is_attached());
        let (state, local) = Python::attach(|py| {
            let state = current_thread_state();
            assert_ne!(state, 0);
            let local = py
                .import("threading")
                .unwrap()
                .call_method0("local")
                .unwrap();
            local.setattr("value", 42).unwrap();
            let list = PyList::empty(py);

            // Attach inside attach: same state, outer objects still usable.
            Python::attach(|_| {
                assert_eq!(current_thread_state(), state);
                list.append("nested").unwrap();
            });
            assert!(
                thread_state::is_attached(),
                "the inner attach parked the outer one"
            );

            // Attach inside detach: the same state comes back, then goes again.
            let unbound = list.clone().unbind();
            py.detach(|| {
                assert!(!thread_state::is_attached());
                Python::attach(|py| {
                    assert_eq!(current_thread_state(), state);
                    unbound.bind(py).append("inside detach").unwrap();
                });
                assert!(!thread_state::is_attached());
            });
            assert!(thread_state::is_attached());
            assert_eq!(current_thread_state(), state);
            assert_eq!(
                list.extract::<Vec<String>>().unwrap(),
                ["nested", "inside detach"]
            );
            (state, local.unbind())
        });
        assert!(!thread_state::is_attached());

        // Later attaches get the same state back, with its thread-local data.
        for _ in 0..10_000 {
            Python::attach(|py| {
                assert_eq!(current_thread_state(), state);
                Python::attach(|_| py.detach(|| Python::attach(|_| ())));
            });
        }
        Python::attach(|py| {
            let value: i32 = local.bind(py).getattr("value").unwrap().extract().unwrap();
            assert_eq!(
                value, 42,
                "threading.local data survived: the state was kept"
            );
        });
    })
    .join()
    .unwrap();
}

#[test]
fn threads_attach_in_parallel_each_with_its_own_thread_state() {
    const THREADS: usize = 4;
    with_watchdog("4 threads attaching at once", || {
        let barrier = std::sync::Barrier::new(THREADS);
        let states: Vec<usize> = thread::scope(|scope| {
            let handles: Vec<_> = (0..THREADS)
                .map(|_| {
                    scope.spawn(|| {
                        Python::attach(|py| {
                            // Wait detached, so that all threads hold a state at once.
                            py.detach(|| barrier.wait());
                            current_thread_state()
                        })
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let mut distinct = states.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), THREADS, "thread states {states:x?}");
    });
}
