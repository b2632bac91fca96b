//! Runtime support for `#[derive(FromPyObject)]`: reading fields, and the
//! error messages that say which field or variant failed and why.

use pyo3_ft_runtime::ffi;

use crate::conversion::FromPyObject;
use crate::err::{PyErr, PyResult};
use crate::exceptions::{PyBaseException, PyKeyError, PyTypeError, PyValueError};
use crate::instance::{Borrowed, Bound};
use crate::python::Python;
use crate::types::{PyAny, PyString, PyTuple};

/// Field `field` (`"Point.x"`) read as attribute `name` of `object`.
pub fn attribute<'py, T>(
    object: &Bound<'py, PyAny>,
    name: &Bound<'py, PyString>,
    field: &str,
) -> PyResult<T>
where
    T: for<'a> FromPyObject<'a, 'py>,
{
    extract_field(&object.getattr(name)?, field)
}

/// Like [`attribute`], with `default()` when the attribute is missing.
pub fn attribute_or<'py, T>(
    object: &Bound<'py, PyAny>,
    name: &Bound<'py, PyString>,
    field: &str,
    default: impl FnOnce() -> T,
) -> PyResult<T>
where
    T: for<'a> FromPyObject<'a, 'py>,
{
    match object.getattr_opt(name)? {
        Some(value) => extract_field(&value, field),
        None => Ok(default()),
    }
}

/// Field `field` read as `object[key]`.
pub fn item<'py, T>(
    object: &Bound<'py, PyAny>,
    key: &Bound<'py, PyString>,
    field: &str,
) -> PyResult<T>
where
    T: for<'a> FromPyObject<'a, 'py>,
{
    extract_field(&object.get_item(key)?, field)
}

/// Like [`item`], with `default()` when `object[key]` raises `KeyError`.
pub fn item_or<'py, T>(
    object: &Bound<'py, PyAny>,
    key: &Bound<'py, PyString>,
    field: &str,
    default: impl FnOnce() -> T,
) -> PyResult<T>
where
    T: for<'a> FromPyObject<'a, 'py>,
{
    match object.get_item(key) {
        Ok(value) => extract_field(&value, field),
        Err(err) if err.is_instance_of::<PyKeyError>(object.py()) => Ok(default()),
        Err(err) => Err(err),
    }
}

/// Extracts a field's value; a failure is re-raised naming the field.
fn extract_field<'py, T>(value: &Bound<'py, PyAny>, field: &str) -> PyResult<T>
where
    T: for<'a> FromPyObject<'a, 'py>,
{
    value
        .extract()
        .map_err(|err| with_context(value.py(), err, &format!("failed to extract field {field}")))
}

/// `object` as a tuple of `len` items, for tuple struct `name`.
pub fn tuple<'a, 'py>(
    object: Borrowed<'a, 'py, PyAny>,
    len: usize,
    name: &str,
) -> PyResult<Borrowed<'a, 'py, PyTuple>> {
    let context = format!("failed to extract {name}");
    let tuple = object
        .downcast::<PyTuple>()
        .map_err(|err| with_context(object.py(), err.into(), &context))?;
    if tuple.len() != len {
        return Err(PyValueError::new_err(format!(
            "{context}: expected a tuple of length {len} (got {})",
            tuple.len()
        )));
    }
    Ok(tuple)
}

/// Item `index` of `tuple` extracted as field `field` (`"Pair.0"`). The item
/// is borrowed for as long as the tuple is, so fields like `&'a str` work.
///
/// # Panics
/// If `index` is out of range (the generated code checked the length).
pub fn tuple_item<'a, 'py, T>(
    tuple: Borrowed<'a, 'py, PyTuple>,
    index: usize,
    field: &str,
) -> PyResult<T>
where
    T: FromPyObject<'a, 'py>,
{
    assert!(
        index < tuple.len(),
        "tuple index out of range (`tuple` checks the length)"
    );
    // SAFETY: `index` is in range; tuples are immutable, so the item lives as
    // long as the tuple, which is borrowed for `'a`.
    let item = unsafe {
        Borrowed::from_ptr(
            tuple.py(),
            ffi::PyTuple_GET_ITEM(tuple.as_ptr(), index as isize),
        )
    };
    T::extract(item)
        .map_err(|err| with_context(tuple.py(), err, &format!("failed to extract field {field}")))
}

/// Checks that `object` is the `str` `name` of a unit variant.
pub fn unit_variant(object: &Bound<'_, PyAny>, name: &str) -> PyResult<()> {
    let text = object.downcast::<PyString>()?;
    if text.to_str().is_ok_and(|text| text == name) {
        return Ok(());
    }
    Err(PyValueError::new_err(format!(
        "expected '{name}' (got {})",
        object.repr()?.to_string_lossy()
    )))
}

/// The `TypeError` of an enum no variant of which could be extracted:
/// `variants` holds each variant's name and annotation, `errors` why each
/// failed, in the same order.
///
/// ```text
/// failed to extract enum Shape ('Circle | Rect')
/// - variant Circle (Circle): AttributeError: 'dict' object has no attribute 'radius'
/// - variant Rect (Rect): AttributeError: 'dict' object has no attribute 'width'
/// ```
pub fn enum_error(
    py: Python<'_>,
    name: &str,
    variants: &[(&str, &str)],
    errors: impl IntoIterator<Item = PyErr>,
) -> PyErr {
    let annotations: Vec<&str> = variants.iter().map(|(_, annotation)| *annotation).collect();
    let mut message = format!(
        "failed to extract enum {name} ('{}')",
        annotations.join(" | ")
    );
    for ((variant, annotation), err) in variants.iter().zip(errors) {
        let reason = describe(py, &err).replace('\n', "\n  ");
        message.push_str(&format!("\n- variant {variant} ({annotation}): {reason}"));
    }
    PyTypeError::new_err(message)
}

/// `Type: message`, as the last line of a traceback shows an exception.
fn describe(py: Python<'_>, err: &PyErr) -> String {
    let name = err.get_type(py).qualname_lossy();
    match message(err.value(py)) {
        text if text.is_empty() => name,
        text => format!("{name}: {text}"),
    }
}

/// `str(exception)`.
fn message(value: &Bound<'_, PyBaseException>) -> String {
    value.str().map_or_else(
        |_| "<exception str() failed>".to_owned(),
        |text| text.to_string_lossy().into_owned(),
    )
}

/// `err` re-raised with `context` prefixed to its message: an exception of
/// the same type (`except ValueError` still catches it) whose `__cause__` is
/// `err`. A type whose constructor does not take a lone message (such as
/// `UnicodeEncodeError`) gives way to its nearest base class that does.
fn with_context(py: Python<'_>, err: PyErr, context: &str) -> PyErr {
    let text = format!("{context}: {}", message(err.value(py)));
    let wrapped = same_kind(&err.get_type(py).into_any(), &text)
        .unwrap_or_else(|| PyTypeError::new_err(text));
    wrapped.set_cause(py, Some(err));
    wrapped
}

/// An instance of the first class in `ty.__mro__` that `cls(text)` builds.
fn same_kind(ty: &Bound<'_, PyAny>, text: &str) -> Option<PyErr> {
    let mro = ty.getattr(crate::intern!(ty.py(), "__mro__")).ok()?;
    let mut classes = mro.try_iter().ok()?;
    classes.find_map(|class| {
        let value = class.ok()?.call1((text,)).ok()?;
        value
            .is_instance_of::<PyBaseException>()
            .then(|| PyErr::from_value(value))
    })
}
