//! The collector and `#[pyclass]` values: a `__traverse__` that breaks
//! its rules is reported and skipped, never a crash; base classes' and
//! Python subclasses' references are each visited exactly once; cycles
//! through a base class's value are collected. Scenarios that could crash
//! run in a child process.

use std::sync::atomic::{AtomicUsize, Ordering};

use pyo3_ft::prelude::*;
use pyo3_ft::pyclass::{PyTraverseError, PyVisit};
use pyo3_ft::sync::Mutex;
use pyo3_ft::{pyclass, pymethods};
use pyo3_ft_tests::run_child;

/// Holds a reference that its `__traverse__` wrongly clones (which attaches).
#[pyclass]
struct ClonesInTraverse {
    cached: Py<PyAny>,
}

#[pymethods]
impl ClonesInTraverse {
    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        let copy = self.cached.clone();
        visit.call(&copy)
    }
}

/// Runs Python code in its `__traverse__`.
#[pyclass]
struct RunsPythonInTraverse {
    cached: Py<PyAny>,
}

#[pymethods]
impl RunsPythonInTraverse {
    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        Python::attach(|py| py.run("print('inside the collector')", None, None)).unwrap();
        visit.call(&self.cached)
    }
}

/// Drops a reference inside `__traverse__` (taken out of a std mutex).
#[pyclass]
struct DropsInTraverse {
    cached: std::sync::Mutex<Option<Py<PyAny>>>,
}

#[pymethods]
impl DropsInTraverse {
    fn __traverse__(&self, _visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        let taken = self.cached.lock().unwrap().take();
        drop(taken);
        Ok(())
    }
}

#[test]
fn traverse_that_attaches_or_drops_is_reported_and_skipped() {
    let stderr = run_child("child_traverse_that_attaches_or_drops");
    for class in [
        "ClonesInTraverse",
        "RunsPythonInTraverse",
        "DropsInTraverse",
    ] {
        assert!(
            stderr.contains(&format!("{class}.__traverse__ panicked")),
            "no report for {class}:\n{stderr}"
        );
    }
    assert!(stderr.contains("inside __traverse__"), "{stderr}");
    assert!(!stderr.contains("inside the collector"), "{stderr}");
}

#[test]
#[ignore = "run in a child process by its parent test"]
fn child_traverse_that_attaches_or_drops() {
    Python::attach(|py| {
        let list = py.eval("[1, 2, 3]", None, None).unwrap();
        let objects = [
            Bound::new(
                py,
                ClonesInTraverse {
                    cached: list.clone().unbind(),
                },
            )
            .unwrap()
            .into_any(),
            Bound::new(
                py,
                RunsPythonInTraverse {
                    cached: list.clone().unbind(),
                },
            )
            .unwrap()
            .into_any(),
            Bound::new(
                py,
                DropsInTraverse {
                    cached: std::sync::Mutex::new(Some(list.clone().unbind())),
                },
            )
            .unwrap()
            .into_any(),
        ];
        for _ in 0..3 {
            py.run("import gc; gc.collect()", None, None).unwrap();
        }
        // Everything still works, and the references are intact.
        assert_eq!(list.len().unwrap(), 3);
        let before = list.get_refcnt();
        drop(objects);
        assert!(list.get_refcnt() < before);
    });
}

/// Counts the live instances of the classes below.
static LIVE: AtomicUsize = AtomicUsize::new(0);

/// A base class that holds a reference and reports it.
#[pyclass(subclass)]
struct Holder {
    held: Mutex<Option<Py<PyAny>>>,
}

impl Drop for Holder {
    fn drop(&mut self) {
        LIVE.fetch_sub(1, Ordering::SeqCst);
    }
}

#[pymethods]
impl Holder {
    fn hold(&self, py: Python<'_>, value: Py<PyAny>) {
        *self.held.lock(py) = Some(value);
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        match self.held.try_lock() {
            Some(held) => visit.call_opt(held.as_ref()),
            None => Ok(()),
        }
    }

    fn __clear__(&self) {
        if let Some(mut held) = self.held.try_lock() {
            held.take();
        }
    }
}

/// A subclass with a `__dict__` and no `__traverse__` of its own.
#[pyclass(extends = Holder, dict)]
struct DictHolder {}

/// A subclass with a `__traverse__` of its own.
#[pyclass(extends = Holder)]
struct TracedHolder {
    other: Mutex<Option<Py<PyAny>>>,
}

#[pymethods]
impl TracedHolder {
    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        match self.other.try_lock() {
            Some(other) => visit.call_opt(other.as_ref()),
            None => Ok(()),
        }
    }
}

fn holder() -> Holder {
    LIVE.fetch_add(1, Ordering::SeqCst);
    Holder {
        held: Mutex::new(None),
    }
}

#[test]
fn traverse_chains_the_base_class() {
    Python::attach(|py| {
        py.run("import gc; gc.collect()", None, None).unwrap();
        let start = LIVE.load(Ordering::SeqCst);
        for _ in 0..10 {
            // Each object holds itself through the base class's field only:
            // collectable exactly when the subclass reports the base's
            // references.
            let dict_holder = Bound::new(py, (DictHolder {}, holder())).unwrap();
            dict_holder
                .call_method1("hold", (dict_holder.clone(),))
                .unwrap();
            let traced = TracedHolder {
                other: Mutex::new(None),
            };
            let traced = Bound::new(py, (traced, holder())).unwrap();
            traced.call_method1("hold", (traced.clone(),)).unwrap();
        }
        assert_eq!(LIVE.load(Ordering::SeqCst), start + 20);
        py.run("import gc; gc.collect()", None, None).unwrap();
        assert_eq!(
            LIVE.load(Ordering::SeqCst),
            start,
            "cycles through a base class's value were not collected"
        );
    });
}

/// A base class for Python subclasses, reporting one reference.
#[pyclass(subclass)]
struct Referrer {
    held: Mutex<Option<Py<PyAny>>>,
}

#[pymethods]
impl Referrer {
    #[new]
    fn new() -> Self {
        Referrer {
            held: Mutex::new(None),
        }
    }

    fn hold(&self, py: Python<'_>, value: Py<PyAny>) {
        *self.held.lock(py) = Some(value);
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        match self.held.try_lock() {
            Some(held) => visit.call_opt(held.as_ref()),
            None => Ok(()),
        }
    }
}

#[test]
fn python_subclass_dict_and_type_are_visited_once() {
    Python::attach(|py| {
        let module = pyo3_ft::types::PyModule::new(py, "gcmod").unwrap();
        module.add_class::<Referrer>().unwrap();
        let globals = pyo3_ft::types::PyDict::new(py);
        globals
            .set_item("Referrer", module.getattr("Referrer").unwrap())
            .unwrap();
        py.run("class Sub(Referrer):\n    pass\n", Some(&globals), None)
            .unwrap();
        // A reference visited twice would make the collector subtract it
        // twice, so that an object still in use could look unreachable.
        let sub = py.eval("Sub()", Some(&globals), None).unwrap();
        let kept = py.eval("[1, 2, 3]", None, None).unwrap();
        let held = py.eval("[4, 5]", None, None).unwrap();
        sub.setattr("kept", &kept).unwrap();
        // Materialize the dict (3.13 may keep attributes inline until then).
        let _ = sub.getattr("__dict__").unwrap();
        sub.call_method1("hold", (held.clone(),)).unwrap();
        let referents = py
            .import("gc")
            .unwrap()
            .call_method1("get_referents", (sub.clone(),))
            .unwrap();
        let count = |object: &Bound<'_, PyAny>| {
            referents
                .try_iter()
                .unwrap()
                .filter(|item| item.as_ref().unwrap().is(object))
                .count()
        };
        let dict = sub.getattr("__dict__").unwrap();
        assert_eq!(count(&dict), 1, "the instance dict: {referents:?}");
        assert_eq!(count(&held), 1, "the base value's reference: {referents:?}");
        assert_eq!(
            count(&sub.get_type().into_any()),
            1,
            "the type: {referents:?}"
        );
    });
}

/// Traversals of an `Unsendable` value on its own thread and on others.
static OWN_THREAD_VISITS: AtomicUsize = AtomicUsize::new(0);
static FOREIGN_VISITS: AtomicUsize = AtomicUsize::new(0);

/// Its value is `!Send`; it records which thread traverses it.
#[pyclass(unsendable)]
struct ThreadBound {
    creator: std::thread::ThreadId,
    held: Py<PyAny>,
    _not_send: std::rc::Rc<()>,
}

#[pymethods]
impl ThreadBound {
    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        if std::thread::current().id() == self.creator {
            OWN_THREAD_VISITS.fetch_add(1, Ordering::SeqCst);
        } else {
            FOREIGN_VISITS.fetch_add(1, Ordering::SeqCst);
        }
        visit.call(&self.held)
    }
}

#[test]
fn unsendable_values_are_traversed_only_on_their_own_thread() {
    let collect = |py: Python<'_>| py.run("import gc; gc.collect()", None, None).unwrap();
    let (object, go, done) = {
        let (object_tx, object_rx) = std::sync::mpsc::channel();
        let (go_tx, go_rx) = std::sync::mpsc::channel::<Py<ThreadBound>>();
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            Python::attach(|py| {
                let value = ThreadBound {
                    creator: std::thread::current().id(),
                    held: py.eval("[]", None, None).unwrap().unbind(),
                    _not_send: std::rc::Rc::new(()),
                };
                object_tx.send(Py::new(py, value).unwrap()).unwrap();
                // The object comes back to be collected and freed here.
                let object = py.detach(move || go_rx.recv()).unwrap();
                collect(py);
                drop(object);
            });
            done_tx.send(()).unwrap();
        });
        (object_rx.recv().unwrap(), go_tx, done_rx)
    };
    Python::attach(|py| {
        for _ in 0..3 {
            collect(py);
        }
    });
    assert_eq!(
        FOREIGN_VISITS.load(Ordering::SeqCst),
        0,
        "traversed on another thread"
    );
    go.send(object).unwrap();
    done.recv().unwrap();
    assert!(
        OWN_THREAD_VISITS.load(Ordering::SeqCst) > 0,
        "never traversed on its own thread"
    );
}
