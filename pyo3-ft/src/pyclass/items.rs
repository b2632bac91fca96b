//! Static descriptions of a class's methods, properties, slots and class
//! attributes, made by `#[pymethods]` and `#[pyclass]`.

use std::ffi::{c_int, CStr};
use std::marker::PhantomData;

use pyo3_ft_runtime::ffi;

use crate::err::PyResult;
use crate::instance::Bound;
use crate::types::{PyAny, PyType};

/// How a method binds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodKind {
    /// An instance method.
    Instance,
    /// `#[classmethod]`.
    Class,
    /// `#[staticmethod]`.
    Static,
}

/// One method (`METH_FASTCALL | METH_KEYWORDS`).
pub struct MethodDef {
    pub name: &'static CStr,
    pub meth: ffi::PyCFunctionFastWithKeywords,
    pub kind: MethodKind,
    pub doc: &'static CStr,
}

/// One property.
pub struct GetSetDef {
    pub name: &'static CStr,
    pub get: Option<ffi::getter>,
    pub set: Option<ffi::setter>,
    pub doc: &'static CStr,
}

/// One type slot, its function pointer type-erased.
pub struct SlotDef {
    pub slot: c_int,
    pub func: unsafe extern "C" fn(),
}

/// One class attribute (`#[classattr]`, or an enum variant), made from
/// the new type object.
pub struct ClassAttrDef {
    pub name: &'static str,
    pub make: for<'py> fn(&Bound<'py, PyType>) -> PyResult<Bound<'py, PyAny>>,
}

/// Everything one `#[pymethods]` block defines.
pub struct PyClassItems {
    pub methods: &'static [MethodDef],
    pub getsets: &'static [GetSetDef],
    pub slots: &'static [SlotDef],
    pub class_attrs: &'static [ClassAttrDef],
    /// The parameters of `#[new]`, for the class's `__text_signature__`.
    pub new_text_signature: Option<&'static str>,
    /// `#[new]` as a vectorcall function: `Class(...)` skips building an
    /// argument tuple.
    pub new_vectorcall: Option<ffi::vectorcallfunc>,
}

impl PyClassItems {
    /// A class without `#[pymethods]`.
    pub const EMPTY: PyClassItems = PyClassItems {
        methods: &[],
        getsets: &[],
        slots: &[],
        class_attrs: &[],
        new_text_signature: None,
        new_vectorcall: None,
    };
}

/// Finds a class's `#[pymethods]` items by autoref specialization:
/// `#[pymethods]` implements [`PyMethodsItems`] for `ItemsCollector<T>`
/// itself, which method resolution prefers over the fallback for
/// `&ItemsCollector<T>` that returns [`PyClassItems::EMPTY`].
pub struct ItemsCollector<T>(PhantomData<T>);

impl<T> ItemsCollector<T> {
    pub const fn new() -> Self {
        ItemsCollector(PhantomData)
    }
}

impl<T> Default for ItemsCollector<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Clone for ItemsCollector<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for ItemsCollector<T> {}

/// See [`ItemsCollector`].
pub trait PyMethodsItems<T> {
    fn methods_items(self) -> &'static PyClassItems;
}

impl<T> PyMethodsItems<T> for &ItemsCollector<T> {
    fn methods_items(self) -> &'static PyClassItems {
        &PyClassItems::EMPTY
    }
}
