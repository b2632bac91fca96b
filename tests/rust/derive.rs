//! `#[derive(FromPyObject)]` and `#[derive(IntoPyObject)]`: every shape
//! (named, tuple, newtype, enum, unit variant) and option converts both
//! ways, values survive round trips, and every failure raises an exception
//! that names the field or variant and keeps the original as `__cause__`.

use std::collections::HashMap;

use pyo3_ft::exceptions::{
    PyAttributeError, PyKeyError, PyOverflowError, PyTypeError, PyUnicodeEncodeError, PyValueError,
};
use pyo3_ft::prelude::*;
use pyo3_ft::type_info::PyTypeInfo;
use pyo3_ft::types::PyDict;

/// Evaluates a Python expression; `ns(...)` builds a `SimpleNamespace`.
fn eval<'py>(py: Python<'py>, expr: &str) -> Bound<'py, PyAny> {
    let globals = PyDict::new(py);
    py.run(
        "from types import SimpleNamespace as ns",
        Some(&globals),
        None,
    )
    .unwrap();
    py.eval(expr, Some(&globals), None)
        .unwrap_or_else(|err| panic!("evaluating {expr:?}: {err}"))
}

/// Extracts `T` from the value of `expr`.
fn extract<T>(py: Python<'_>, expr: &str) -> PyResult<T>
where
    T: for<'a, 'py> FromPyObject<'a, 'py>,
{
    eval(py, expr).extract()
}

/// The error of extracting `T` from `expr`, which must be an `E`; returns
/// `str(exception)`.
fn extract_err<T, E>(py: Python<'_>, expr: &str) -> String
where
    T: for<'a, 'py> FromPyObject<'a, 'py> + std::fmt::Debug,
    E: PyTypeInfo,
{
    let err = extract::<T>(py, expr).expect_err(expr);
    assert!(
        err.is_instance_of::<E>(py),
        "{expr}: expected {}, got {err}",
        E::NAME
    );
    err.value(py).str().unwrap().to_string_lossy().into_owned()
}

/// `obj == eval(expected)`.
fn assert_py_eq(obj: &Bound<'_, PyAny>, expected: &str) {
    let expected_obj = eval(obj.py(), expected);
    assert!(obj.eq(&expected_obj).unwrap(), "{obj} != {expected}");
    assert!(
        obj.get_type().is(&expected_obj.get_type()),
        "{obj}: type differs from {expected}"
    );
}

// --- structs with named fields -------------------------------------------

#[derive(Debug, PartialEq, FromPyObject, IntoPyObject)]
struct Point {
    x: i64,
    y: i64,
}

#[test]
fn named_fields_read_attributes() {
    Python::attach(|py| {
        let point: Point = extract(py, "ns(x=1, y=-2, z=3)").unwrap();
        assert_eq!(point, Point { x: 1, y: -2 });
    });
}

#[test]
fn a_missing_attribute_raises_attribute_error_unchanged() {
    Python::attach(|py| {
        let message = extract_err::<Point, PyAttributeError>(py, "ns(x=1)");
        assert_eq!(
            message,
            "'types.SimpleNamespace' object has no attribute 'y'"
        );
    });
}

#[test]
fn a_field_error_names_the_field_keeps_the_type_and_chains_the_cause() {
    Python::attach(|py| {
        let err = extract::<Point>(py, "ns(x=1, y='two')").unwrap_err();
        assert!(err.is_instance_of::<PyTypeError>(py));
        assert_eq!(
            err.to_string(),
            "TypeError: failed to extract field Point.y: 'str' object cannot be interpreted as an integer"
        );
        let cause = err.cause(py).expect("the original error is the cause");
        assert!(cause.is_instance_of::<PyTypeError>(py));
        assert_eq!(
            cause.to_string(),
            "TypeError: 'str' object cannot be interpreted as an integer"
        );
        let message = extract_err::<Point, PyOverflowError>(py, "ns(x=2**64, y=0)");
        assert_eq!(
            message,
            "failed to extract field Point.x: int too big to convert"
        );
    });
}

#[derive(Debug, FromPyObject)]
struct Label {
    text: String,
}

#[test]
fn an_exception_whose_constructor_takes_more_than_a_message_gives_way_to_its_base() {
    Python::attach(|py| {
        assert_eq!(extract::<Label>(py, "ns(text='ok')").unwrap().text, "ok");
        let err = extract::<Label>(py, "ns(text='\\ud800')").unwrap_err();
        assert!(!err.is_instance_of::<PyUnicodeEncodeError>(py));
        assert!(err.is_instance_of::<PyValueError>(py));
        assert_eq!(err.get_type(py).qualname_lossy(), "UnicodeError");
        assert!(err
            .to_string()
            .starts_with("UnicodeError: failed to extract field Label.text: 'utf-8' codec can't encode character"));
        assert!(err
            .cause(py)
            .unwrap()
            .is_instance_of::<PyUnicodeEncodeError>(py));
    });
}

#[derive(Debug, Clone, PartialEq, FromPyObject, IntoPyObject)]
#[pyo3_ft(item)]
struct Config {
    name: String,
    #[pyo3_ft(item = "max-size")]
    max_size: u32,
    #[pyo3_ft(default)]
    verbose: bool,
    #[pyo3_ft(default = vec!["*".to_owned()])]
    patterns: Vec<String>,
    r#type: Option<String>,
}

#[test]
fn item_structs_read_keys_with_renames_and_defaults() {
    Python::attach(|py| {
        let config: Config = extract(py, "{'name': 'a', 'max-size': 7, 'type': None}").unwrap();
        assert_eq!(
            config,
            Config {
                name: "a".into(),
                max_size: 7,
                verbose: false,
                patterns: vec!["*".into()],
                r#type: None,
            }
        );
        let config: Config = extract(
            py,
            "{'name': 'b', 'max-size': 1, 'verbose': True, 'patterns': ['x'], 'type': 't'}",
        )
        .unwrap();
        assert!(config.verbose);
        assert_eq!(config.patterns, ["x"]);
        assert_eq!(config.r#type.as_deref(), Some("t"));
    });
}

#[test]
fn item_structs_report_missing_keys_and_bad_values() {
    Python::attach(|py| {
        let message = extract_err::<Config, PyKeyError>(py, "{'name': 'a', 'type': None}");
        assert_eq!(message, "'max-size'");
        let message = extract_err::<Config, PyTypeError>(
            py,
            "{'name': 'a', 'max-size': 1, 'type': None, 'verbose': 3}",
        );
        assert_eq!(
            message,
            "failed to extract field Config.verbose: 'int' object cannot be converted to 'bool'"
        );
        let message = extract_err::<Config, PyTypeError>(py, "['not', 'a', 'mapping']");
        assert_eq!(message, "list indices must be integers or slices, not str");
    });
}

#[test]
fn item_struct_round_trips_through_a_dict_with_its_python_names() {
    Python::attach(|py| {
        let config = Config {
            name: "c".into(),
            max_size: 3,
            verbose: true,
            patterns: vec!["a".into(), "b".into()],
            r#type: Some("t".into()),
        };
        let obj = config.clone().into_pyobject(py).unwrap();
        assert_py_eq(
            &obj,
            "{'name': 'c', 'max-size': 3, 'verbose': True, 'patterns': ['a', 'b'], 'type': 't'}",
        );
        assert_eq!(obj.extract::<Config>().unwrap(), config);
    });
}

#[derive(Debug, PartialEq, FromPyObject)]
struct Mixed {
    #[pyo3_ft(attribute = "real")]
    re: f64,
    #[pyo3_ft(attribute)]
    imag: f64,
    #[pyo3_ft(item = "k")]
    from_key: i32,
    #[pyo3_ft(attribute = "missing", default = 9)]
    fallback: i32,
}

#[test]
fn fields_choose_their_source_and_name() {
    Python::attach(|py| {
        let code = "type('C', (dict,), {'real': 1.5, 'imag': -2.0})(k=4)";
        let mixed: Mixed = extract(py, code).unwrap();
        assert_eq!(
            mixed,
            Mixed {
                re: 1.5,
                imag: -2.0,
                from_key: 4,
                fallback: 9
            }
        );
    });
}

#[derive(Debug, FromPyObject)]
#[pyo3_ft(item)]
struct Strict {
    #[pyo3_ft(default)]
    value: i32,
}

#[test]
fn default_applies_to_key_error_only() {
    Python::attach(|py| {
        assert_eq!(extract::<Strict>(py, "{}").unwrap().value, 0);
        let message = extract_err::<Strict, PyTypeError>(py, "[1, 2]");
        assert_eq!(message, "list indices must be integers or slices, not str");
    });
}

#[derive(FromPyObject, IntoPyObject)]
struct Holder<'py> {
    obj: Bound<'py, PyAny>,
}

#[test]
fn py_lifetime_fields_hold_python_objects() {
    Python::attach(|py| {
        let source = eval(py, "ns(obj=[1, 2])");
        let holder: Holder<'_> = source.extract().unwrap();
        let obj = source.getattr("obj").unwrap();
        assert!(holder.obj.is(&obj));
        let dict = holder.into_pyobject(py).unwrap();
        assert!(dict.get_item("obj").unwrap().is(&obj));
    });
}

/// Generated code names everything by its full path, so user items that
/// shadow the prelude (`Ok`, `Result`, `Default`, ...) do not break it.
mod shadowing {
    #![allow(dead_code, non_camel_case_types)]

    use ::pyo3_ft::{FromPyObject, IntoPyObject};

    struct Ok;
    struct Err;
    struct Some;
    type Result = ();
    trait Default {}
    struct PyResult;
    struct pyo3_ft;

    #[derive(Debug, PartialEq, FromPyObject, IntoPyObject)]
    pub enum Shadowed {
        Named {
            #[pyo3_ft(default)]
            value: i64,
        },
        Tuple(i64, i64),
        Unit,
    }
}

#[test]
fn generated_code_ignores_shadowed_names() {
    use shadowing::Shadowed;
    Python::attach(|py| {
        for value in [
            Shadowed::Named { value: 1 },
            Shadowed::Tuple(1, 2),
            Shadowed::Unit,
        ] {
            let obj = value.into_pyobject(py).unwrap();
            assert!(obj.extract::<Shadowed>().is_ok());
        }
        assert_eq!(
            extract::<Shadowed>(py, "ns()").unwrap(),
            Shadowed::Named { value: 0 }
        );
    });
}

// --- tuple and newtype structs --------------------------------------------

#[derive(Debug, PartialEq, FromPyObject, IntoPyObject)]
struct Pair(i32, String);

#[test]
fn tuple_structs_convert_from_and_to_tuples() {
    Python::attach(|py| {
        let pair: Pair = extract(py, "(1, 'one')").unwrap();
        assert_eq!(pair, Pair(1, "one".into()));
        let obj = pair.into_pyobject(py).unwrap();
        assert_py_eq(&obj, "(1, 'one')");
        assert_eq!(obj.extract::<Pair>().unwrap(), Pair(1, "one".into()));
    });
}

#[test]
fn tuple_struct_errors_name_the_struct_or_field() {
    Python::attach(|py| {
        let message = extract_err::<Pair, PyTypeError>(py, "[1, 'one']");
        assert_eq!(
            message,
            "failed to extract Pair: 'list' object cannot be converted to 'tuple'"
        );
        let message = extract_err::<Pair, PyValueError>(py, "(1, 'one', None)");
        assert_eq!(
            message,
            "failed to extract Pair: expected a tuple of length 2 (got 3)"
        );
        let message = extract_err::<Pair, PyTypeError>(py, "(1, 2)");
        assert_eq!(
            message,
            "failed to extract field Pair.1: 'int' object cannot be converted to 'str'"
        );
    });
}

#[derive(Debug, PartialEq, FromPyObject)]
struct Words<'a>(&'a str, &'a str);

#[derive(Debug, PartialEq, FromPyObject, IntoPyObject)]
struct Name<'a>(&'a str);

#[test]
fn tuple_and_newtype_fields_can_borrow_from_the_object() {
    Python::attach(|py| {
        let obj = eval(py, "('hello', 'world')");
        assert_eq!(obj.extract::<Words<'_>>().unwrap(), Words("hello", "world"));
        let obj = eval(py, "'ada'");
        let name: Name<'_> = obj.extract().unwrap();
        assert_eq!(name, Name("ada"));
        assert_py_eq(&name.into_pyobject(py).unwrap(), "'ada'");
    });
}

#[derive(Debug, PartialEq, FromPyObject, IntoPyObject)]
struct Meters(f64);

#[test]
fn newtypes_are_transparent() {
    Python::attach(|py| {
        assert_eq!(extract::<Meters>(py, "2.5").unwrap(), Meters(2.5));
        assert_py_eq(&Meters(2.5).into_pyobject(py).unwrap(), "2.5");
        let message = extract_err::<Meters, PyTypeError>(py, "'far'");
        assert_eq!(message, "must be real number, not str");
    });
}

// --- generics ---------------------------------------------------------------

#[derive(Debug, PartialEq, FromPyObject, IntoPyObject)]
#[pyo3_ft(item)]
struct Tagged<T> {
    tag: String,
    values: Vec<T>,
}

#[derive(Debug, PartialEq, FromPyObject, IntoPyObject)]
struct Both<A, B>(A, B)
where
    A: Clone;

#[test]
fn generic_types_convert_for_each_instantiation() {
    Python::attach(|py| {
        let tagged: Tagged<u8> = extract(py, "{'tag': 't', 'values': [1, 2]}").unwrap();
        assert_eq!(tagged.values, [1, 2]);
        let obj = tagged.into_pyobject(py).unwrap();
        assert_py_eq(&obj, "{'tag': 't', 'values': [1, 2]}");
        assert_eq!(obj.extract::<Tagged<f64>>().unwrap().values, [1.0, 2.0]);
        let both: Both<String, Option<i8>> = extract(py, "('x', None)").unwrap();
        assert_eq!(both, Both("x".into(), None));
        assert_py_eq(&both.into_pyobject(py).unwrap(), "('x', None)");
    });
}

// --- enums ------------------------------------------------------------------

#[derive(Debug, PartialEq, FromPyObject, IntoPyObject)]
enum Shape {
    Circle {
        radius: f64,
    },
    #[pyo3_ft(item)]
    Rect {
        width: f64,
        height: f64,
    },
    Polygon(Vec<(f64, f64)>),
    Pair(f64, f64),
}

#[test]
fn enum_variants_are_tried_in_order() {
    Python::attach(|py| {
        assert_eq!(
            extract::<Shape>(py, "ns(radius=1.0)").unwrap(),
            Shape::Circle { radius: 1.0 }
        );
        assert_eq!(
            extract::<Shape>(py, "{'width': 2, 'height': 3}").unwrap(),
            Shape::Rect {
                width: 2.0,
                height: 3.0
            }
        );
        assert_eq!(
            extract::<Shape>(py, "[(0, 0), (1, 0), (0, 1)]").unwrap(),
            Shape::Polygon(vec![(0.0, 0.0), (1.0, 0.0), (0.0, 1.0)])
        );
        // A 2-tuple of pairs is a valid `Polygon`, which comes first.
        assert!(matches!(
            extract::<Shape>(py, "((0, 0), (1, 1))").unwrap(),
            Shape::Polygon(_)
        ));
        assert_eq!(
            extract::<Shape>(py, "(4, 5)").unwrap(),
            Shape::Pair(4.0, 5.0)
        );
    });
}

#[test]
fn an_enum_that_matches_no_variant_says_why_each_failed() {
    Python::attach(|py| {
        let message = extract_err::<Shape, PyTypeError>(py, "{'width': 2}");
        assert_eq!(
            message,
            "failed to extract enum Shape ('Circle | Rect | Polygon | Pair')\n\
             - variant Circle (Circle): AttributeError: 'dict' object has no attribute 'radius'\n\
             - variant Rect (Rect): KeyError: 'height'\n\
             - variant Polygon (Polygon): TypeError: 'str' object cannot be converted to 'tuple'\n\
             - variant Pair (Pair): TypeError: failed to extract Shape::Pair: 'dict' object cannot be converted to 'tuple'"
        );
        let message = extract_err::<Shape, PyTypeError>(py, "ns(radius='big')");
        assert!(
            message.contains("- variant Circle (Circle): TypeError: failed to extract field Shape::Circle.radius: must be real number, not str\n"),
            "{message}"
        );
    });
}

#[test]
fn enums_convert_each_variant_by_its_shape() {
    Python::attach(|py| {
        let cases = [
            (Shape::Circle { radius: 1.0 }, "{'radius': 1.0}"),
            (
                Shape::Rect {
                    width: 2.0,
                    height: 3.0,
                },
                "{'width': 2.0, 'height': 3.0}",
            ),
            (Shape::Polygon(vec![(0.0, 1.0)]), "[(0.0, 1.0)]"),
            (Shape::Pair(1.0, 2.0), "(1.0, 2.0)"),
        ];
        for (shape, expected) in cases {
            assert_py_eq(&shape.into_pyobject(py).unwrap(), expected);
        }
    });
}

#[derive(Debug, PartialEq, Clone, Copy, FromPyObject, IntoPyObject)]
enum Mode {
    Read,
    Write,
    #[pyo3_ft(annotation = "int")]
    Bits(u8),
}

#[test]
fn unit_variants_are_their_names_as_str() {
    Python::attach(|py| {
        for mode in [Mode::Read, Mode::Write, Mode::Bits(7)] {
            let obj = mode.into_pyobject(py).unwrap();
            assert_eq!(obj.extract::<Mode>().unwrap(), mode);
        }
        assert_py_eq(&Mode::Write.into_pyobject(py).unwrap(), "'Write'");
        assert_py_eq(&Mode::Bits(7).into_pyobject(py).unwrap(), "7");
        let message = extract_err::<Mode, PyTypeError>(py, "'append'");
        assert_eq!(
            message,
            "failed to extract enum Mode ('\"Read\" | \"Write\" | int')\n\
             - variant Read (\"Read\"): ValueError: expected 'Read' (got 'append')\n\
             - variant Write (\"Write\"): ValueError: expected 'Write' (got 'append')\n\
             - variant Bits (int): TypeError: 'str' object cannot be interpreted as an integer"
        );
        let message = extract_err::<Mode, PyTypeError>(py, "None");
        assert!(
            message.contains("- variant Read (\"Read\"): TypeError: 'NoneType' object cannot be converted to 'str'\n"),
            "{message}"
        );
    });
}

#[derive(Debug, PartialEq, FromPyObject)]
enum Outer {
    Mode(Mode),
    Code(i32),
}

#[test]
fn nested_enum_errors_are_indented() {
    Python::attach(|py| {
        let message = extract_err::<Outer, PyTypeError>(py, "1.5");
        assert_eq!(
            message,
            "failed to extract enum Outer ('Mode | Code')\n\
             - variant Mode (Mode): TypeError: failed to extract enum Mode ('\"Read\" | \"Write\" | int')\n  \
             - variant Read (\"Read\"): TypeError: 'float' object cannot be converted to 'str'\n  \
             - variant Write (\"Write\"): TypeError: 'float' object cannot be converted to 'str'\n  \
             - variant Bits (int): TypeError: 'float' object cannot be interpreted as an integer\n\
             - variant Code (Code): TypeError: 'float' object cannot be interpreted as an integer"
        );
        assert_eq!(
            extract::<Outer>(py, "'Read'").unwrap(),
            Outer::Mode(Mode::Read)
        );
        assert_eq!(extract::<Outer>(py, "300").unwrap(), Outer::Code(300));
    });
}

#[derive(Debug, Clone, Copy, PartialEq, FromPyObject, IntoPyObject)]
#[pyo3_ft(item)]
enum Event {
    Click {
        x: i32,
        y: i32,
    },
    Key {
        code: u32,
        #[pyo3_ft(default)]
        shift: bool,
    },
}

#[test]
fn item_enums_round_trip_through_dicts() {
    Python::attach(|py| {
        for event in [
            Event::Click { x: 1, y: 2 },
            Event::Key {
                code: 65,
                shift: true,
            },
        ] {
            let obj = event.into_pyobject(py).unwrap();
            assert_eq!(obj.extract::<Event>().unwrap(), event);
        }
        assert_eq!(
            extract::<Event>(py, "{'code': 66}").unwrap(),
            Event::Key {
                code: 66,
                shift: false
            }
        );
    });
}

#[derive(Debug, PartialEq, FromPyObject, IntoPyObject)]
enum Generic<T> {
    One(T),
    Many(Vec<T>),
}

#[test]
fn generic_enums_convert() {
    Python::attach(|py| {
        assert_eq!(extract::<Generic<u8>>(py, "3").unwrap(), Generic::One(3));
        assert_eq!(
            extract::<Generic<u8>>(py, "[3, 4]").unwrap(),
            Generic::Many(vec![3, 4])
        );
        let map: HashMap<String, Generic<i64>> = extract(py, "{'a': 1, 'b': [2, 3]}").unwrap();
        assert_eq!(map["b"], Generic::Many(vec![2, 3]));
        assert_py_eq(&Generic::Many(vec![1u8]).into_pyobject(py).unwrap(), "[1]");
    });
}
