//! Python objects themselves, `Option` and `()`.

use super::{FromPyObject, IntoPyObject};
use crate::err::PyResult;
use crate::instance::{Borrowed, Bound, Py};
use crate::python::Python;
use crate::type_info::PyTypeInfo;
use crate::types::PyAny;

impl<'py, T: PyTypeInfo> IntoPyObject<'py> for Bound<'py, T> {
    const OUTPUT_TYPE: crate::stubs::TypeHint = T::TYPE_HINT;

    #[inline]
    fn into_pyobject(self, _py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(self.into_any())
    }
}

impl<'py, T: PyTypeInfo> IntoPyObject<'py> for &Bound<'py, T> {
    const OUTPUT_TYPE: crate::stubs::TypeHint = T::TYPE_HINT;

    #[inline]
    fn into_pyobject(self, _py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(self.as_any().clone())
    }
}

impl<'py, T: PyTypeInfo> IntoPyObject<'py> for Borrowed<'_, 'py, T> {
    const OUTPUT_TYPE: crate::stubs::TypeHint = T::TYPE_HINT;

    #[inline]
    fn into_pyobject(self, _py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(self.to_owned().into_any())
    }
}

impl<'py, T: PyTypeInfo> IntoPyObject<'py> for Py<T> {
    const OUTPUT_TYPE: crate::stubs::TypeHint = T::TYPE_HINT;

    #[inline]
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(self.into_bound(py).into_any())
    }
}

impl<'py, T: PyTypeInfo> IntoPyObject<'py> for &Py<T> {
    const OUTPUT_TYPE: crate::stubs::TypeHint = T::TYPE_HINT;

    #[inline]
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(self.bind(py).as_any().clone())
    }
}

impl<'py, T: PyTypeInfo> FromPyObject<'_, 'py> for Bound<'py, T> {
    const INPUT_TYPE: crate::stubs::TypeHint = T::TYPE_HINT;

    /// A type-checked new reference (`TypeError` naming both types).
    #[inline]
    fn extract(object: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        Ok(object.downcast::<T>()?.to_owned())
    }
}

impl<'py, T: PyTypeInfo> FromPyObject<'_, 'py> for Py<T> {
    const INPUT_TYPE: crate::stubs::TypeHint = T::TYPE_HINT;

    /// A type-checked new reference (`TypeError` naming both types).
    #[inline]
    fn extract(object: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        Ok(object.downcast::<T>()?.to_owned().unbind())
    }
}

impl<'py, T: IntoPyObject<'py>> IntoPyObject<'py> for Option<T> {
    const OUTPUT_TYPE: crate::stubs::TypeHint =
        crate::stubs::TypeHint::Union(&[T::OUTPUT_TYPE, crate::stubs::TypeHint::NONE]);

    /// `None` for `None`.
    #[inline]
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self {
            Some(value) => value.into_pyobject(py),
            None => Ok(py.none()),
        }
    }
}

impl<'a, 'py, T: FromPyObject<'a, 'py>> FromPyObject<'a, 'py> for Option<T> {
    const INPUT_TYPE: crate::stubs::TypeHint =
        crate::stubs::TypeHint::Union(&[T::INPUT_TYPE, crate::stubs::TypeHint::NONE]);

    /// `None` for `None`.
    #[inline]
    fn extract(object: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if object.is_none() {
            Ok(None)
        } else {
            T::extract(object).map(Some)
        }
    }
}

impl<'py> IntoPyObject<'py> for () {
    const OUTPUT_TYPE: crate::stubs::TypeHint = crate::stubs::TypeHint::NONE;

    /// `None`, as a function without a return value.
    #[inline]
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(py.none())
    }
}

impl FromPyObject<'_, '_> for () {
    const INPUT_TYPE: crate::stubs::TypeHint = crate::stubs::TypeHint::NONE;

    /// Accepts `None` only.
    fn extract(object: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        object.downcast::<crate::types::PyNone>()?;
        Ok(())
    }
}
