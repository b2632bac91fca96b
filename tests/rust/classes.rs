//! `#[pyclass]` options used from Python: Rust base classes (`extends`),
//! `dict`, `weakref`, class attributes of the class's own type, C-like
//! enums, and reference cycles through Rust values collected by the GC.

use std::sync::atomic::{AtomicUsize, Ordering};

use pyo3_ft::prelude::*;
use pyo3_ft::pyclass::{PyTraverseError, PyVisit};
use pyo3_ft::sync::Mutex;
use pyo3_ft::types::PyModule;
use pyo3_ft::{pyclass, pymethods};

#[pyclass(subclass)]
struct Base {
    #[py(get)]
    a: i64,
}

#[pymethods]
impl Base {
    #[new]
    fn new(a: i64) -> Self {
        Base { a }
    }

    fn doubled(&self) -> i64 {
        2 * self.a
    }
}

#[pyclass(extends = Base)]
struct Sub {
    #[py(get)]
    b: i64,
}

#[pymethods]
impl Sub {
    #[new]
    fn new(a: i64, b: i64) -> (Self, Base) {
        (Sub { b }, Base { a })
    }
}

#[pyclass(dict, weakref)]
struct Open {}

#[pymethods]
impl Open {
    #[new]
    fn new() -> Self {
        Open {}
    }
}

#[pyclass]
struct Unit {
    #[py(get)]
    value: u8,
}

#[pymethods]
impl Unit {
    #[classattr]
    #[allow(non_snake_case)]
    fn ONE() -> Unit {
        Unit { value: 1 }
    }
}

#[pyclass]
enum Color {
    Red,
    Green,
}

static NODES_DROPPED: AtomicUsize = AtomicUsize::new(0);

#[pyclass(weakref)]
struct Node {
    next: Mutex<Option<Py<PyAny>>>,
}

impl Drop for Node {
    fn drop(&mut self) {
        NODES_DROPPED.fetch_add(1, Ordering::SeqCst);
    }
}

#[pymethods]
impl Node {
    #[new]
    fn new() -> Self {
        Node {
            next: Mutex::new(None),
        }
    }

    fn link(&self, py: Python<'_>, next: Bound<'_, PyAny>) {
        *self.next.lock(py) = Some(next.unbind());
    }

    fn __clear__(&self) {
        if let Some(mut next) = self.next.try_lock() {
            next.take();
        }
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        match self.next.try_lock() {
            Some(next) => visit.call_opt(next.as_ref()),
            None => Ok(()),
        }
    }
}

/// Runs `code` with the classes in scope.
fn run(py: Python<'_>, code: &str) -> PyResult<()> {
    let module = PyModule::new(py, "classes")?;
    module.add_class::<Base>()?;
    module.add_class::<Sub>()?;
    module.add_class::<Open>()?;
    module.add_class::<Unit>()?;
    module.add_class::<Color>()?;
    module.add_class::<Node>()?;
    let globals = module.dict().copy()?;
    py.run(code, Some(&globals), None)
}

#[test]
fn a_rust_subclass_has_both_values_and_inherits_methods() {
    Python::attach(|py| {
        run(
            py,
            "s = Sub(3, 4)\n\
             assert (s.a, s.b, s.doubled()) == (3, 4, 6)\n\
             assert isinstance(s, Base) and issubclass(Sub, Base)\n\
             class PySub(Base):\n    pass\n\
             assert PySub(5).doubled() == 10\n",
        )
    })
    .unwrap();
}

#[test]
fn dict_and_weakref_classes_work() {
    Python::attach(|py| {
        run(
            py,
            "import weakref, gc\n\
             o = Open()\n\
             o.x = 5\n\
             assert o.__dict__ == {'x': 5} and vars(o) == {'x': 5}\n\
             r = weakref.ref(o)\n\
             assert r() is o\n\
             del o\n\
             gc.collect()\n\
             assert r() is None\n",
        )
    })
    .unwrap();
}

#[test]
fn a_class_attribute_may_be_an_instance_of_its_class() {
    Python::attach(|py| {
        run(
            py,
            "assert Unit.ONE.value == 1 and isinstance(Unit.ONE, Unit)\n",
        )
    })
    .unwrap();
}

#[test]
fn enums_have_variants_reprs_and_ints() {
    Python::attach(|py| {
        run(
            py,
            "assert repr(Color.Red) == 'Color.Red' and int(Color.Green) == 1\n\
             assert Color.Red is Color.Red and Color.Red != Color.Green\n",
        )
    })
    .unwrap();
}

/// `gc.collect()` returns at once while another thread (another test)
/// collects, so it is retried until the cycle is gone, for at most 10 s.
#[test]
fn a_cycle_through_rust_values_is_collected() {
    let before = NODES_DROPPED.load(Ordering::SeqCst);
    Python::attach(|py| {
        run(
            py,
            "import gc, weakref\n\
             a, b = Node(), Node()\n\
             a.link(b)\n\
             b.link(a)\n\
             ra = weakref.ref(a)\n\
             del a, b\n\
             import time\n\
             deadline = time.monotonic() + 10\n\
             while ra() is not None and time.monotonic() < deadline:\n    gc.collect()\n    time.sleep(0.001)\n\
             assert ra() is None, 'the cycle was not collected'\n",
        )
    })
    .unwrap();
    assert_eq!(NODES_DROPPED.load(Ordering::SeqCst) - before, 2);
}
