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

#[pyclass(unsendable)]
struct Local {
    values: std::rc::Rc<std::cell::RefCell<Vec<i64>>>,
}

#[pymethods]
impl Local {
    #[new]
    fn new() -> Self {
        Local {
            values: Default::default(),
        }
    }

    fn push(&mut self, value: i64) {
        self.values.borrow_mut().push(value);
    }

    fn push_with(&mut self, f: &Bound<'_, PyAny>) -> PyResult<()> {
        let value = f.call0()?.extract()?;
        self.push(value);
        Ok(())
    }

    fn len(&self) -> usize {
        self.values.borrow().len()
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
    module.add_class::<Local>()?;
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

#[test]
fn an_unsendable_object_raises_on_other_threads_and_on_reentry() {
    let local: Py<Local> = Python::attach(|py| {
        let local = Bound::new(py, Local::new()).unwrap();
        local.borrow_mut().push(1);
        // `&mut self` re-entered on its own thread: RuntimeError, not aliasing.
        let err = local
            .as_any()
            .call_method1("push_with", (local.getattr("len").unwrap(),))
            .unwrap_err();
        assert!(
            err.is_instance_of::<pyo3_ft::exceptions::PyRuntimeError>(py),
            "{err}"
        );
        local.unbind()
    });
    let moved = local.clone();
    let (from_python, from_rust) = std::thread::spawn(move || {
        Python::attach(|py| {
            let bound = moved.bind(py);
            let from_python = bound.as_any().call_method1("push", (2,)).unwrap_err();
            let from_rust = bound.try_borrow().err().map(|e| e.to_string());
            (from_python.to_string(), from_rust)
        })
    })
    .join()
    .unwrap();
    assert!(
        from_python.starts_with("RuntimeError") && from_python.contains("another thread"),
        "{from_python}"
    );
    assert!(from_rust.is_some_and(|e| e.contains("unsendable")));
    Python::attach(|py| assert_eq!(local.bind(py).borrow().len(), 1));
}

static PINNED_DROPPED: AtomicUsize = AtomicUsize::new(0);

#[pyclass(unsendable)]
struct Pinned {
    _not_send: std::marker::PhantomData<*mut ()>,
}

impl Drop for Pinned {
    fn drop(&mut self) {
        PINNED_DROPPED.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn an_unsendable_object_freed_on_another_thread_is_leaked_not_dropped() {
    let make = || {
        Python::attach(|py| {
            Bound::new(
                py,
                Pinned {
                    _not_send: Default::default(),
                },
            )
            .unwrap()
            .unbind()
        })
    };
    let here = make();
    Python::attach(|_py| drop(here));
    assert_eq!(
        PINNED_DROPPED.load(Ordering::SeqCst),
        1,
        "dropped on its own thread"
    );
    // Freed on a thread that did not create it: the `!Send` value must not
    // be dropped there; it is leaked and the process goes on.
    let there = make();
    std::thread::spawn(move || Python::attach(|_py| drop(there)))
        .join()
        .unwrap();
    assert_eq!(
        PINNED_DROPPED.load(Ordering::SeqCst),
        1,
        "dropped on a foreign thread"
    );
}

/// Set by `Ledger.add` just before it panics; any `add` that gets the lock
/// afterwards counts a violation of the poisoning rule.
static LEDGER_PANICKED: AtomicUsize = AtomicUsize::new(0);
static LEDGER_AFTER_PANIC: AtomicUsize = AtomicUsize::new(0);

#[pyclass(mutable)]
struct Ledger {
    entries: Vec<i64>,
    total: i64,
}

#[pymethods]
impl Ledger {
    #[new]
    fn new() -> Self {
        Ledger {
            entries: Vec::new(),
            total: 0,
        }
    }

    /// Half-updates the ledger, then panics on a negative amount.
    fn add(&mut self, amount: i64) {
        if LEDGER_PANICKED.load(Ordering::SeqCst) != 0 {
            LEDGER_AFTER_PANIC.fetch_add(1, Ordering::SeqCst);
        }
        self.entries.push(amount);
        if amount < 0 {
            LEDGER_PANICKED.store(1, Ordering::SeqCst);
            panic!("negative amount {amount}");
        }
        self.total += amount;
    }

    fn total(&self) -> i64 {
        self.total
    }
}

#[pyclass(unsendable)]
struct Tally {
    count: i64,
}

#[pymethods]
impl Tally {
    #[new]
    fn new() -> Self {
        Tally { count: 0 }
    }

    fn bump(&mut self, fail: bool) {
        self.count += 1;
        assert!(!fail, "bump failed half-way");
    }

    fn count(&self) -> i64 {
        self.count
    }
}

#[test]
fn a_panic_in_a_mut_self_method_poisons_the_object() {
    Python::attach(|py| {
        let module = PyModule::new(py, "poison").unwrap();
        module.add_class::<Ledger>().unwrap();
        module.add_class::<Tally>().unwrap();
        let globals = module.dict().copy().unwrap();
        py.run(
            r#"
for cls, ok, bad, read in ((Ledger, 1, -1, "total"), (Tally, False, True, "count")):
    obj, other = cls(), cls()
    step = getattr(obj, "add" if cls is Ledger else "bump")
    step(ok)
    try:
        step(bad)
    except BaseException as e:
        assert type(e).__name__ == "PanicException", repr(e)
        assert "negative amount" in str(e) or "half-way" in str(e), e
    else:
        raise AssertionError("no panic")
    for call in (lambda: getattr(obj, read)(), lambda: step(ok)):
        try:
            call()
        except RuntimeError as e:
            assert "panicked while it held the object exclusively" in str(e), e
            assert "poisoned" in str(e), e
        else:
            raise AssertionError("a poisoned object was used")
    # Other objects of the class are untouched.
    getattr(other, "add" if cls is Ledger else "bump")(ok)
    assert getattr(other, read)() == 1
"#,
            Some(&globals),
            None,
        )
        .unwrap();
        // From Rust, too.
        let ledger = Bound::new(py, Ledger::new()).unwrap();
        let err = ledger.as_any().call_method1("add", (-3,)).unwrap_err();
        assert!(err.to_string().contains("negative amount"), "{err}");
        let refused = ledger.try_borrow().err().expect("a poisoned borrow");
        assert!(
            refused.to_string().contains("Ledger.add() panicked"),
            "{refused}"
        );
    });
}

#[test]
fn no_thread_sees_a_ledger_after_a_panic_poisoned_it() {
    const THREADS: usize = 8;
    const CALLS: i64 = 500;
    LEDGER_PANICKED.store(0, Ordering::SeqCst);
    LEDGER_AFTER_PANIC.store(0, Ordering::SeqCst);
    let ledger: Py<Ledger> = Python::attach(|py| Bound::new(py, Ledger::new()).unwrap().unbind());
    let barrier = std::sync::Barrier::new(THREADS);
    let (ok, refused) = std::thread::scope(|s| {
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                let (ledger, barrier) = (&ledger, &barrier);
                s.spawn(move || {
                    barrier.wait();
                    let (mut ok, mut refused) = (0, 0);
                    for i in 0..CALLS {
                        let amount = if t == 0 && i == CALLS / 4 { -1 } else { 1 };
                        let outcome = Python::attach(|py| {
                            ledger
                                .bind(py)
                                .as_any()
                                .call_method1("add", (amount,))
                                .map(drop)
                                .map_err(|e| e.to_string())
                        });
                        match outcome {
                            Ok(_) => ok += 1,
                            Err(e) if e.contains("poisoned") => refused += 1,
                            Err(e) => assert!(e.contains("negative amount"), "{e}"),
                        }
                    }
                    (ok, refused)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().unwrap())
            .fold((0, 0), |(a, b), (c, d)| (a + c, b + d))
    });
    assert_eq!(LEDGER_PANICKED.load(Ordering::SeqCst), 1);
    assert_eq!(
        LEDGER_AFTER_PANIC.load(Ordering::SeqCst),
        0,
        "an add ran after the panic"
    );
    assert_eq!(ok + refused + 1, THREADS as i64 * CALLS);
    assert!(
        refused >= CALLS - CALLS / 4 - 1,
        "thread 0 alone is refused after its panic"
    );
}
