//! The object protocol on `Bound<PyAny>` and the methods of the builtin
//! types: each does what the Python operation does, and fails with the
//! exception Python raises.

use pyo3_ft::exceptions::{
    PyAttributeError, PyIndexError, PyKeyError, PyModuleNotFoundError, PySyntaxError, PyTypeError,
    PyValueError, PyZeroDivisionError,
};
use pyo3_ft::prelude::*;
use pyo3_ft::type_info::PyTypeInfo;
use pyo3_ft::types::{
    CompareOp, PyBool, PyBytes, PyDict, PyFloat, PyFrozenSet, PyInt, PyList, PyModule, PyNone,
    PySet, PyString, PyTuple, PyType,
};

/// A class exercising most of the protocol, in a namespace of its own.
const POINT: &str = "\
class Point:
    '''A 2-D point.'''
    class Unit:
        pass

    def __init__(self, x, y=0, *, scale=1):
        self.x = x * scale
        self.y = y * scale

    def norm2(self):
        return self.x ** 2 + self.y ** 2

    def shifted(self, dx, dy=0):
        return Point(self.x + dx, self.y + dy)

    def __repr__(self):
        return f'Point({self.x}, {self.y})'

    def __str__(self):
        return f'({self.x}, {self.y})'

    def __eq__(self, other):
        return isinstance(other, Point) and (self.x, self.y) == (other.x, other.y)

    def __lt__(self, other):
        return self.norm2() < other.norm2()

    def __hash__(self):
        return hash((self.x, self.y))

    def __len__(self):
        return 2

    def __iter__(self):
        yield self.x
        yield self.y

    def __contains__(self, value):
        return value in (self.x, self.y)

    def __getitem__(self, index):
        return (self.x, self.y)[index]

    def __setitem__(self, index, value):
        setattr(self, 'xy'[index], value)

    def __delitem__(self, index):
        setattr(self, 'xy'[index], 0)
";

/// Runs `code` in a new namespace and returns it.
fn run<'py>(py: Python<'py>, code: &str) -> Bound<'py, PyDict> {
    let globals = PyDict::new(py);
    py.run(code, Some(&globals), None)
        .unwrap_or_else(|err| panic!("running {code:?}: {err}"));
    globals
}

/// The `Point` class.
fn point_class(py: Python<'_>) -> Bound<'_, PyAny> {
    run(py, POINT).get_item("Point").unwrap().unwrap()
}

/// `Point(x, y)`, for a `Point` class from [`point_class`].
fn point<'py>(class: &Bound<'py, PyAny>, x: i64, y: i64) -> Bound<'py, PyAny> {
    class.call1((x, y)).unwrap()
}

/// Evaluates a Python expression.
fn eval<'py>(py: Python<'py>, expr: &str) -> Bound<'py, PyAny> {
    py.eval(expr, None, None)
        .unwrap_or_else(|err| panic!("evaluating {expr:?}: {err}"))
}

/// `result` failed with exception `E` and a message containing `message`.
#[track_caller]
fn assert_raises<E: PyTypeInfo, T: std::fmt::Debug>(result: PyResult<T>, message: &str) {
    let err = result.expect_err("expected an exception");
    Python::attach(|py| {
        assert!(
            err.is_instance_of::<E>(py),
            "expected {}, got {err}",
            E::NAME
        );
        assert!(py.take_error().is_none(), "the exception was left set");
    });
    let text = err.to_string();
    assert!(text.contains(message), "{text:?} lacks {message:?}");
}

/// Extracts an `i64`.
fn int(obj: PyResult<Bound<'_, PyAny>>) -> i64 {
    obj.unwrap().extract().unwrap()
}

#[test]
fn attributes_get_set_delete_and_test() {
    Python::attach(|py| {
        let class = point_class(py);
        let p = point(&class, 3, 4);
        assert_eq!(int(p.getattr("x")), 3);
        assert!(p.hasattr("x").unwrap());
        assert!(p.hasattr(intern!(py, "norm2")).unwrap());
        assert!(!p.hasattr("z").unwrap());
        assert!(p.getattr_opt("z").unwrap().is_none());
        assert_eq!(int(p.getattr_opt("y").map(Option::unwrap)), 4);
        assert_raises::<PyAttributeError, _>(p.getattr("z"), "'Point' object has no attribute 'z'");

        p.setattr("z", 5).unwrap();
        assert_eq!(int(p.getattr("z")), 5);
        p.delattr("z").unwrap();
        assert!(!p.hasattr("z").unwrap());
        assert_raises::<PyAttributeError, _>(p.delattr("z"), "z");
        assert_raises::<PyAttributeError, _>(eval(py, "1").setattr("real", 2), "real");

        let doc: String = class.getattr("__doc__").unwrap().extract().unwrap();
        assert_eq!(doc, "A 2-D point.");
    });
}

#[test]
fn calls_pass_positional_and_keyword_arguments() {
    Python::attach(|py| {
        let class = point_class(py);
        let kwargs = PyDict::new(py);
        kwargs.set_item("y", 4).unwrap();
        kwargs.set_item("scale", 10).unwrap();
        let p = class.call((3,), Some(&kwargs)).unwrap();
        assert_eq!(p.repr().unwrap().to_str().unwrap(), "Point(30, 40)");

        assert_eq!(int(p.call_method0("norm2")), 2500);
        assert_eq!(
            int(p.call_method1("shifted", (1,)).unwrap().getattr("x")),
            31
        );
        let dy = PyDict::new(py);
        dy.set_item("dy", -40).unwrap();
        let moved = p.call_method("shifted", (0,), Some(&dy)).unwrap();
        assert_eq!(moved.str().unwrap().to_str().unwrap(), "(30, 0)");

        assert!(eval(py, "dict").call0().unwrap().is_empty().unwrap());
        assert_eq!(int(eval(py, "max").call1((3, 9, 2))), 9);
        let base = PyDict::new(py);
        base.set_item("base", 16).unwrap();
        assert_eq!(int(eval(py, "int").call(("ff",), Some(&base))), 255);

        assert_raises::<PyTypeError, _>(
            class.call0(),
            "missing 1 required positional argument: 'x'",
        );
        assert_raises::<PyTypeError, _>(
            class.call1((1, 2, 3)),
            "takes from 2 to 3 positional arguments",
        );
        assert_raises::<PyTypeError, _>(eval(py, "1").call0(), "'int' object is not callable");
        assert_raises::<PyAttributeError, _>(p.call_method0("missing"), "missing");
        assert_raises::<PyZeroDivisionError, _>(eval(py, "divmod").call1((1, 0)), "by zero");
        assert!(class.is_callable());
        assert!(!p.is_callable());
    });
}

/// `PY_VECTORCALL_ARGUMENTS_OFFSET` lets CPython write into the caller's
/// argument array: a bound method called with a Rust tuple puts its `self`
/// in the slot in front of the arguments, and `call_method0` lends the slot
/// of `self` when the attribute found is a bound method of another object.
/// The calls must see exactly the arguments given, every time.
#[test]
fn vectorcall_scratch_slots_carry_the_right_self() {
    Python::attach(|py| {
        let ns = run(
            py,
            "
class Recorder:
    def __init__(self, name):
        self.name = name

    def record(self, *args):
        return (self.name, *args)

a = Recorder('a')
b = Recorder('b')
b.forward = a.record  # found on `b`, bound to `a`
",
        );
        let a = ns.get_item("a").unwrap().unwrap();
        let b = ns.get_item("b").unwrap().unwrap();
        let record = a.getattr("record").unwrap();
        for i in 0..1000i64 {
            let one: (String, i64) = record.call1((i,)).unwrap().extract().unwrap();
            assert_eq!(one, ("a".to_owned(), i));
            let three: (String, i64, String, f64) =
                record.call1((i, "x", 2.5)).unwrap().extract().unwrap();
            assert_eq!(three, ("a".to_owned(), i, "x".to_owned(), 2.5));
            let forwarded: (String,) = b.call_method0("forward").unwrap().extract().unwrap();
            assert_eq!(forwarded.0, "a");
            let own: (String,) = b.call_method0("record").unwrap().extract().unwrap();
            assert_eq!(own.0, "b");
        }
    });
}

#[test]
fn repr_and_str_follow_python() {
    Python::attach(|py| {
        let p = point(&point_class(py), 1, 2);
        assert_eq!(p.repr().unwrap().to_str().unwrap(), "Point(1, 2)");
        assert_eq!(p.str().unwrap().to_str().unwrap(), "(1, 2)");
        assert_eq!(format!("{p}"), "(1, 2)", "Display is str()");
        assert_eq!(format!("{p:?}"), "Point(1, 2)", "Debug is repr()");
        let text = "it's \"quoted\"".into_pyobject(py).unwrap();
        assert_eq!(
            text.repr().unwrap().to_str().unwrap(),
            r#"'it\'s "quoted"'"#
        );
        assert_eq!(text.str().unwrap().to_str().unwrap(), "it's \"quoted\"");
    });
}

#[test]
fn rich_comparisons_and_hash() {
    Python::attach(|py| {
        let one = 1.into_pyobject(py).unwrap();
        assert!(one.eq(1.0).unwrap());
        assert!(one.ne(2).unwrap());
        assert!(one.lt(2).unwrap());
        assert!(one.le(1).unwrap());
        assert!(one.gt(0).unwrap());
        assert!(one.ge(1).unwrap());
        assert!(!one.gt(1).unwrap());
        assert!(!one.eq("1").unwrap());
        assert_raises::<PyTypeError, _>(
            one.lt("1"),
            "'<' not supported between instances of 'int' and 'str'",
        );

        let class = point_class(py);
        let (near, far) = (point(&class, 1, 1), point(&class, 5, 5));
        assert!(near.lt(&far).unwrap());
        assert!(far.gt(&near).unwrap(), "reflected __lt__");
        assert!(near.eq(point(&class, 1, 1)).unwrap());
        assert!(
            !near.eq(point(&point_class(py), 1, 1)).unwrap(),
            "another class"
        );
        assert!(near.ne(&far).unwrap());
        for (op, expected) in [
            (CompareOp::Lt, true),
            (CompareOp::Eq, false),
            (CompareOp::Ne, true),
            (CompareOp::Gt, false),
        ] {
            let result = near.rich_compare(&far, op).unwrap();
            assert!(result.is_instance_of::<PyBool>());
            assert_eq!(result.is_truthy().unwrap(), expected, "{op:?}");
            assert_eq!(CompareOp::from_raw(op.as_raw()), Some(op));
        }
        assert_eq!(CompareOp::from_raw(99), None);

        assert_eq!(one.hash().unwrap(), 1);
        assert_eq!(eval(py, "-1").hash().unwrap(), -2, "CPython reserves -1");
        assert_eq!(near.hash().unwrap(), point(&class, 1, 1).hash().unwrap());
        let tuple_hash: isize = eval(py, "hash((1, 1))").extract().unwrap();
        assert_eq!(near.hash().unwrap(), tuple_hash);
        assert_raises::<PyTypeError, _>(eval(py, "[]").hash(), "unhashable type: 'list'");
    });
}

#[test]
fn len_iter_contains() {
    Python::attach(|py| {
        let p = point(&point_class(py), 7, 8);
        assert_eq!(p.len().unwrap(), 2);
        assert!(!p.is_empty().unwrap());
        assert!(eval(py, "''").is_empty().unwrap());
        assert_raises::<PyTypeError, _>(eval(py, "5").len(), "object of type 'int' has no len()");

        let items: Vec<i64> = p
            .try_iter()
            .unwrap()
            .map(|item| item.unwrap().extract().unwrap())
            .collect();
        assert_eq!(items, [7, 8]);
        let squares: Vec<i64> = eval(py, "(x * x for x in range(4))")
            .try_iter()
            .unwrap()
            .map(|item| item.unwrap().extract().unwrap())
            .collect();
        assert_eq!(squares, [0, 1, 4, 9]);
        assert_raises::<PyTypeError, _>(eval(py, "5").try_iter(), "'int' object is not iterable");

        let namespace = run(
            py,
            "def failing():\n    yield 1\n    raise ValueError('midway')\n",
        );
        let mut failing = namespace
            .get_item("failing")
            .unwrap()
            .unwrap()
            .call0()
            .unwrap()
            .try_iter()
            .unwrap();
        assert_eq!(int(failing.next().unwrap()), 1);
        assert_raises::<PyValueError, _>(failing.next().unwrap(), "midway");
        assert!(failing.next().is_none(), "exhausted after the error");

        assert!(p.contains(8).unwrap());
        assert!(!p.contains(9).unwrap());
        assert!(eval(py, "'haystack'").contains("st").unwrap());
        assert!(eval(py, "[1, 2, 3]").contains(3).unwrap());
        assert!(eval(py, "{'k': 1}").contains("k").unwrap());
        assert_raises::<PyTypeError, _>(eval(py, "5").contains(5), "argument of type 'int' is not");
    });
}

#[test]
fn items_get_set_delete() {
    Python::attach(|py| {
        let list = eval(py, "[10, 20, 30]");
        assert_eq!(int(list.get_item(0)), 10);
        assert_eq!(int(list.get_item(-1)), 30);
        list.set_item(1, 21).unwrap();
        list.del_item(0).unwrap();
        assert_eq!(list.extract::<Vec<i32>>().unwrap(), [21, 30]);
        assert_raises::<PyIndexError, _>(list.get_item(5), "list index out of range");
        assert_raises::<PyTypeError, _>(
            list.get_item("a"),
            "list indices must be integers or slices, not str",
        );

        let dict = eval(py, "{}");
        dict.set_item("k", "v").unwrap();
        assert_eq!(
            dict.get_item("k").unwrap().extract::<String>().unwrap(),
            "v"
        );
        dict.del_item("k").unwrap();
        assert_raises::<PyKeyError, _>(dict.get_item("k"), "'k'");
        assert_raises::<PyKeyError, _>(dict.del_item("k"), "'k'");
        assert_raises::<PyTypeError, _>(dict.set_item(vec![1], 1), "unhashable type: 'list'");

        let p = point(&point_class(py), 1, 2);
        p.set_item(0, 5).unwrap();
        p.del_item(1).unwrap();
        assert_eq!(int(p.get_item(0)), 5);
        assert_eq!(int(p.get_item(1)), 0);
        assert_raises::<PyTypeError, _>(
            eval(py, "(1, 2)").set_item(0, 1),
            "does not support item assignment",
        );
    });
}

#[test]
fn instance_checks_and_downcasts() {
    Python::attach(|py| {
        let flag = eval(py, "True");
        assert!(flag.is_instance_of::<PyBool>());
        assert!(flag.is_instance_of::<PyInt>(), "bool is a subclass of int");
        assert!(!flag.is_instance_of::<PyFloat>());
        assert!(flag.is_instance(&eval(py, "int")).unwrap());
        assert!(flag.is_instance(&eval(py, "(str, bool)")).unwrap());
        assert!(!flag.is_instance(&eval(py, "str")).unwrap());
        assert_raises::<PyTypeError, _>(
            flag.is_instance(&eval(py, "5")),
            "isinstance() arg 2 must be a type",
        );
        assert!(PyInt::is_exact_type_of(&eval(py, "1")));
        assert!(!PyInt::is_exact_type_of(&flag));

        let value = eval(py, "5");
        assert!(value.downcast::<PyInt>().is_ok());
        let err = value.downcast::<PyList>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "'int' object cannot be converted to 'list'"
        );
        let err = PyErr::from(err);
        assert!(err.is_instance_of::<PyTypeError>(py));
        assert_eq!(
            err.to_string(),
            "TypeError: 'int' object cannot be converted to 'list'"
        );

        let p = point(&point_class(py), 0, 0);
        assert_eq!(
            p.downcast::<PyDict>().unwrap_err().to_string(),
            "'Point' object cannot be converted to 'dict'"
        );
        let back = p
            .clone()
            .downcast_into::<PyTuple>()
            .unwrap_err()
            .into_inner();
        assert!(back.is(&p), "a failed downcast_into gives the object back");
        let list: Bound<PyList> = eval(py, "[1]").downcast_into().unwrap();
        assert_eq!(list.len(), 1);
        assert!(list.as_borrowed().as_any().downcast::<PyList>().is_ok());
        assert!(eval(py, "None").is_instance_of::<PyNone>());
        assert!(eval(py, "None").is_none());
        assert!(!value.is_none());
    });
}

#[test]
fn truthiness_type_and_dir() {
    Python::attach(|py| {
        for (expr, truthy) in [
            ("0", false),
            ("[]", false),
            ("''", false),
            ("None", false),
            ("[0]", true),
            ("'x'", true),
            ("-1", true),
        ] {
            assert_eq!(eval(py, expr).is_truthy().unwrap(), truthy, "{expr}");
        }
        let namespace = run(
            py,
            "class Bad:\n    def __bool__(self):\n        raise ValueError('no bool')\n",
        );
        let bad = namespace.get_item("Bad").unwrap().unwrap().call0().unwrap();
        assert_raises::<PyValueError, _>(bad.is_truthy(), "no bool");

        let class = point_class(py);
        let p = point(&class, 0, 0);
        assert!(p.get_type().is(&class));
        let names: Vec<String> = p.dir().unwrap().extract().unwrap();
        assert!(names.iter().any(|n| n == "norm2"), "{names:?}");
        assert!(names.iter().any(|n| n == "x"), "{names:?}");
    });
}

#[test]
fn import_run_and_eval_use_globals_and_locals() {
    Python::attach(|py| {
        let math = py.import("math").unwrap();
        assert_eq!(math.name().unwrap(), "math");
        let root: f64 = math
            .getattr("sqrt")
            .unwrap()
            .call1((2.25,))
            .unwrap()
            .extract()
            .unwrap();
        assert_eq!(root, 1.5);
        assert!(py.import("os.path").unwrap().hasattr("join").unwrap());
        assert_raises::<PyModuleNotFoundError, _>(
            py.import("no_such_module_xyz"),
            "No module named 'no_such_module_xyz'",
        );

        let globals = PyDict::new(py);
        globals.set_item("g", 10).unwrap();
        let locals = PyDict::new(py);
        locals.set_item("l", 5).unwrap();
        py.run("result = g + l\ng2 = 1", Some(&globals), Some(&locals))
            .unwrap();
        assert_eq!(int(locals.get_item("result").map(Option::unwrap)), 15);
        assert!(
            !globals.contains("result").unwrap(),
            "assignments go to locals"
        );
        assert!(globals.contains("__builtins__").unwrap());
        assert_eq!(int(py.eval("g * l", Some(&globals), Some(&locals))), 50);
        assert_eq!(int(py.eval("g", Some(&globals), None)), 10);
        assert_eq!(
            int(py.eval("len('abc')", None, None)),
            3,
            "builtins are there by default"
        );

        assert_raises::<PySyntaxError, _>(py.eval("1 +", None, None), "invalid syntax");
        assert_raises::<PySyntaxError, _>(py.eval("x = 1", None, None), "invalid syntax");
        assert_raises::<PyValueError, _>(py.run("a = 1\0", None, None), "null bytes");
        assert!(py
            .run("1 / 0", None, None)
            .unwrap_err()
            .is_instance_of::<PyZeroDivisionError>(py));
        assert!(py.eval("None", None, None).unwrap().is_none());
    });
}

#[test]
fn intern_returns_one_cached_string() {
    fn name(py: Python<'_>) -> &Bound<'_, PyString> {
        intern!(py, "interned_attribute")
    }
    let address = Python::attach(|py| {
        let first = name(py);
        assert!(first.is(name(py)), "one object per call site");
        assert_eq!(first.to_str().unwrap(), "interned_attribute");
        assert!(
            first.is(&PyString::intern(py, "interned_attribute")),
            "interned in Python too"
        );
        let p = point(&point_class(py), 0, 0);
        p.setattr(name(py), 1).unwrap();
        assert_eq!(int(p.getattr(intern!(py, "interned_attribute"))), 1);
        first.as_ptr() as usize
    });
    let from_other_thread = std::thread::spawn(|| Python::attach(|py| name(py).as_ptr() as usize))
        .join()
        .unwrap();
    assert_eq!(from_other_thread, address);
}

#[test]
fn list_methods() {
    Python::attach(|py| {
        let list = PyList::new(py, [3, 1, 2]).unwrap();
        assert_eq!(list.len(), 3);
        list.append(0).unwrap();
        list.insert(0, 9).unwrap();
        assert_eq!(list.extract::<Vec<i32>>().unwrap(), [9, 3, 1, 2, 0]);
        list.insert(usize::MAX, 7).unwrap();
        assert_eq!(int(list.get_item(5)), 7, "inserting past the end appends");
        list.set_item(5, 0).unwrap();
        assert_eq!(int(list.call_method0("pop")), 0);
        list.set_item(0, 4).unwrap();
        assert_eq!(int(list.get_item(0)), 4);
        assert_raises::<PyIndexError, _>(list.get_item(5), "list index out of range");
        assert_raises::<PyIndexError, _>(list.set_item(5, 0), "list assignment index out of range");
        list.sort().unwrap();
        assert_eq!(list.extract::<Vec<i32>>().unwrap(), [0, 1, 2, 3, 4]);
        list.reverse().unwrap();
        let tuple = list.to_tuple();
        assert_eq!(
            tuple.extract::<(i32, i32, i32, i32, i32)>().unwrap(),
            (4, 3, 2, 1, 0)
        );
        let collected: Vec<i64> = list.iter().map(|item| item.extract().unwrap()).collect();
        assert_eq!(collected, [4, 3, 2, 1, 0]);
        assert!(PyList::empty(py).is_empty());
        list.append("mixed").unwrap();
        assert_raises::<PyTypeError, _>(list.sort(), "'<' not supported");
    });
}

#[test]
fn dict_methods() {
    Python::attach(|py| {
        let dict = PyDict::new(py);
        assert!(dict.is_empty());
        dict.set_item("a", 1).unwrap();
        dict.set_item(2, "b").unwrap();
        assert_eq!(dict.len(), 2);
        assert!(dict.contains("a").unwrap());
        assert!(!dict.contains("z").unwrap());
        assert_eq!(int(dict.get_item("a").map(Option::unwrap)), 1);
        assert!(dict.get_item("z").unwrap().is_none());
        assert_raises::<PyTypeError, _>(dict.get_item(vec![1]), "unhashable type: 'list'");

        assert_eq!(dict.keys().len(), 2);
        assert_eq!(
            dict.values().get_item(0).unwrap().extract::<i32>().unwrap(),
            1
        );
        let items: Vec<(Bound<PyAny>, Bound<PyAny>)> = dict.items().extract().unwrap();
        assert_eq!(items.len(), 2);
        let pairs: Vec<String> = dict
            .iter()
            .map(|(key, value)| format!("{key}={value}"))
            .collect();
        assert_eq!(pairs, ["a=1", "2=b"], "insertion order");

        let copy = dict.copy().unwrap();
        dict.del_item("a").unwrap();
        assert_raises::<PyKeyError, _>(dict.del_item("a"), "'a'");
        assert_eq!((dict.len(), copy.len()), (1, 2), "the copy is independent");
        dict.clear();
        assert!(dict.is_empty());

        // Iteration walks a snapshot: changing the dict meanwhile is fine.
        let mut iter = copy.iter();
        assert!(iter.next().is_some());
        copy.set_item("new", 0).unwrap();
        assert!(iter.next().is_some());
        assert!(iter.next().is_none());
    });
}

#[test]
fn set_and_frozenset_methods() {
    Python::attach(|py| {
        let set = PySet::new(py, [1, 2]).unwrap();
        set.add(3).unwrap();
        set.add(3).unwrap();
        assert_eq!(set.len(), 3);
        assert!(set.contains(2).unwrap());
        assert!(set.discard(2).unwrap());
        assert!(!set.discard(2).unwrap());
        assert_raises::<PyTypeError, _>(set.add(vec![1]), "unhashable type: 'list'");
        let mut items: Vec<i32> = set
            .iter()
            .unwrap()
            .map(|item| item.unwrap().extract().unwrap())
            .collect();
        items.sort_unstable();
        assert_eq!(items, [1, 3]);
        let popped: i32 = set.pop().unwrap().extract().unwrap();
        assert!(popped == 1 || popped == 3);
        set.clear();
        assert!(set.is_empty());
        assert!(set.pop().is_none());
        assert!(
            py.take_error().is_none(),
            "popping an empty set left no error set"
        );

        let frozen = PyFrozenSet::new(py, ["a", "b", "a"]).unwrap();
        assert_eq!(frozen.len(), 2);
        assert!(frozen.contains("a").unwrap());
        assert!(frozen.hash().is_ok(), "frozensets are hashable");
        assert!(frozen.eq(eval(py, "frozenset('ab')")).unwrap());
        assert_eq!(
            frozen.get_type().name().unwrap().to_str().unwrap(),
            "frozenset"
        );
    });
}

#[test]
fn tuple_methods() {
    Python::attach(|py| {
        let tuple = PyTuple::new(py, ["x", "y", "z"]).unwrap();
        assert_eq!(tuple.len(), 3);
        assert_eq!(tuple.get_item(2).unwrap().extract::<String>().unwrap(), "z");
        assert_raises::<PyIndexError, _>(tuple.get_item(3), "tuple index out of range");
        assert!(tuple.get_borrowed_item(3).is_none());
        assert_eq!(
            tuple
                .get_borrowed_item(0)
                .unwrap()
                .extract::<&str>()
                .unwrap(),
            "x"
        );
        let joined: String = tuple
            .iter()
            .map(|item| item.extract::<String>().unwrap())
            .collect();
        assert_eq!(joined, "xyz");
        assert_eq!(tuple.iter_borrowed().len(), 3);
        assert!(PyTuple::empty(py).is_empty());
        assert!(PyTuple::empty(py).eq(eval(py, "()")).unwrap());
        let args = (1, "two", 3.0).into_pyobject(py).unwrap();
        assert!(args.eq(eval(py, "(1, 'two', 3.0)")).unwrap());
    });
}

#[test]
fn bytes_and_strings() {
    Python::attach(|py| {
        let data: &[u8] = b"\x00\xffbinary";
        let bytes = PyBytes::new(py, data);
        assert_eq!(bytes.as_bytes(), data);
        assert_eq!(bytes.len().unwrap(), data.len());
        assert!(bytes.eq(eval(py, "b'\\x00\\xffbinary'")).unwrap());
        assert_eq!(bytes.extract::<&[u8]>().unwrap(), data);
        assert!(data.into_pyobject(py).unwrap().is_instance_of::<PyBytes>());
        assert_raises::<PyTypeError, _>(
            eval(py, "'str'").extract::<&[u8]>(),
            "'str' object cannot be converted to 'bytes'",
        );

        let text = PyString::new(py, "héllo");
        assert_eq!(text.to_str().unwrap(), "héllo");
        assert_eq!(text.len().unwrap(), 5);
        assert_eq!(
            text.call_method0("upper")
                .unwrap()
                .extract::<String>()
                .unwrap(),
            "HÉLLO"
        );
    });
}

#[test]
fn floats_bools_and_none() {
    Python::attach(|py| {
        assert_eq!(PyFloat::new(py, 2.5).value(), 2.5);
        assert!(PyFloat::new(py, 2.5).eq(eval(py, "5 / 2")).unwrap());
        assert!(py.bool(true).downcast::<PyBool>().unwrap().is_true());
        assert!(!py.bool(false).downcast::<PyBool>().unwrap().is_true());
        assert!(py.none().is(&eval(py, "None")));
        assert!(py.not_implemented().is(&eval(py, "NotImplemented")));
    });
}

#[test]
fn module_methods() {
    Python::attach(|py| {
        let module = PyModule::new(py, "made_in_rust").unwrap();
        assert_eq!(module.name().unwrap(), "made_in_rust");
        module.add("answer", 42).unwrap();
        assert_eq!(int(module.get("answer")), 42);
        assert!(module.dict().contains("answer").unwrap());
        assert_raises::<PyAttributeError, _>(module.get("missing"), "missing");
        let globals = PyDict::new(py);
        globals.set_item("m", &module).unwrap();
        assert_eq!(int(py.eval("m.answer + 1", Some(&globals), None)), 43);
        assert_eq!(
            module.repr().unwrap().to_str().unwrap(),
            "<module 'made_in_rust'>"
        );
        assert_raises::<PyValueError, _>(PyModule::new(py, "nul\0name"), "NUL");
    });
}

#[test]
fn type_methods() {
    Python::attach(|py| {
        let class = point_class(py).downcast_into::<PyType>().unwrap();
        assert_eq!(class.name().unwrap().to_str().unwrap(), "Point");
        assert_eq!(class.qualname().unwrap().to_str().unwrap(), "Point");
        let unit = class
            .getattr("Unit")
            .unwrap()
            .downcast_into::<PyType>()
            .unwrap();
        assert_eq!(unit.name().unwrap().to_str().unwrap(), "Unit");
        assert_eq!(unit.qualname_lossy(), "Point.Unit");
        assert_eq!(
            class.module().unwrap().extract::<String>().unwrap(),
            "builtins"
        );
        assert!(point(&class, 1, 1).get_type().is(&class));

        let int_type = PyInt::type_object(py);
        let bool_type = PyBool::type_object(py);
        assert!(bool_type.is_subclass(&int_type));
        assert!(!int_type.is_subclass(&bool_type));
        assert!(class.is_subclass(&pyo3_ft::types::PyAny::type_object(py)));
        assert_eq!(int_type.qualname_lossy(), "int");
        assert!(eval(py, "1").get_type().is(&int_type));
    });
}
