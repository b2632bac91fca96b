//! Sequences, mappings and sets.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{BuildHasher, Hash};

use pyo3_ft_runtime::ffi;

use super::{FromPyObject, IntoPyObject};
use crate::err::PyResult;
use crate::exceptions::{PyTypeError, PyValueError};
use crate::instance::{Borrowed, Bound};
use crate::python::Python;
use crate::types::{PyAny, PyDict, PyFrozenSet, PyList, PySet, PyString, PyTuple};

impl<'py, T: IntoPyObject<'py>> IntoPyObject<'py> for Vec<T> {
    const OUTPUT_TYPE: crate::stubs::TypeHint =
        crate::stubs::TypeHint::Subscript("list", &[T::OUTPUT_TYPE]);

    /// A `list`.
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(PyList::new(py, self)?.into_any())
    }
}

impl<'py, T: IntoPyObject<'py>, const N: usize> IntoPyObject<'py> for [T; N] {
    const OUTPUT_TYPE: crate::stubs::TypeHint =
        crate::stubs::TypeHint::Subscript("list", &[T::OUTPUT_TYPE]);

    /// A `list`.
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(PyList::new(py, self)?.into_any())
    }
}

impl<'py, T> IntoPyObject<'py> for &[T]
where
    for<'a> &'a T: IntoPyObject<'py>,
{
    /// A `list` (except `&[u8]`, which is `bytes`).
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(PyList::new(py, self)?.into_any())
    }
}

/// Calls `f` on each item of a sequence or iterable. A list is copied to a
/// tuple first (one atomic snapshot, so another thread's mutation cannot
/// tear the result); a `str` is refused, since treating it as a sequence of
/// characters is almost always a bug.
fn for_each_item<'py>(
    object: Borrowed<'_, 'py, PyAny>,
    target: &str,
    mut f: impl FnMut(Borrowed<'_, 'py, PyAny>) -> PyResult<()>,
) -> PyResult<()> {
    if object.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(format!(
            "'str' object cannot be converted to '{target}'"
        )));
    }
    if let Ok(list) = object.downcast::<PyList>() {
        return list.to_tuple().iter_borrowed().try_for_each(f);
    }
    if let Ok(tuple) = object.downcast::<PyTuple>() {
        return tuple.iter_borrowed().try_for_each(f);
    }
    for item in object.try_iter()? {
        f(item?.as_borrowed())?;
    }
    Ok(())
}

/// Converts every item of a list inside one critical section, if each item
/// converts with [`FromPyObject::extract_exact`] (no Python code runs, so
/// the section is never suspended and the items stay valid while read).
/// The length is read again before each item all the same, so that an
/// item is never read past the list's end even if that trust failed.
fn exact_list_items<'py, T>(list: &Bound<'py, PyList>) -> Option<Vec<T>>
where
    T: for<'a> FromPyObject<'a, 'py>,
{
    crate::sync::critical_section(list, || {
        let raw = list.as_ptr().cast::<ffi::PyListObject>();
        let len = || {
            // SAFETY: `list` is alive; its size is read inside its critical
            // section.
            unsafe { ffi::Py_SIZE(list.as_ptr()) as usize }
        };
        let mut items = Vec::with_capacity(len());
        let mut index = 0;
        while index < len() {
            // SAFETY: inside the list's critical section, `index` is below
            // the size just read, so the slot holds a live item.
            let item = unsafe { Borrowed::from_ptr(list.py(), *(*raw).ob_item.add(index)) };
            items.push(T::extract_exact(item, super::SEALED)?);
            index += 1;
        }
        Some(items)
    })
}

impl<'py, T> FromPyObject<'_, 'py> for Vec<T>
where
    T: for<'a> FromPyObject<'a, 'py>,
{
    const INPUT_TYPE: crate::stubs::TypeHint = crate::stubs::TypeHint::Subscript(
        "collections.abc.Iterable",
        &[<T as FromPyObject<'static, 'py>>::INPUT_TYPE],
    );

    /// From any iterable but `str`.
    fn extract(object: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        if let Ok(list) = object.downcast::<PyList>() {
            if let Some(items) = exact_list_items(&list) {
                return Ok(items);
            }
        }
        let mut items = Vec::new();
        for_each_item(object, "list", |item| {
            items.push(T::extract(item)?);
            Ok(())
        })?;
        Ok(items)
    }
}

impl<'py, T, const N: usize> FromPyObject<'_, 'py> for [T; N]
where
    T: for<'a> FromPyObject<'a, 'py>,
{
    const INPUT_TYPE: crate::stubs::TypeHint = crate::stubs::TypeHint::Subscript(
        "collections.abc.Iterable",
        &[<T as FromPyObject<'static, 'py>>::INPUT_TYPE],
    );

    /// From an iterable of exactly `N` items.
    fn extract(object: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        let items = Vec::<T>::extract(object)?;
        let len = items.len();
        items.try_into().map_err(|_| {
            PyValueError::new_err(format!("expected a sequence of length {N} (got {len})"))
        })
    }
}

/// Fills a new dict from key/value pairs.
fn new_dict<'py, K, V>(
    py: Python<'py>,
    pairs: impl IntoIterator<Item = (K, V)>,
) -> PyResult<Bound<'py, PyAny>>
where
    K: IntoPyObject<'py>,
    V: IntoPyObject<'py>,
{
    let dict = PyDict::new(py);
    for (key, value) in pairs {
        dict.set_item(key, value)?;
    }
    Ok(dict.into_any())
}

/// Extracts every pair of a dict.
fn dict_pairs<'py, K, V>(object: Borrowed<'_, 'py, PyAny>) -> PyResult<impl Iterator<Item = (K, V)>>
where
    K: for<'a> FromPyObject<'a, 'py>,
    V: for<'a> FromPyObject<'a, 'py>,
{
    let mut pairs = Vec::new();
    for (key, value) in object.downcast::<PyDict>()?.iter() {
        pairs.push((key.extract()?, value.extract()?));
    }
    Ok(pairs.into_iter())
}

impl<'py, K, V, S> IntoPyObject<'py> for HashMap<K, V, S>
where
    K: IntoPyObject<'py>,
    V: IntoPyObject<'py>,
{
    const OUTPUT_TYPE: crate::stubs::TypeHint =
        crate::stubs::TypeHint::Subscript("dict", &[K::OUTPUT_TYPE, V::OUTPUT_TYPE]);

    /// A `dict`.
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        new_dict(py, self)
    }
}

impl<'py, K, V> IntoPyObject<'py> for BTreeMap<K, V>
where
    K: IntoPyObject<'py>,
    V: IntoPyObject<'py>,
{
    const OUTPUT_TYPE: crate::stubs::TypeHint =
        crate::stubs::TypeHint::Subscript("dict", &[K::OUTPUT_TYPE, V::OUTPUT_TYPE]);

    /// A `dict`, in key order.
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        new_dict(py, self)
    }
}

impl<'py, K, V, S> FromPyObject<'_, 'py> for HashMap<K, V, S>
where
    K: for<'a> FromPyObject<'a, 'py> + Eq + Hash,
    V: for<'a> FromPyObject<'a, 'py>,
    S: BuildHasher + Default,
{
    const INPUT_TYPE: crate::stubs::TypeHint = crate::stubs::TypeHint::Subscript(
        "collections.abc.Mapping",
        &[
            <K as FromPyObject<'static, 'py>>::INPUT_TYPE,
            <V as FromPyObject<'static, 'py>>::INPUT_TYPE,
        ],
    );

    /// From a `dict`.
    fn extract(object: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        Ok(dict_pairs(object)?.collect())
    }
}

impl<'py, K, V> FromPyObject<'_, 'py> for BTreeMap<K, V>
where
    K: for<'a> FromPyObject<'a, 'py> + Ord,
    V: for<'a> FromPyObject<'a, 'py>,
{
    const INPUT_TYPE: crate::stubs::TypeHint = crate::stubs::TypeHint::Subscript(
        "collections.abc.Mapping",
        &[
            <K as FromPyObject<'static, 'py>>::INPUT_TYPE,
            <V as FromPyObject<'static, 'py>>::INPUT_TYPE,
        ],
    );

    /// From a `dict`.
    fn extract(object: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        Ok(dict_pairs(object)?.collect())
    }
}

impl<'py, T: IntoPyObject<'py>, S> IntoPyObject<'py> for HashSet<T, S> {
    const OUTPUT_TYPE: crate::stubs::TypeHint =
        crate::stubs::TypeHint::Subscript("set", &[T::OUTPUT_TYPE]);

    /// A `set`.
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(PySet::new(py, self)?.into_any())
    }
}

impl<'py, T: IntoPyObject<'py>> IntoPyObject<'py> for BTreeSet<T> {
    const OUTPUT_TYPE: crate::stubs::TypeHint =
        crate::stubs::TypeHint::Subscript("set", &[T::OUTPUT_TYPE]);

    /// A `set`.
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(PySet::new(py, self)?.into_any())
    }
}

/// Extracts every item of a `set` or `frozenset`.
fn set_items<'py, T>(object: Borrowed<'_, 'py, PyAny>) -> PyResult<Vec<T>>
where
    T: for<'a> FromPyObject<'a, 'py>,
{
    let iter = match (object.downcast::<PySet>(), object.downcast::<PyFrozenSet>()) {
        (Ok(set), _) => set.iter()?,
        (_, Ok(frozen)) => frozen.iter()?,
        // Name `set` in the error, not the last type tried.
        (Err(not_a_set), Err(_)) => return Err(not_a_set.into()),
    };
    iter.map(|item| item?.extract()).collect()
}

impl<'py, T, S> FromPyObject<'_, 'py> for HashSet<T, S>
where
    T: for<'a> FromPyObject<'a, 'py> + Eq + Hash,
    S: BuildHasher + Default,
{
    const INPUT_TYPE: crate::stubs::TypeHint = crate::stubs::TypeHint::Subscript(
        "collections.abc.Set",
        &[<T as FromPyObject<'static, 'py>>::INPUT_TYPE],
    );

    /// From a `set` or `frozenset`.
    fn extract(object: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        Ok(set_items(object)?.into_iter().collect())
    }
}

impl<'py, T> FromPyObject<'_, 'py> for BTreeSet<T>
where
    T: for<'a> FromPyObject<'a, 'py> + Ord,
{
    const INPUT_TYPE: crate::stubs::TypeHint = crate::stubs::TypeHint::Subscript(
        "collections.abc.Set",
        &[<T as FromPyObject<'static, 'py>>::INPUT_TYPE],
    );

    /// From a `set` or `frozenset`.
    fn extract(object: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        Ok(set_items(object)?.into_iter().collect())
    }
}
