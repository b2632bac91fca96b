//! Rust ↔ Python conversions: edge values survive a round trip and match the
//! Python value they should be, and every refused conversion raises the
//! exception Python itself would, with a message that says what went wrong.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::Debug;

use pyo3_ft::exceptions::{PyOverflowError, PyTypeError, PyUnicodeEncodeError, PyValueError};
use pyo3_ft::prelude::*;
use pyo3_ft::type_info::PyTypeInfo;
use pyo3_ft::types::{PyDict, PyList, PySet, PyString, PyTuple};

/// Evaluates a Python expression.
fn eval<'py>(py: Python<'py>, expr: &str) -> Bound<'py, PyAny> {
    py.eval(expr, None, None)
        .unwrap_or_else(|err| panic!("evaluating {expr:?}: {err}"))
}

/// The name of an object's Python type.
fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().name().unwrap().to_str().unwrap().to_owned()
}

/// `value` converts to an object of Python type `py_type` equal to
/// `expected` (a Python expression), and both that object and the
/// expression's value convert back to `value`.
fn assert_converts<'py, T>(py: Python<'py>, value: T, expected: &str, py_type: &str)
where
    T: IntoPyObject<'py> + for<'a> FromPyObject<'a, 'py> + Clone + PartialEq + Debug,
{
    let obj = value.clone().into_pyobject(py).unwrap();
    let expected_obj = eval(py, expected);
    assert!(
        obj.eq(&expected_obj).unwrap(),
        "{value:?} became {obj:?}, expected {expected}"
    );
    assert_eq!(type_name(&obj), py_type, "Python type of {value:?}");
    assert_eq!(obj.extract::<T>().unwrap(), value, "back from {obj:?}");
    assert_eq!(
        expected_obj.extract::<T>().unwrap(),
        value,
        "from Python {expected}"
    );
}

/// `result` (the conversion of Python `expr` to Rust `target`) failed with
/// exception `E`, whose message contains `message`, and left no exception
/// set on the thread.
fn assert_failed<E: PyTypeInfo, T: Debug>(
    py: Python<'_>,
    result: PyResult<T>,
    expr: &str,
    target: &str,
    message: &str,
) {
    let err = match result {
        Ok(value) => panic!(
            "{expr} converted to {target} as {value:?}, expected {}",
            E::NAME
        ),
        Err(err) => err,
    };
    assert!(
        err.is_instance_of::<E>(py),
        "{expr} → {target}: expected {}, got {err}",
        E::NAME
    );
    let text = err.to_string();
    assert!(
        text.contains(message),
        "{expr} → {target}: message {text:?} lacks {message:?}"
    );
    assert!(
        py.take_error().is_none(),
        "a failed conversion left an exception set"
    );
}

/// A table of refused conversions: `(RustType, "python expression") =>
/// ExceptionType, "part of the message";`.
macro_rules! extract_fails {
    ($py:expr; $(($ty:ty, $expr:expr) => $exc:ty, $message:expr;)*) => {$({
        let expr: &str = &$expr;
        let obj = eval($py, expr);
        let result = obj.extract::<$ty>();
        assert_failed::<$exc, _>($py, result, expr, stringify!($ty), $message);
    })*};
}

/// For each integer type: 0, MIN and MAX convert exactly, and one past
/// either end is an `OverflowError`.
macro_rules! integer_edges {
    ($py:expr; $($ty:ty),* $(,)?) => {$(
        assert_converts::<$ty>($py, 0, "0", "int");
        assert_converts::<$ty>($py, <$ty>::MIN, &<$ty>::MIN.to_string(), "int");
        assert_converts::<$ty>($py, <$ty>::MAX, &<$ty>::MAX.to_string(), "int");
        extract_fails! { $py;
            ($ty, format!("{} + 1", <$ty>::MAX)) => PyOverflowError, "";
            ($ty, format!("{} - 1", <$ty>::MIN)) => PyOverflowError, "";
        }
    )*};
}

#[test]
fn integers_convert_exactly_at_both_ends_of_their_range() {
    Python::attach(|py| {
        integer_edges!(py; i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);
        assert_converts(py, i64::MIN, "-2**63", "int");
        assert_converts(py, u128::MAX, "2**128 - 1", "int");
        assert_converts(py, i128::MIN, "-2**127", "int");
        assert_converts(py, -1i128, "-1", "int");
        assert_converts(
            py,
            0x0123_4567_89ab_cdef_fedc_ba98_7654_3210u128,
            "0x0123456789abcdeffedcba9876543210",
            "int",
        );
    });
}

#[test]
fn integers_accept_objects_with_index() {
    Python::attach(|py| {
        let globals = PyDict::new(py);
        py.run(
            "class Seven:\n    def __index__(self):\n        return 7\n",
            Some(&globals),
            None,
        )
        .unwrap();
        let seven = py.eval("Seven()", Some(&globals), None).unwrap();
        assert_eq!(seven.extract::<i32>().unwrap(), 7);
        assert_eq!(seven.extract::<u8>().unwrap(), 7);
        assert_eq!(seven.extract::<i128>().unwrap(), 7);
        assert_eq!(seven.extract::<u128>().unwrap(), 7);
        assert_eq!(eval(py, "True").extract::<i64>().unwrap(), 1);
    });
}

#[test]
fn integers_out_of_range_raise_overflow_error() {
    Python::attach(|py| {
        extract_fails! { py;
            (u8, "256") => PyOverflowError, "u8";
            (u32, "-1") => PyOverflowError, "negative";
            (u64, "-1") => PyOverflowError, "negative";
            (u128, "-1") => PyOverflowError, "negative";
            (u128, "2**128") => PyOverflowError, "u128";
            (i128, "2**127") => PyOverflowError, "i128";
            (i128, "-2**127 - 1") => PyOverflowError, "i128";
            (i64, "2**63") => PyOverflowError, "to convert";
            (i8, "-129") => PyOverflowError, "i8";
            (i32, "10**100") => PyOverflowError, "to convert";
        }
    });
}

#[test]
fn non_integers_are_not_integers() {
    Python::attach(|py| {
        extract_fails! { py;
            (i64, "'5'") => PyTypeError, "'str' object cannot be interpreted as an integer";
            (i8, "'5'") => PyTypeError, "cannot be interpreted as an integer";
            (u64, "'5'") => PyTypeError, "cannot be interpreted as an integer";
            (u8, "'5'") => PyTypeError, "cannot be interpreted as an integer";
            (i128, "'5'") => PyTypeError, "cannot be interpreted as an integer";
            (u128, "'5'") => PyTypeError, "cannot be interpreted as an integer";
            (i64, "1.5") => PyTypeError, "'float' object cannot be interpreted as an integer";
            (usize, "None") => PyTypeError, "'NoneType' object cannot be interpreted as an integer";
        }
    });
}

/// `a` and `b` are the same float, bit for bit (so `-0.0 != 0.0` and a NaN
/// equals itself).
fn assert_same_f64(a: f64, b: f64) {
    assert_eq!(a.to_bits(), b.to_bits(), "{a:?} vs {b:?}");
}

#[test]
fn floats_keep_sign_of_zero_infinities_and_nan() {
    Python::attach(|py| {
        let cases = [
            (-0.0, "-0.0"),
            (0.0, "0.0"),
            (f64::INFINITY, "float('inf')"),
            (f64::NEG_INFINITY, "float('-inf')"),
            (f64::MAX, "1.7976931348623157e308"),
            (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
            (5e-324, "5e-324"),
            (0.1, "0.1"),
        ];
        for (value, expr) in cases {
            let obj = value.into_pyobject(py).unwrap();
            assert_eq!(type_name(&obj), "float");
            assert!(obj.eq(eval(py, expr)).unwrap(), "{value} vs {expr}");
            assert_same_f64(obj.extract::<f64>().unwrap(), value);
            assert_same_f64(eval(py, expr).extract::<f64>().unwrap(), value);
        }

        let math = py.import("math").unwrap();
        let sign: f64 = math
            .getattr("copysign")
            .unwrap()
            .call1((1.0, -0.0))
            .unwrap()
            .extract()
            .unwrap();
        assert_eq!(sign, -1.0, "Python sees the sign bit of -0.0");

        let nan = f64::NAN.into_pyobject(py).unwrap();
        let isnan = math.getattr("isnan").unwrap();
        assert!(isnan.call1((&nan,)).unwrap().extract::<bool>().unwrap());
        assert!(nan.extract::<f64>().unwrap().is_nan());
        assert!(eval(py, "float('nan')").extract::<f64>().unwrap().is_nan());
    });
}

#[test]
fn f32_widens_exactly_and_ints_become_floats() {
    Python::attach(|py| {
        let cases = [
            0.1f32,
            -0.0,
            f32::MAX,
            f32::MIN_POSITIVE,
            f32::INFINITY,
            -1.5,
        ];
        for value in cases {
            let obj = value.into_pyobject(py).unwrap();
            assert_eq!(obj.extract::<f64>().unwrap(), f64::from(value));
            assert_eq!(obj.extract::<f32>().unwrap().to_bits(), value.to_bits());
        }
        let nan = f32::NAN.into_pyobject(py).unwrap();
        assert!(nan.extract::<f32>().unwrap().is_nan());
        assert_eq!(eval(py, "3").extract::<f64>().unwrap(), 3.0);
        assert_eq!(eval(py, "2**60").extract::<f64>().unwrap(), 2f64.powi(60));
        extract_fails! { py;
            (f64, "'x'") => PyTypeError, "must be real number, not str";
            (f32, "None") => PyTypeError, "must be real number, not NoneType";
            (f64, "10**400") => PyOverflowError, "too large";
        }
    });
}

#[test]
fn bools_are_only_true_and_false() {
    Python::attach(|py| {
        assert_converts(py, true, "True", "bool");
        assert_converts(py, false, "False", "bool");
        assert!(true.into_pyobject(py).unwrap().is(&eval(py, "True")));
        extract_fails! { py;
            (bool, "1") => PyTypeError, "'int' object cannot be converted to 'bool'";
            (bool, "0") => PyTypeError, "'int' object cannot be converted to 'bool'";
            (bool, "None") => PyTypeError, "'NoneType' object cannot be converted to 'bool'";
        }
    });
}

#[test]
fn chars_are_one_character_strs() {
    Python::attach(|py| {
        assert_converts(py, 'a', "'a'", "str");
        assert_converts(py, 'é', "'\\u00e9'", "str");
        assert_converts(py, '🌍', "'\\U0001F30D'", "str");
        assert_converts(py, '\0', "'\\x00'", "str");
        assert_converts(py, char::MAX, "'\\U0010FFFF'", "str");
        extract_fails! { py;
            (char, "'ab'") => PyTypeError, "expected a character, but string of length 2 found";
            (char, "''") => PyTypeError, "length 0";
            (char, "97") => PyTypeError, "'int' object cannot be converted to 'str'";
            (char, "'\\ud800'") => PyValueError, "surrogate";
        }
    });
}

#[test]
fn strings_round_trip_owned_borrowed_and_cow() {
    Python::attach(|py| {
        for text in ["", "héllo 🌍", "nul\0inside", "ascii"] {
            // Rust's `{:?}` of these strings is also a Python literal.
            let literal = format!("{text:?}");
            assert_converts(py, text.to_owned(), &literal, "str");

            let obj = text.into_pyobject(py).unwrap();
            assert!(obj.eq(eval(py, &literal)).unwrap());
            assert_eq!(obj.extract::<&str>().unwrap(), text);
            let cow = obj.extract::<Cow<str>>().unwrap();
            assert!(matches!(cow, Cow::Borrowed(t) if t == text), "{cow:?}");
            let owned_cow: Cow<str> = Cow::Owned(text.to_owned());
            assert!(owned_cow.into_pyobject(py).unwrap().eq(&obj).unwrap());
            assert!(Cow::Borrowed(text)
                .into_pyobject(py)
                .unwrap()
                .eq(&obj)
                .unwrap());
            assert!(Box::<str>::from(text)
                .into_pyobject(py)
                .unwrap()
                .eq(&obj)
                .unwrap());
        }
        let world = "héllo 🌍".into_pyobject(py).unwrap();
        assert_eq!(world.len().unwrap(), 7, "Python counts code points");
        extract_fails! { py;
            (String, "b'bytes'") => PyTypeError, "'bytes' object cannot be converted to 'str'";
            (&str, "1") => PyTypeError, "'int' object cannot be converted to 'str'";
            (Cow<str>, "None") => PyTypeError, "'NoneType' object cannot be converted to 'str'";
        }
    });
}

#[test]
fn lone_surrogates_fail_strictly_but_convert_lossily() {
    Python::attach(|py| {
        extract_fails! { py;
            (String, "'\\ud800'") => PyUnicodeEncodeError, "surrogates not allowed";
            (&str, "'a\\udfffb'") => PyUnicodeEncodeError, "surrogates not allowed";
            (Cow<str>, "'\\ud800'") => PyUnicodeEncodeError, "surrogates not allowed";
        }

        let obj = eval(py, "'héllo \\ud800 🌍'");
        let lossy = obj.downcast::<PyString>().unwrap().to_string_lossy();
        assert!(lossy.starts_with("héllo "), "{lossy:?}");
        assert!(lossy.ends_with(" 🌍"), "{lossy:?}");
        assert!(lossy.contains('\u{FFFD}'), "{lossy:?}");
        assert!(py.take_error().is_none());
        assert_eq!(PyString::new(py, "fine").to_string_lossy(), "fine");
    });
}

#[test]
fn sequences_become_lists_and_come_back_from_any_iterable() {
    Python::attach(|py| {
        assert_converts(py, vec![1i32, -2, 3], "[1, -2, 3]", "list");
        assert_converts(py, Vec::<String>::new(), "[]", "list");
        assert_converts(py, [1u8, 2, 3], "[1, 2, 3]", "list");
        assert_converts(py, [0i64; 0], "[]", "list");
        assert_converts(py, vec![vec![1.5f64], vec![]], "[[1.5], []]", "list");

        assert_eq!(eval(py, "(1, 2)").extract::<Vec<i32>>().unwrap(), [1, 2]);
        assert_eq!(
            eval(py, "range(4)").extract::<Vec<u8>>().unwrap(),
            [0, 1, 2, 3]
        );
        assert_eq!(
            eval(py, "(x * x for x in range(3))")
                .extract::<[i32; 3]>()
                .unwrap(),
            [0, 1, 4]
        );
        assert_eq!(eval(py, "b'ab'").extract::<Vec<u8>>().unwrap(), [97, 98]);

        extract_fails! { py;
            (Vec<char>, "'abc'") => PyTypeError, "'str' object cannot be converted to 'list'";
            (Vec<i32>, "5") => PyTypeError, "'int' object is not iterable";
            (Vec<i32>, "[1, 'two']") => PyTypeError, "cannot be interpreted as an integer";
            ([i32; 2], "[1, 2, 3]") => PyValueError, "expected a sequence of length 2 (got 3)";
            ([i32; 4], "(1,)") => PyValueError, "expected a sequence of length 4 (got 1)";
        }
    });
}

#[test]
fn maps_become_dicts() {
    Python::attach(|py| {
        let hash = HashMap::from([("one".to_owned(), 1i32), ("two".to_owned(), 2)]);
        assert_converts(py, hash, "{'one': 1, 'two': 2}", "dict");
        let tree = BTreeMap::from([(3u8, vec![true]), (1, vec![])]);
        assert_converts(py, tree, "{1: [], 3: [True]}", "dict");
        assert_converts(py, HashMap::<i32, i32>::new(), "{}", "dict");

        let dict = BTreeMap::from([("b", 0), ("a", 0), ("c", 0)])
            .into_pyobject(py)
            .unwrap();
        let keys: Vec<String> = dict.downcast::<PyDict>().unwrap().keys().extract().unwrap();
        assert_eq!(keys, ["a", "b", "c"], "a BTreeMap's dict is in key order");

        extract_fails! { py;
            (HashMap<String, i32>, "[('a', 1)]") => PyTypeError, "'list' object cannot be converted to 'dict'";
            (BTreeMap<String, i32>, "[]") => PyTypeError, "'list' object cannot be converted to 'dict'";
            (HashMap<String, i32>, "{1: 1}") => PyTypeError, "'int' object cannot be converted to 'str'";
            (HashMap<String, u8>, "{'a': 300}") => PyOverflowError, "u8";
        }
    });
}

#[test]
fn sets_become_sets_and_come_back_from_frozensets() {
    Python::attach(|py| {
        assert_converts(py, HashSet::from([1i32, 2, 3]), "{1, 2, 3}", "set");
        let strings = BTreeSet::from(["a".to_owned(), "b".to_owned()]);
        assert_converts(py, strings, "{'a', 'b'}", "set");
        assert_converts(py, HashSet::<u64>::new(), "set()", "set");
        assert_eq!(
            eval(py, "frozenset({4, 5})")
                .extract::<BTreeSet<u8>>()
                .unwrap(),
            BTreeSet::from([4, 5])
        );
        extract_fails! { py;
            (HashSet<i32>, "[1, 2]") => PyTypeError, "'list' object cannot be converted to 'set'";
            (BTreeSet<i32>, "{'a'}") => PyTypeError, "cannot be interpreted as an integer";
        }
    });
}

#[test]
fn options_are_none_or_the_value() {
    Python::attach(|py| {
        assert_converts(py, Some(5i32), "5", "int");
        assert_converts(py, None::<i32>, "None", "NoneType");
        assert_converts(py, vec![Some("a".to_owned()), None], "['a', None]", "list");
        extract_fails! { py;
            (Option<i32>, "'5'") => PyTypeError, "cannot be interpreted as an integer";
        }
    });
}

#[test]
fn unit_is_none() {
    Python::attach(|py| {
        assert!(().into_pyobject(py).unwrap().is_none());
        eval(py, "None").extract::<()>().unwrap();
        extract_fails! { py;
            ((), "0") => PyTypeError, "'int' object cannot be converted to 'NoneType'";
        }
    });
}

/// Each value is a Rust tuple that becomes a Python tuple of the same
/// length and converts back unchanged.
macro_rules! tuple_round_trips {
    ($py:expr; $(($($item:expr),+)),* $(,)?) => {$({
        let value = ($($item,)+);
        let obj = value.clone().into_pyobject($py).unwrap();
        assert!(obj.is_instance_of::<PyTuple>(), "{obj:?}");
        assert_eq!(obj.len().unwrap(), [$(stringify!($item)),+].len(), "{obj:?}");
        assert_eq!(obj.extract::<_>().ok(), Some(value), "{obj:?}");
    })*};
}

#[test]
fn tuples_of_every_arity_up_to_12_round_trip() {
    let s = || "s".to_owned();
    Python::attach(|py| {
        tuple_round_trips!(py;
            (1i8),
            (1i8, 2u16),
            (1i8, 2u16, 3i32),
            (1i8, 2u16, 3i32, 4u64),
            (1i8, 2u16, 3i32, 4u64, 5.5f64),
            (1i8, 2u16, 3i32, 4u64, 5.5f64, true),
            (1i8, 2u16, 3i32, 4u64, 5.5f64, true, 'x'),
            (1i8, 2u16, 3i32, 4u64, 5.5f64, true, 'x', s()),
            (1i8, 2u16, 3i32, 4u64, 5.5f64, true, 'x', s(), None::<i32>),
            (1i8, 2u16, 3i32, 4u64, 5.5f64, true, 'x', s(), None::<i32>, vec![1u8]),
            (1i8, 2u16, 3i32, 4u64, 5.5f64, true, 'x', s(), None::<i32>, vec![1u8], u128::MAX),
            (1i8, 2u16, 3i32, 4u64, 5.5f64, true, 'x', s(), None::<i32>, vec![1u8], u128::MAX, (i64::MIN, ())),
        );
        assert_converts(py, (1i32, "two".to_owned()), "(1, 'two')", "tuple");
        extract_fails! { py;
            ((i32, i32), "(1, 2, 3)") => PyValueError, "expected a tuple of length 2 (got 3)";
            ((i32,), "()") => PyValueError, "expected a tuple of length 1 (got 0)";
            ((i32, i32), "[1, 2]") => PyTypeError, "'list' object cannot be converted to 'tuple'";
            ((i32, String), "(1, 2)") => PyTypeError, "'int' object cannot be converted to 'str'";
        }
    });
}

#[test]
fn nested_containers_round_trip() {
    type Nested = Vec<HashMap<String, Vec<(i32, Option<String>)>>>;
    Python::attach(|py| {
        let value: Nested = vec![
            HashMap::from([
                ("empty".to_owned(), vec![]),
                (
                    "héllo 🌍".to_owned(),
                    vec![(i32::MIN, Some("x".to_owned())), (0, None)],
                ),
            ]),
            HashMap::new(),
        ];
        let expected = "[{'empty': [], 'héllo 🌍': [(-2147483648, 'x'), (0, None)]}, {}]";
        assert_converts(py, value, expected, "list");
        extract_fails! { py;
            (Nested, "[{'k': [(1, 2)]}]") => PyTypeError, "'int' object cannot be converted to 'str'";
            (Nested, "[{'k': [(1,)]}]") => PyValueError, "expected a tuple of length 2 (got 1)";
        }
    });
}

#[test]
fn python_objects_convert_to_themselves() {
    Python::attach(|py| {
        let list = eval(py, "[1, 2]");

        let unbound: Py<PyAny> = list.clone().unbind();
        assert!(unbound.clone_ref(py).into_pyobject(py).unwrap().is(&list));
        assert!((&unbound).into_pyobject(py).unwrap().is(&list));
        assert!(list.clone().into_pyobject(py).unwrap().is(&list));
        assert!((&list).into_pyobject(py).unwrap().is(&list));
        assert!(list.as_borrowed().into_pyobject(py).unwrap().is(&list));

        let typed: Py<PyList> = list.extract().unwrap();
        assert!(typed.bind(py).is(&list));
        assert_eq!(typed.bind(py).len(), 2);
        let bound: Bound<PyList> = list.extract().unwrap();
        assert!(bound.is(&list));
        let any: Bound<PyAny> = list.extract().unwrap();
        assert!(any.is(&list));

        extract_fails! { py;
            (Py<PyDict>, "[1, 2]") => PyTypeError, "'list' object cannot be converted to 'dict'";
            (Bound<PySet>, "(1,)") => PyTypeError, "'tuple' object cannot be converted to 'set'";
        }

        // Python objects nest inside Rust containers.
        let pair = vec![list.clone(), py.none()].into_pyobject(py).unwrap();
        assert!(pair.get_item(0).unwrap().is(&list));
        assert!(pair.get_item(1).unwrap().is_none());
    });
}
