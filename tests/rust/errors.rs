//! Python exceptions as Rust errors: an exception raised deep in Python code
//! comes back as a `PyErr` of the right type with its traceback; errors made
//! in Rust are lazy but behave the same; errors survive a round trip through
//! the interpreter's "current exception", cross threads, and chain.

use pyo3_ft::exceptions::{
    PyBaseException, PyException, PyKeyError, PyLookupError, PyOSError, PyRuntimeError,
    PySystemError, PyTypeError, PyValueError, PyZeroDivisionError,
};
use pyo3_ft::prelude::*;
use pyo3_ft::type_info::PyTypeInfo;
use pyo3_ft::types::{PyDict, PyTuple, PyType};

/// `PyErr` can go anywhere a Rust error can: across threads, into
/// `Box<dyn Error + Send + Sync>`.
const _: () = {
    const fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<PyErr>();
};

const CALL_CHAIN: &str = "\
def outer(x):
    return middle(x * 2)

def middle(x):
    return inner(x + 1)

def inner(x):
    raise ValueError(f'bad value: {x}')
";

/// The module namespace that `code` leaves behind.
fn run<'py>(py: Python<'py>, code: &str) -> Bound<'py, PyDict> {
    let globals = PyDict::new(py);
    py.run(code, Some(&globals), None)
        .unwrap_or_else(|err| panic!("running {code:?}: {err}"));
    globals
}

/// A global of `namespace`.
fn global<'py>(namespace: &Bound<'py, PyDict>, name: &str) -> Bound<'py, PyAny> {
    namespace.get_item(name).unwrap().expect(name)
}

/// The exception's `args` as Rust strings.
fn args(err: &PyErr, py: Python<'_>) -> Vec<String> {
    err.value(py).getattr("args").unwrap().extract().unwrap()
}

#[test]
fn exception_raised_deep_in_python_keeps_type_and_traceback() {
    Python::attach(|py| {
        let namespace = run(py, CALL_CHAIN);
        let err = global(&namespace, "outer").call1((20,)).unwrap_err();

        assert!(err.is_instance_of::<PyValueError>(py));
        assert!(err.is_instance_of::<PyException>(py));
        assert!(!err.is_instance_of::<PyTypeError>(py));
        assert!(err.get_type(py).is(&PyValueError::type_object(py)));
        assert_eq!(args(&err, py), ["bad value: 41"]);
        assert!(err.traceback(py).is_some());
        assert!(
            py.take_error().is_none(),
            "the error was taken, not left set"
        );

        let text = err.to_string();
        assert!(
            text.starts_with("Traceback (most recent call last)"),
            "{text}"
        );
        let positions: Vec<usize> = ["outer", "middle", "inner", "ValueError: bad value: 41"]
            .iter()
            .map(|needle| {
                text.find(needle)
                    .unwrap_or_else(|| panic!("{needle:?} not in {text}"))
            })
            .collect();
        assert!(positions.is_sorted(), "outermost call first: {text}");
        assert!(text.ends_with("ValueError: bad value: 41"), "{text}");
    });
}

#[test]
fn errors_from_python_code_have_their_types() {
    Python::attach(|py| {
        let builtins = py.import("builtins").unwrap();
        // (code, a builtin exception class it is an instance of, message)
        let cases = [
            (
                "1 / 0",
                "ZeroDivisionError",
                "ZeroDivisionError: division by zero",
            ),
            ("{}['k']", "LookupError", "KeyError: 'k'"),
            (
                "int('x')",
                "ValueError",
                "invalid literal for int() with base 10: 'x'",
            ),
            (
                "undefined_name",
                "NameError",
                "name 'undefined_name' is not defined",
            ),
            ("1 +", "SyntaxError", "SyntaxError: invalid syntax"),
        ];
        for (code, class, message) in cases {
            let class = builtins
                .getattr(class)
                .unwrap()
                .downcast_into::<PyType>()
                .unwrap();
            let err = py.eval(code, None, None).unwrap_err();
            assert!(err.is_instance(py, &class), "{code}: {err}");
            assert!(err.to_string().contains(message), "{code}: {err}");
        }
    });
}

#[test]
fn restore_then_fetch_gives_back_the_same_exception() {
    Python::attach(|py| {
        let namespace = run(py, CALL_CHAIN);
        let err = global(&namespace, "outer").call1((1,)).unwrap_err();
        let value = err.value(py).clone();

        err.restore(py);
        let fetched = PyErr::fetch(py);
        assert!(fetched.value(py).is(&value), "the same exception object");
        assert!(fetched.traceback(py).is_some());
        assert!(py.take_error().is_none());

        let lazy = PyRuntimeError::new_err("lazy one");
        lazy.restore(py);
        let fetched = PyErr::take(py).expect("restore set an exception");
        assert!(fetched.is_instance_of::<PyRuntimeError>(py));
        assert_eq!(fetched.to_string(), "RuntimeError: lazy one");
    });
}

#[test]
fn fetch_without_an_exception_is_a_system_error() {
    Python::attach(|py| {
        assert!(PyErr::take(py).is_none());
        let err = PyErr::fetch(py);
        assert!(err.is_instance_of::<PySystemError>(py));
        assert!(err
            .to_string()
            .contains("error return without exception set"));
    });
}

#[test]
fn lazy_errors_have_their_type_and_message() {
    // Made without attaching; the exception object is created on first use.
    let type_error = PyTypeError::new_err("wrong type");
    let key_error = PyKeyError::new_err("missing");
    let os_error = PyOSError::new_err((2, "No such file"));
    Python::attach(|py| {
        assert!(type_error.is_instance_of::<PyTypeError>(py));
        assert!(!type_error.is_instance_of::<PyValueError>(py));
        assert_eq!(args(&type_error, py), ["wrong type"]);
        assert_eq!(type_error.to_string(), "TypeError: wrong type");
        assert!(type_error.traceback(py).is_none(), "never raised");

        assert!(key_error.is_instance_of::<PyLookupError>(py));
        assert_eq!(key_error.to_string(), "KeyError: 'missing'");

        let errno: i32 = os_error
            .value(py)
            .getattr("errno")
            .unwrap()
            .extract()
            .unwrap();
        assert_eq!(errno, 2);
        assert!(os_error.to_string().contains("No such file"), "{os_error}");
        // A subclass, chosen by Python from the errno.
        assert_eq!(os_error.get_type(py).qualname_lossy(), "FileNotFoundError");

        let several = PyValueError::new_err(("code", 7));
        let args = several.value(py).getattr("args").unwrap();
        assert_eq!(
            args.extract::<(String, i32)>().unwrap(),
            ("code".to_owned(), 7)
        );
        assert!(args.is_instance_of::<PyTuple>());

        let first = type_error.value(py).clone();
        assert!(type_error.value(py).is(&first), "created once");
        assert!(type_error.clone_ref(py).value(py).is(&first));
    });
}

#[test]
fn errors_from_type_objects_and_values() {
    Python::attach(|py| {
        let namespace = run(py, "class AppError(Exception):\n    pass\n");
        let app_error = global(&namespace, "AppError")
            .downcast_into::<PyType>()
            .unwrap();

        let err = PyErr::from_type(app_error.clone(), "custom");
        assert!(err.is_instance(py, &app_error));
        assert!(err.is_instance_of::<PyException>(py));
        assert_eq!(err.to_string(), "AppError: custom");

        let instance = app_error.call1(("made in Python",)).unwrap();
        let err = PyErr::from_value(instance.clone());
        assert!(err.value(py).is(&instance));

        let not_an_exception = PyErr::from_value(5.into_pyobject(py).unwrap());
        assert!(not_an_exception.is_instance_of::<PyTypeError>(py));
        assert_eq!(
            not_an_exception.to_string(),
            "TypeError: exceptions must derive from BaseException, not int"
        );
        let a_class = PyErr::from_value(app_error.into_any());
        assert!(
            a_class.is_instance_of::<PyTypeError>(py),
            "a class is not an instance"
        );
    });
}

#[test]
fn errors_cross_threads_and_become_boxed_errors() {
    let err = Python::attach(|py| py.eval("1 / 0", None, None).unwrap_err());
    Python::attach(|py| assert!(err.is_instance_of::<PyZeroDivisionError>(py)));
    let (text, boxed) = std::thread::spawn(move || {
        let text = err.to_string();
        let boxed: Box<dyn std::error::Error + Send + Sync> = err.into();
        (text, boxed)
    })
    .join()
    .unwrap();
    assert!(
        text.contains("ZeroDivisionError: division by zero"),
        "{text}"
    );
    assert_eq!(boxed.to_string(), text);

    fn fails() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        Python::attach(|py| py.eval("[][0]", None, None).map(drop))?;
        Ok(())
    }
    assert!(fails().unwrap_err().to_string().contains("IndexError"));
}

#[test]
fn causes_chain_both_ways() {
    Python::attach(|py| {
        let err = PyRuntimeError::new_err("outer");
        assert!(err.cause(py).is_none());
        let cause = PyValueError::new_err("root cause");
        let cause_value = cause.value(py).clone();
        err.set_cause(py, Some(cause));

        let got = err.cause(py).expect("a cause");
        assert!(got.value(py).is(&cause_value));
        assert!(got.is_instance_of::<PyValueError>(py));
        let dunder = err.value(py).getattr("__cause__").unwrap();
        assert!(dunder.is(&cause_value), "Python sees __cause__");

        err.set_cause(py, None);
        assert!(err.cause(py).is_none());

        let namespace = run(
            py,
            "def chained():\n    try:\n        {}['k']\n    except KeyError as e:\n        raise RuntimeError('wrapped') from e\n",
        );
        let raised = global(&namespace, "chained").call0().unwrap_err();
        let cause = raised.cause(py).expect("raise ... from sets the cause");
        assert!(cause.is_instance_of::<PyKeyError>(py));
        let text = raised.to_string();
        assert!(text.contains("KeyError: 'k'"), "{text}");
        assert!(
            text.contains("direct cause of the following exception"),
            "{text}"
        );
        assert!(text.ends_with("RuntimeError: wrapped"), "{text}");
    });
}

#[test]
fn exceptions_whose_str_fails_still_display() {
    Python::attach(|py| {
        let namespace = run(
            py,
            "class Unprintable(Exception):\n    def __str__(self):\n        raise RuntimeError('no str')\n",
        );
        let value = global(&namespace, "Unprintable").call0().unwrap();
        let err = PyErr::from_value(value);
        let text = err.to_string();
        assert!(text.contains("Unprintable"), "{text}");
        let debug = format!("{err:?}");
        assert!(debug.contains("Unprintable"), "{debug}");
        assert!(py.take_error().is_none());
        assert!(err.is_instance_of::<PyBaseException>(py));
    });
}

/// A lazy error shared by threads is created once: every thread sees the
/// same exception object.
#[test]
fn a_shared_lazy_error_is_materialized_once() {
    let err = pyo3_ft::exceptions::PyValueError::new_err("shared");
    let seen = std::sync::Mutex::new(std::collections::HashSet::new());
    let report = pyo3_ft::testing::hammer(8, 1, |py, _, _| {
        let address = err.value(py).as_ptr() as usize;
        seen.lock().unwrap().insert(address);
        Ok(())
    });
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(
        seen.into_inner().unwrap().len(),
        1,
        "threads saw different exception objects"
    );
}
