//! PyO3's `#[pyclass]` options and enums, used from Python: `get_all`,
//! `set_all`, `str`, `rename_all`, `sequence`, `mapping`, `from_py_object`,
//! `Py::get`, builtin bases (`extends = PyException`, `PyDict`, `PyList`),
//! C-like enums with `eq_int`, and enums with data, whose variants are
//! subclasses. Classes are qualified with the module that adds them.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};

use pyo3_ft::exceptions::{PyException, PyValueError};
use pyo3_ft::prelude::*;
use pyo3_ft::pyclass::{PyTraverseError, PyVisit};
use pyo3_ft::sync::Mutex;
use pyo3_ft::type_info::PyTypeInfo;
use pyo3_ft::types::{PyDict, PyList};

#[pyclass(frozen, get_all, eq, hash, str = "<{x}, {y}>", from_py_object)]
#[derive(Clone, PartialEq, Eq, Hash)]
struct Point {
    x: i64,
    y: i64,
}

#[pymethods]
impl Point {
    #[new]
    fn new(x: i64, y: i64) -> Self {
        Point { x, y }
    }
}

#[pyfunction]
fn norm(point: Point) -> i64 {
    point.x.abs() + point.y.abs()
}

#[pyclass(mutable, get_all, set_all, rename_all = "camelCase")]
struct Config {
    retry_count: u32,
}

#[pymethods]
impl Config {
    #[new]
    fn new() -> Self {
        Config { retry_count: 1 }
    }
}

#[pyclass(str)]
struct Money {
    cents: u64,
}

#[pymethods]
impl Money {
    #[new]
    fn new(cents: u64) -> Self {
        Money { cents }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "${}.{:02}", self.cents / 100, self.cents % 100)
    }
}

#[pyclass(sequence)]
struct Digits {}

#[pymethods]
impl Digits {
    #[new]
    fn new() -> Self {
        Digits {}
    }

    fn __len__(&self) -> usize {
        2
    }

    fn __getitem__(&self, index: isize) -> PyResult<isize> {
        match index {
            0 | 1 => Ok(index + 1),
            _ => Err(pyo3_ft::exceptions::PyIndexError::new_err("out of range")),
        }
    }
}

#[pyclass(mapping)]
struct Empty {}

#[pymethods]
impl Empty {
    #[new]
    fn new() -> Self {
        Empty {}
    }

    fn __len__(&self) -> usize {
        0
    }
}

#[pyclass(eq, eq_int)]
#[derive(PartialEq)]
enum Mode {
    Read,
    #[pyo3(name = "WRITE")]
    Write = 4,
}

#[pyclass(eq, hash, rename_all = "SCREAMING_SNAKE_CASE")]
#[derive(PartialEq, Eq, Hash, Clone)]
enum Event {
    KeyPress { key: char },
    MouseMove(i32, i32),
    WindowClosed {},
}

#[pyfunction]
fn first_event() -> Event {
    Event::MouseMove(3, 4)
}

#[pyclass(extends = PyException, get_all)]
struct CodedError {
    code: u16,
}

#[pymethods]
impl CodedError {
    #[new]
    fn new(code: u16) -> Self {
        CodedError { code }
    }
}

static HOLDERS_DROPPED: AtomicUsize = AtomicUsize::new(0);

#[pyclass(extends = PyValueError)]
struct Holder {
    held: Mutex<Option<Py<PyAny>>>,
}

impl Drop for Holder {
    fn drop(&mut self) {
        HOLDERS_DROPPED.fetch_add(1, Ordering::SeqCst);
    }
}

#[pymethods]
impl Holder {
    #[new]
    fn new() -> Self {
        Holder {
            held: Mutex::new(None),
        }
    }

    fn hold(&self, py: Python<'_>, object: Py<PyAny>) {
        *self.held.lock(py) = Some(object);
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

#[pyclass(extends = PyDict)]
struct Registry {}

#[pymethods]
impl Registry {
    #[new]
    fn new() -> Self {
        Registry {}
    }
}

#[pyclass(extends = PyList, get_all)]
struct Named {
    name: String,
}

#[pymethods]
impl Named {
    #[new]
    fn new(name: String) -> Self {
        Named { name }
    }
}

/// Runs `code` with the classes in a module named `options`.
fn run(py: Python<'_>, code: &str) -> PyResult<()> {
    let module = PyModule::new(py, "options")?;
    module.add_class::<Point>()?;
    module.add_class::<Config>()?;
    module.add_class::<Money>()?;
    module.add_class::<Digits>()?;
    module.add_class::<Empty>()?;
    module.add_class::<Mode>()?;
    module.add_class::<Event>()?;
    module.add_class::<CodedError>()?;
    module.add_class::<Holder>()?;
    module.add_class::<Registry>()?;
    module.add_class::<Named>()?;
    module.add_function(wrap_pyfunction!(norm, &module)?)?;
    module.add_function(wrap_pyfunction!(first_event))?;
    let globals = module.dict().copy()?;
    py.run(code, Some(&globals), None)
}

#[test]
fn get_all_set_all_str_and_rename_all() {
    Python::attach(|py| {
        run(
            py,
            "p = Point(1, -2)\n\
             assert (p.x, p.y, str(p)) == (1, -2, '<1, -2>')\n\
             assert p == Point(1, -2) and hash(p) == hash(Point(1, -2))\n\
             c = Config()\n\
             c.retryCount = 3\n\
             assert c.retryCount == 3 and not hasattr(c, 'retry_count')\n\
             assert str(Money(1234)) == '$12.34'\n",
        )
    })
    .unwrap();
}

#[test]
fn from_py_object_extracts_a_clone_and_py_get_reads_without_attaching() {
    let point = Python::attach(|py| {
        run(py, "assert norm(Point(3, -4)) == 7\n").unwrap();
        let point: Point = Bound::new(py, Point { x: 5, y: 6 })
            .unwrap()
            .into_any()
            .extract()
            .unwrap();
        assert_eq!((point.x, point.y), (5, 6));
        Py::new(py, point).unwrap()
    });
    let sum = std::thread::spawn(move || point.get().x + point.get().y)
        .join()
        .unwrap();
    assert_eq!(sum, 11);
}

#[test]
fn sequence_and_mapping_classes_match_their_patterns() {
    Python::attach(|py| {
        run(
            py,
            "match Digits():\n    case [a, b]: assert (a, b) == (1, 2)\n    case _: raise AssertionError('no sequence match')\n\
             assert list(Digits()) == [1, 2]\n\
             match Empty():\n    case [*_]: raise AssertionError('a mapping is no sequence')\n    case {}: pass\n    case _: raise AssertionError('no mapping match')\n",
        )
    })
    .unwrap();
}

#[test]
fn classes_are_qualified_with_the_module_that_adds_them() {
    Python::attach(|py| {
        run(
            py,
            "assert Point.__module__ == 'options' and Point.__qualname__ == 'Point'\n\
             assert Event.KEY_PRESS.__module__ == 'options'\n",
        )
    })
    .unwrap();
}

#[test]
fn c_like_enums_compare_with_ints_and_take_variant_names() {
    Python::attach(|py| {
        run(
            py,
            "assert Mode.Read == 0 and Mode.WRITE == 4 and Mode.Read != 4\n\
             assert Mode.Read == Mode.Read and Mode.Read != Mode.WRITE\n\
             assert repr(Mode.WRITE) == 'Mode.WRITE' and not hasattr(Mode, 'Write')\n\
             assert Mode.Read != 'Read'\n",
        )
    })
    .unwrap();
}

#[test]
fn enum_variants_with_data_are_subclasses_that_match_patterns() {
    Python::attach(|py| {
        run(
            py,
            "k = Event.KEY_PRESS(key='q')\n\
             assert isinstance(k, Event) and type(k) is Event.KEY_PRESS and k.key == 'q'\n\
             assert Event.MOUSE_MOVE.__match_args__ == ('_0', '_1')\n\
             assert Event.KEY_PRESS('q') == k and hash(Event.KEY_PRESS('q')) == hash(k)\n\
             e = first_event()\n\
             assert type(e) is Event.MOUSE_MOVE and (e._0, e._1) == (3, 4)\n\
             assert len(e) == 2 and (e[0], e[-1]) == (3, 4)\n\
             match e:\n    case Event.MOUSE_MOVE(x, y): assert (x, y) == (3, 4)\n    case _: raise AssertionError('no match')\n\
             assert isinstance(Event.WINDOW_CLOSED(), Event)\n\
             try:\n    Event.KEY_PRESS()\nexcept TypeError as err:\n    assert 'key' in str(err), err\nelse:\n    raise AssertionError('missing argument accepted')\n\
             try:\n    Event()\nexcept TypeError:\n    pass\nelse:\n    raise AssertionError('the enum class itself was instantiated')\n",
        )
    })
    .unwrap();
}

#[test]
fn a_class_extends_exceptions_dict_and_list() {
    Python::attach(|py| {
        run(
            py,
            "try:\n    raise CodedError(404)\nexcept Exception as err:\n    assert err.code == 404 and err.args == ()\n\
             assert issubclass(Holder, ValueError)\n\
             r = Registry()\n\
             r['a'] = 1\n\
             assert isinstance(r, dict) and dict(r) == {'a': 1}\n\
             n = Named('xs')\n\
             n.extend([1, 2])\n\
             assert isinstance(n, list) and list(n) == [1, 2] and n.name == 'xs'\n",
        )
    })
    .unwrap();
}

/// `gc.collect()` returns at once while another thread (another test)
/// collects, so it is retried until the cycle is gone, for at most 10 s.
#[test]
fn an_exception_subclass_in_a_cycle_is_collected() {
    let before = HOLDERS_DROPPED.load(Ordering::SeqCst);
    Python::attach(|py| {
        run(
            py,
            "import gc, time, weakref\n\
             class Marker:\n    pass\n\
             h, m = Holder(), Marker()\n\
             h.hold([h, m])\n\
             alive = weakref.ref(m)\n\
             del h, m\n\
             deadline = time.monotonic() + 10\n\
             while alive() is not None and time.monotonic() < deadline:\n    gc.collect()\n    time.sleep(0.001)\n\
             assert alive() is None, 'the cycle was not collected'\n",
        )
    })
    .unwrap();
    assert_eq!(HOLDERS_DROPPED.load(Ordering::SeqCst) - before, 1);
}

#[test]
fn a_variant_value_created_from_rust_is_an_instance_of_its_variant_class() {
    Python::attach(|py| {
        let key = Bound::new(py, Event::KeyPress { key: 'k' })?;
        let class = key.as_any().get_type();
        assert_eq!(class.getattr("__name__")?.extract::<String>()?, "KEY_PRESS");
        assert!(key.as_any().is_instance(Event::type_object(py).as_any())?);
        let closed = Py::new(py, Event::WindowClosed {})?;
        let name: String = closed
            .bind(py)
            .as_any()
            .get_type()
            .getattr("__name__")?
            .extract()?;
        assert_eq!(name, "WINDOW_CLOSED");
        Ok::<_, PyErr>(())
    })
    .unwrap();
}
