//! The allowed twin of every compile-fail case in `tests/ui/sharing/`:
//! each test is named after the case it answers and does the same job the
//! way the sharing rules allow, and runs.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicI32, AtomicI64, Ordering};
use std::sync::{mpsc, Arc, OnceLock};
use std::thread;

use pyo3_ft::executor::block_on;
use pyo3_ft::prelude::*;
use pyo3_ft::sync::{Mutex, RwLock};
use pyo3_ft::types::PyList;
use pyo3_ft::{pyclass, pymethods};

/// A default class: lock-free, `Send + Sync`, `&self` only.
#[pyclass]
struct Counter {
    count: AtomicI64,
}

/// A `mutable` class: `&mut self` methods run under the class's lock.
#[pyclass(mutable)]
struct MutCounter {
    count: i64,
}

#[pymethods]
impl MutCounter {
    fn incr(&mut self) {
        self.count += 1;
    }
}

fn new_counter(py: Python<'_>, start: i64) -> Bound<'_, Counter> {
    Bound::new(
        py,
        Counter {
            count: AtomicI64::new(start),
        },
    )
    .unwrap()
}

/// `python_into_spawn`: the other thread attaches itself.
#[test]
fn python_into_spawn() {
    Python::attach(|py| {
        let here = py.none().is_none();
        // Wait detached: the other thread must be able to attach meanwhile.
        let there = py.detach(|| {
            thread::spawn(|| Python::attach(|py| py.none().is_none()))
                .join()
                .unwrap()
        });
        assert!(here && there);
    });
}

/// `bound_into_spawn`: unbind to a `Py`, bind again on the other thread.
#[test]
fn bound_into_spawn() {
    Python::attach(|py| {
        let obj = py.eval("[1, 2, 3]", None, None).unwrap().unbind();
        let len = py.detach(|| {
            thread::spawn(move || Python::attach(|py| obj.bind(py).len().unwrap()))
                .join()
                .unwrap()
        });
        assert_eq!(len, 3);
    });
}

/// `bound_into_scope_spawn`: a scoped thread borrows a `Py`, not a `Bound`.
#[test]
fn bound_into_scope_spawn() {
    let obj = Python::attach(|py| py.eval("'spam'", None, None).unwrap().unbind());
    thread::scope(|s| {
        s.spawn(|| Python::attach(|py| assert_eq!(obj.bind(py).len().unwrap(), 4)));
    });
}

/// `borrowed_into_spawn`: a `Borrowed` becomes a `Py` first.
#[test]
fn borrowed_into_spawn() {
    Python::attach(|py| {
        let obj = py.eval("(1, 2)", None, None).unwrap();
        let owned: Py<PyAny> = obj.as_borrowed().to_owned().unbind();
        let len = py.detach(|| {
            thread::spawn(move || Python::attach(|py| owned.bind(py).len().unwrap()))
                .join()
                .unwrap()
        });
        assert_eq!(len, 2);
    });
}

/// `pyref_into_spawn`: send the object, borrow it on the other thread.
#[test]
fn pyref_into_spawn() {
    Python::attach(|py| {
        let counter: Py<Counter> = new_counter(py, 5).unbind();
        let seen = py.detach(|| {
            thread::spawn(move || {
                Python::attach(|py| counter.bind(py).borrow().count.load(Ordering::Relaxed))
            })
            .join()
            .unwrap()
        });
        assert_eq!(seen, 5);
    });
}

/// `pyrefmut_into_spawn`: send the object, borrow it exclusively there.
#[test]
fn pyrefmut_into_spawn() {
    Python::attach(|py| {
        let counter = Bound::new(py, MutCounter { count: 0 }).unwrap();
        let shared = counter.clone().unbind();
        py.detach(|| {
            thread::spawn(move || Python::attach(|py| shared.bind(py).borrow_mut().count += 1))
                .join()
                .unwrap();
        });
        assert_eq!(counter.borrow().count, 1);
    });
}

/// `bound_through_channel`: channels carry `Py`.
#[test]
fn bound_through_channel() {
    let (tx, rx) = mpsc::channel::<Py<PyAny>>();
    // The worker waits for the object detached, so the sender can attach.
    let worker = thread::spawn(move || {
        Python::attach(move |py| {
            let received = py.detach(move || rx.recv().unwrap());
            received.bind(py).is_none()
        })
    });
    Python::attach(|py| tx.send(py.none().unbind()).unwrap());
    assert!(worker.join().unwrap());
}

/// `bound_in_static`: a `static` holds a `Py`.
#[test]
fn bound_in_static() {
    static NONE: OnceLock<Py<PyAny>> = OnceLock::new();
    Python::attach(|py| {
        let none = NONE.get_or_init(|| py.none().unbind());
        assert!(none.bind(py).is_none());
    });
    let from_other_thread =
        thread::spawn(|| Python::attach(|py| NONE.get().unwrap().bind(py).is_none()));
    assert!(from_other_thread.join().unwrap());
}

/// `bound_escapes_thread_local`: a `thread_local!` holds a `Py`.
#[test]
fn bound_escapes_thread_local() {
    thread_local! {
        static LAST: RefCell<Option<Py<PyAny>>> = const { RefCell::new(None) };
    }
    Python::attach(|py| LAST.with_borrow_mut(|last| *last = Some(py.none().unbind())));
    let is_none =
        Python::attach(|py| LAST.with_borrow(|last| last.as_ref().unwrap().bind(py).is_none()));
    assert!(is_none);
    LAST.with_borrow_mut(|last| *last = None);
}

/// `bound_returned_from_attach`: return a `Py` or a Rust value.
#[test]
fn bound_returned_from_attach() {
    let obj: Py<PyAny> = Python::attach(|py| py.eval("6 * 7", None, None).unwrap().unbind());
    let value: i64 = Python::attach(|py| obj.bind(py).extract().unwrap());
    assert_eq!(value, 42);
}

/// `detach_captures_bound`: extract the Rust data first, or capture a `Py`.
#[test]
fn detach_captures_bound() {
    Python::attach(|py| {
        let obj = py.eval("list(range(10))", None, None).unwrap();
        let values: Vec<i64> = obj.extract().unwrap();
        let keep: Py<PyAny> = obj.clone().unbind();
        let (sum, copy) = py.detach(|| (values.iter().sum::<i64>(), keep.clone()));
        assert_eq!(sum, 45);
        assert!(copy.bind(py).is(&obj));
    });
}

/// `detach_captures_python`: the detached closure attaches again if it
/// needs Python.
#[test]
fn detach_captures_python() {
    Python::attach(|py| {
        let answer = py.detach(|| {
            Python::attach(|py| {
                py.eval("40 + 2", None, None)
                    .unwrap()
                    .extract::<i64>()
                    .unwrap()
            })
        });
        assert_eq!(answer, 42);
    });
}

/// `detach_captures_borrowed`: a `Borrowed` becomes a `Py` or Rust data.
#[test]
fn detach_captures_borrowed() {
    Python::attach(|py| {
        let obj = py.eval("'abc'", None, None).unwrap();
        let text: String = obj.as_borrowed().extract().unwrap();
        let upper = py.detach(move || text.to_uppercase());
        assert_eq!(upper, "ABC");
    });
}

/// `detach_captures_pyref`: copy out of the guard, then detach.
#[test]
fn detach_captures_pyref() {
    Python::attach(|py| {
        let counter = new_counter(py, 7);
        let count = counter.borrow().count.load(Ordering::Relaxed);
        assert_eq!(py.detach(move || count * 6), 42);
    });
}

/// `block_on_captures_bound`: the future holds a `Py` and attaches where it
/// touches the list (the case's own loop, which crashed when it compiled).
#[test]
fn block_on_captures_bound() {
    Python::attach(|py| {
        let list = PyList::empty(py).unbind();
        for i in 0..1000 {
            block_on(async { Python::attach(|py| list.bind(py).append(i).unwrap()) });
        }
        let items: Vec<i64> = list.bind(py).extract().unwrap();
        assert_eq!(items, (0..1000).collect::<Vec<_>>());
    });
}

/// `block_on_captures_python`: the future attaches itself.
#[test]
fn block_on_captures_python() {
    Python::attach(|_py| {
        let is_none = block_on(async { Python::attach(|py| py.none().is_none()) });
        assert!(is_none);
    });
}

/// `block_on_output_bound`: the future gives a `Py`, bound again after.
#[test]
fn block_on_output_bound() {
    Python::attach(|py| {
        let answer: Py<PyAny> =
            block_on(async { Python::attach(|py| py.eval("6 * 7", None, None).unwrap().unbind()) });
        assert_eq!(answer.bind(py).extract::<i64>().unwrap(), 42);
    });
}

/// `default_class_cell_field`: an atomic instead of a `Cell`.
#[test]
fn default_class_cell_field() {
    #[pyclass]
    struct Hits {
        count: AtomicI32,
    }
    Python::attach(|py| {
        let hits = Bound::new(
            py,
            Hits {
                count: AtomicI32::new(0),
            },
        )
        .unwrap();
        hits.get().count.fetch_add(1, Ordering::Relaxed);
        assert_eq!(hits.get().count.load(Ordering::Relaxed), 1);
    });
}

/// `default_class_refcell_field`: `pyo3_ft::sync::Mutex` instead of `RefCell`.
#[test]
fn default_class_refcell_field() {
    #[pyclass]
    struct Log {
        lines: Mutex<Vec<String>>,
    }
    Python::attach(|py| {
        let log = Bound::new(
            py,
            Log {
                lines: Mutex::new(Vec::new()),
            },
        )
        .unwrap();
        log.get().lines.lock(py).push("spam".to_owned());
        assert_eq!(log.get().lines.lock(py).len(), 1);
    });
}

/// `default_class_rc_field`: `Arc` instead of `Rc`.
#[test]
fn default_class_rc_field() {
    #[pyclass]
    struct Config {
        values: Arc<Vec<i64>>,
    }
    Python::attach(|py| {
        let config = Bound::new(
            py,
            Config {
                values: Arc::new(vec![1, 2]),
            },
        )
        .unwrap();
        assert_eq!(config.get().values.len(), 2);
    });
}

/// `mutable_class_rc_field`: `Arc` in a `mutable` class, or `Rc` in an
/// `unsendable` one (pinned to its thread).
#[test]
fn mutable_class_rc_field() {
    #[pyclass(mutable)]
    struct Shared {
        values: Arc<Vec<i64>>,
    }
    #[pyclass(unsendable)]
    struct Local {
        values: Rc<Vec<i64>>,
    }
    Python::attach(|py| {
        let shared = Bound::new(
            py,
            Shared {
                values: Arc::new(vec![1]),
            },
        )
        .unwrap();
        shared.borrow_mut().values = Arc::new(vec![1, 2]);
        assert_eq!(shared.borrow().values.len(), 2);
        let local = Bound::new(
            py,
            Local {
                values: Rc::new(vec![1, 2, 3]),
            },
        )
        .unwrap();
        assert_eq!(local.borrow().values.len(), 3);
    });
}

/// `default_class_bound_field`: a class holds a `Py`.
#[test]
fn default_class_bound_field() {
    #[pyclass]
    struct Holder {
        callback: Py<PyAny>,
    }
    Python::attach(|py| {
        let callback = py.eval("lambda: 42", None, None).unwrap().unbind();
        let holder = Bound::new(py, Holder { callback }).unwrap();
        let result: i64 = holder
            .get()
            .callback
            .bind(py)
            .call0()
            .unwrap()
            .extract()
            .unwrap();
        assert_eq!(result, 42);
    });
}

/// `default_class_mutex_of_rc_field`: a `Mutex` of a `Send` value.
#[test]
fn default_class_mutex_of_rc_field() {
    #[pyclass]
    struct Cache {
        entries: Mutex<Arc<Vec<i64>>>,
    }
    Python::attach(|py| {
        let cache = Bound::new(
            py,
            Cache {
                entries: Mutex::new(Arc::new(vec![])),
            },
        )
        .unwrap();
        *cache.get().entries.lock(py) = Arc::new(vec![1, 2, 3]);
        assert_eq!(cache.get().entries.lock(py).len(), 3);
    });
}

/// `mut_self_on_default_class`: `&mut self` on a `mutable` class, called
/// from Python.
#[test]
fn mut_self_on_default_class() {
    Python::attach(|py| {
        let counter = Bound::new(py, MutCounter { count: 0 }).unwrap();
        counter.call_method0("incr").unwrap();
        counter.call_method0("incr").unwrap();
        assert_eq!(counter.borrow().count, 2);
    });
}

/// `mutex_guard_to_thread`: each thread locks for itself.
#[test]
fn mutex_guard_to_thread() {
    let total = Mutex::new(0i64);
    thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| Python::attach(|py| *total.lock(py) += 1));
        }
    });
    assert_eq!(total.into_inner(), 2);
}

/// `rwlock_guard_to_thread`: each thread takes its own read guard.
#[test]
fn rwlock_guard_to_thread() {
    let table = RwLock::new(vec![1i64, 2, 3]);
    let lens: Vec<usize> = thread::scope(|s| {
        let workers: Vec<_> = (0..2)
            .map(|_| s.spawn(|| Python::attach(|py| table.read(py).len())))
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    assert_eq!(lens, [3, 3]);
}

/// `guard_outlives_lock`: copy the value out while the lock lives.
#[test]
fn guard_outlives_lock() {
    Python::attach(|py| {
        let value = {
            let lock = Mutex::new(5i64);
            let guard = lock.lock(py);
            *guard
        };
        assert_eq!(value, 5);
    });
}

/// `Py<T>` is `Send + Sync` (no compile-fail twin): shared by reference
/// between scoped threads, moved into a spawned one, used from each.
#[test]
fn py_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Py<PyAny>>();
    assert_send_sync::<Py<Counter>>();

    let counter: Py<Counter> = Python::attach(|py| new_counter(py, 0).unbind());
    thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                Python::attach(|py| counter.bind(py).get().count.fetch_add(1, Ordering::Relaxed))
            });
        }
    });
    let moved = counter.clone();
    thread::spawn(move || {
        Python::attach(|py| moved.bind(py).get().count.fetch_add(1, Ordering::Relaxed))
    })
    .join()
    .unwrap();
    let total = Python::attach(|py| counter.bind(py).get().count.load(Ordering::Relaxed));
    assert_eq!(total, 3);
}
