//! PyO3's spellings of functions and methods, used from Python:
//! `#[pyo3(...)]` options, receivers under any name and type, named
//! lifetimes, `from_py_with`, `text_signature`, the attribute, power,
//! in-place and async magic methods, `#[deleter]`, `#[new]` with
//! `#[classmethod]`, `#[classattr]` constants, and a class whose methods
//! come from several `#[pymethods]` blocks.

use std::sync::atomic::{AtomicI64, Ordering};

use pyo3_ft::exceptions::PyAttributeError;
use pyo3_ft::prelude::*;
use pyo3_ft::sync::Mutex;
use pyo3_ft::types::{PyDict, PyModule, PyString, PyTuple, PyType};
use pyo3_ft::{pyclass, pyfunction, pymethods};

fn length(object: &Bound<'_, PyAny>) -> PyResult<usize> {
    object.len()
}

#[pyfunction]
#[pyo3(name = "measure", signature = (items, scale = 1), text_signature = "(items, scale=1)")]
fn measure_items(#[pyo3(from_py_with = length)] items: usize, scale: usize) -> usize {
    items * scale
}

#[pyfunction]
#[pyo3(signature = (*args, **kwargs))]
fn count_all(args: Bound<'_, PyTuple>, kwargs: Option<Bound<'_, PyDict>>) -> usize {
    args.len() + kwargs.map_or(0, |k| k.len())
}

#[pyfunction]
#[pyo3(signature = (value = None))]
fn describe(value: Option<&Bound<'_, PyAny>>) -> String {
    match value {
        Some(value) => format!("some {value}"),
        None => "nothing".to_owned(),
    }
}

/// Documented, without a signature line.
#[pyfunction]
#[pyo3(text_signature = None)]
fn quiet() {}

#[pyclass(mutable)]
struct Counter {
    #[pyo3(get, set, name = "count")]
    value: i64,
    label: Option<String>,
}

#[pymethods]
impl Counter {
    #[new]
    #[pyo3(signature = (start = 0))]
    fn new(start: i64) -> Self {
        Counter {
            value: start,
            label: None,
        }
    }

    fn bump<'py>(mut slf: PyRefMut<'py, Self>, by: i64) -> PyRefMut<'py, Self> {
        slf.value += by;
        slf
    }

    fn peek(self_: PyRef<'_, Self>) -> i64 {
        self_.value
    }

    fn same(pyself: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> bool {
        pyself.is(other)
    }

    fn owned(this: Bound<'_, Self>) -> i64 {
        this.borrow().value
    }

    fn stored(slf: Py<Self>, py: Python<'_>) -> i64 {
        slf.bind(py).borrow().value
    }

    #[pyo3(name = "__repr__")]
    fn show(&self) -> String {
        format!("Counter({})", self.value)
    }

    #[getter]
    fn label(&self) -> Option<String> {
        self.label.clone()
    }

    #[setter]
    fn set_label(&mut self, label: String) {
        self.label = Some(label);
    }

    #[deleter]
    fn delete_label(&mut self) {
        self.label = None;
    }

    fn __iadd__(&mut self, other: i64) {
        self.value += other;
    }

    fn __isub__(&mut self, other: PyRef<'_, Self>) {
        self.value -= other.value;
    }

    fn __ipow__(&mut self, exponent: u32, _modulo: Option<i64>) {
        self.value = self.value.pow(exponent);
    }
}

#[pymethods]
impl Counter {
    #[classattr]
    const ZERO: i64 = 0;

    #[classattr]
    #[pyo3(name = "UNIT")]
    const ONE: i64 = 1;

    fn doubled(&self) -> i64 {
        2 * self.value
    }

    fn __pow__(&self, exponent: u32, modulo: Option<i64>) -> i64 {
        let power = self.value.pow(exponent);
        modulo.map_or(power, |m| power % m)
    }

    fn __rpow__(&self, base: i64, _modulo: Option<i64>) -> i64 {
        base.pow(self.value as u32)
    }

    fn __add__(&self, other: &Self) -> i64 {
        self.value + other.value
    }
}

#[pyclass(subclass)]
struct Made {
    #[pyo3(get)]
    kind: String,
}

#[pymethods]
impl Made {
    #[new]
    #[classmethod]
    fn new(cls: &Bound<'_, PyType>) -> PyResult<Self> {
        Ok(Made {
            kind: cls.name()?.to_string(),
        })
    }
}

#[pyclass]
struct Record {
    extra: Mutex<Vec<(String, i64)>>,
}

#[pymethods]
impl Record {
    #[new]
    fn new() -> Self {
        Record {
            extra: Mutex::new(Vec::new()),
        }
    }

    fn __getattr__(&self, py: Python<'_>, name: &str) -> PyResult<i64> {
        let extra = self.extra.lock(py);
        match extra.iter().find(|(n, _)| n == name) {
            Some((_, value)) => Ok(*value),
            None => Err(PyAttributeError::new_err(format!(
                "'Record' object has no attribute '{name}'"
            ))),
        }
    }

    fn __setattr__(&self, py: Python<'_>, name: String, value: i64) {
        let mut extra = self.extra.lock(py);
        extra.retain(|(n, _)| *n != name);
        extra.push((name, value));
    }

    fn __delattr__(&self, py: Python<'_>, name: &str) -> PyResult<()> {
        let mut extra = self.extra.lock(py);
        let before = extra.len();
        extra.retain(|(n, _)| n != name);
        if extra.len() == before {
            return Err(PyAttributeError::new_err(name.to_owned()));
        }
        Ok(())
    }

    fn known(&self, py: Python<'_>) -> usize {
        self.extra.lock(py).len()
    }
}

#[pyclass]
struct Shout;

#[pymethods]
impl Shout {
    #[new]
    fn new() -> Self {
        Shout
    }

    fn __getattribute__(&self, name: Bound<'_, PyString>) -> PyResult<String> {
        Ok(name.to_str()?.to_uppercase())
    }
}

static INITIALIZED: AtomicI64 = AtomicI64::new(0);

#[pyclass(subclass)]
struct Initialized {
    value: AtomicI64,
}

#[pymethods]
impl Initialized {
    #[new]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn new(_args: &Bound<'_, PyTuple>, _kwargs: Option<&Bound<'_, PyDict>>) -> Self {
        Initialized {
            value: AtomicI64::new(0),
        }
    }

    #[pyo3(signature = (value, *, twice = false))]
    fn __init__(&self, value: i64, twice: bool) {
        INITIALIZED.fetch_add(1, Ordering::SeqCst);
        let value = if twice { 2 * value } else { value };
        self.value.store(value, Ordering::SeqCst);
    }

    #[getter]
    fn value(&self) -> i64 {
        self.value.load(Ordering::SeqCst)
    }
}

#[pyclass]
struct Countdown {
    left: AtomicI64,
}

#[pymethods]
impl Countdown {
    #[new]
    fn new(from: i64) -> Self {
        Countdown {
            left: AtomicI64::new(from),
        }
    }

    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&self) -> PyResult<i64> {
        let left = self.left.fetch_sub(1, Ordering::SeqCst);
        if left <= 0 {
            return Err(pyo3_ft::exceptions::PyStopIteration::new_err(()));
        }
        Ok(left)
    }

    fn __aiter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    /// Each step is an already-finished awaitable: the `Ready` below.
    fn __anext__(&self) -> Option<Ready> {
        let left = self.left.fetch_sub(1, Ordering::SeqCst);
        (left > 0).then_some(Ready { value: left })
    }
}

/// An awaitable that finishes at once with `value`.
#[pyclass]
struct Ready {
    value: i64,
}

#[pymethods]
impl Ready {
    fn __await__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&self) -> PyResult<Option<i64>> {
        Err(pyo3_ft::exceptions::PyStopIteration::new_err((self.value,)))
    }
}

/// `__add__` and `__radd__` fill one slot, so they must share a block.
#[pyclass]
struct Split;

#[pymethods]
impl Split {
    fn __add__(&self, other: i64) -> i64 {
        other
    }
}

#[pymethods]
impl Split {
    fn __radd__(&self, other: i64) -> i64 {
        other
    }
}

/// Runs `code` with the functions and classes in scope.
fn run(py: Python<'_>, code: &str) -> PyResult<()> {
    let module = PyModule::new(py, "spelling")?;
    module.add_function(pyo3_ft::wrap_pyfunction!(measure_items, &module)?)?;
    module.add_function(pyo3_ft::wrap_pyfunction!(count_all, &module)?)?;
    module.add_function(pyo3_ft::wrap_pyfunction!(describe, &module)?)?;
    module.add_function(pyo3_ft::wrap_pyfunction!(quiet, &module)?)?;
    module.add_class::<Counter>()?;
    module.add_class::<Made>()?;
    module.add_class::<Record>()?;
    module.add_class::<Shout>()?;
    module.add_class::<Initialized>()?;
    module.add_class::<Countdown>()?;
    module.add_class::<Ready>()?;
    let globals = module.dict().copy()?;
    py.run(code, Some(&globals), None)
}

fn check(code: &str) {
    Python::attach(|py| run(py, code)).unwrap_or_else(|err| panic!("{err}"));
}

#[test]
fn pyo3_options_on_functions_name_signature_text_signature_and_from_py_with() {
    check(
        "import inspect\n\
         assert measure([1, 2, 3]) == 3 and measure('ab', scale=5) == 10\n\
         assert str(inspect.signature(measure)) == '(items, scale=1)'\n\
         try:\n    measure(5)\nexcept TypeError as e:\n    assert str(e).startswith(\"argument 'items':\"), e\nelse:\n    raise AssertionError\n\
         assert count_all(1, 2, a=3) == 3 and count_all() == 0\n\
         assert describe() == 'nothing' and describe(4) == 'some 4'\n\
         assert quiet.__text_signature__ is None and quiet.__doc__ == 'Documented, without a signature line.'\n",
    );
}

#[test]
fn receivers_under_any_name_and_type_with_named_lifetimes() {
    check(
        "c = Counter(2)\n\
         assert c.bump(3) is c and c.count == 5\n\
         assert c.peek() == 5 and c.owned() == 5 and c.stored() == 5\n\
         assert c.same(c) and not c.same(1) and repr(c) == 'Counter(5)'\n\
         c.count = 7\n\
         assert c.doubled() == 14\n",
    );
}

#[test]
fn deleter_setter_and_getter_make_one_property() {
    check(
        "c = Counter()\n\
         assert c.label is None\n\
         c.label = 'x'\n\
         assert c.label == 'x'\n\
         del c.label\n\
         assert c.label is None\n",
    );
}

#[test]
fn power_reflected_power_and_in_place_operators() {
    check(
        "c = Counter(3)\n\
         assert c ** 2 == 9 and pow(c, 2, 5) == 4 and 2 ** c == 8\n\
         assert c + Counter(4) == 7\n\
         d = c\n\
         d += 4\n\
         assert d is c and c.count == 7\n\
         d -= Counter(2)\n\
         assert c.count == 5\n\
         d **= 2\n\
         assert c.count == 25\n\
         try:\n    d += 'x'\nexcept TypeError:\n    pass\nelse:\n    raise AssertionError\n",
    );
}

#[test]
fn class_attributes_from_constants_and_methods_from_two_blocks() {
    check(
        "assert Counter.ZERO == 0 and Counter.UNIT == 1\n\
         assert Counter(4).doubled() == 8 and Counter(4).peek() == 4\n",
    );
}

#[test]
fn new_with_classmethod_receives_the_subclass() {
    check(
        "class Child(Made):\n    pass\n\
         assert Made().kind == 'Made' and Child().kind == 'Child'\n",
    );
}

#[test]
fn attribute_access_methods() {
    check(
        "r = Record()\n\
         r.x = 4\n\
         assert r.x == 4 and r.known() == 1\n\
         del r.x\n\
         assert r.known() == 0\n\
         try:\n    r.x\nexcept AttributeError:\n    pass\nelse:\n    raise AssertionError\n\
         assert Shout().hello == 'HELLO'\n",
    );
}

#[test]
fn init_runs_after_new_with_its_own_signature() {
    let before = INITIALIZED.load(Ordering::SeqCst);
    check(
        "assert Initialized(4).value == 4 and Initialized(4, twice=True).value == 8\n\
         class Sub(Initialized):\n    pass\n\
         assert Sub(3).value == 3\n",
    );
    assert_eq!(INITIALIZED.load(Ordering::SeqCst) - before, 3);
}

#[test]
fn next_returning_a_value_and_anext_await_and_aiter() {
    check(
        "assert list(Countdown(3)) == [3, 2, 1]\n\
         import asyncio\n\
         async def collect():\n    return [v async for v in Countdown(3)]\n\
         assert asyncio.run(collect()) == [3, 2, 1]\n",
    );
}

#[test]
fn two_blocks_filling_one_slot_make_class_creation_fail() {
    Python::attach(|py| {
        let module = PyModule::new(py, "split").unwrap();
        let err = module.add_class::<Split>().unwrap_err();
        assert!(err.is_instance_of::<pyo3_ft::exceptions::PyTypeError>(py));
        assert!(
            err.to_string().contains("from two #[pymethods] blocks"),
            "{err}"
        );
    });
}
