//! [`PyAny`]: any Python object, and the object protocol.

use std::ffi::c_int;

use pyo3_ft_runtime::ffi;

use crate::conversion::{FromPyObject, IntoPyObject, IntoPyTuple};
use crate::err::{PyErr, PyResult};
use crate::instance::Bound;
use crate::type_info::PyTypeInfo;
use crate::types::{PyDict, PyIterator, PyString, PyType};
use crate::Python;

/// Any Python object: `Bound<'py, PyAny>` carries the object protocol.
pub struct PyAny {
    _private: [u8; 0],
}

// SAFETY: `object` is the base of every type, and every object is one.
unsafe impl PyTypeInfo for PyAny {
    const NAME: &'static str = "object";

    #[inline]
    fn type_object_raw(_py: Python<'_>) -> *mut ffi::PyTypeObject {
        std::ptr::addr_of_mut!(ffi::PyBaseObject_Type)
    }

    #[inline]
    fn is_type_of(_object: &Bound<'_, PyAny>) -> bool {
        true
    }
}

/// The rich comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CompareOp {
    /// The C API constant (`Py_LT`, ...).
    pub fn as_raw(self) -> c_int {
        match self {
            CompareOp::Lt => ffi::Py_LT,
            CompareOp::Le => ffi::Py_LE,
            CompareOp::Eq => ffi::Py_EQ,
            CompareOp::Ne => ffi::Py_NE,
            CompareOp::Gt => ffi::Py_GT,
            CompareOp::Ge => ffi::Py_GE,
        }
    }

    /// Whether `ordering` satisfies the operator: what a `__richcmp__`
    /// written against `Ord` returns.
    ///
    /// ```
    /// use std::cmp::Ordering;
    /// use pyo3_ft::types::CompareOp;
    ///
    /// assert!(CompareOp::Le.matches(Ordering::Equal));
    /// assert!(!CompareOp::Gt.matches(Ordering::Less));
    /// ```
    pub fn matches(self, ordering: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::{Equal, Greater, Less};
        match self {
            CompareOp::Lt => ordering == Less,
            CompareOp::Le => ordering != Greater,
            CompareOp::Eq => ordering == Equal,
            CompareOp::Ne => ordering != Equal,
            CompareOp::Gt => ordering == Greater,
            CompareOp::Ge => ordering != Less,
        }
    }

    /// The operator for a C API constant.
    pub fn from_raw(op: c_int) -> Option<CompareOp> {
        [
            CompareOp::Lt,
            CompareOp::Le,
            CompareOp::Eq,
            CompareOp::Ne,
            CompareOp::Gt,
            CompareOp::Ge,
        ]
        .into_iter()
        .find(|candidate| candidate.as_raw() == op)
    }
}

/// Turns a C status (`-1` = error) into a `PyResult`.
pub(crate) fn check_status(py: Python<'_>, status: c_int) -> PyResult<()> {
    if status == -1 {
        Err(PyErr::fetch(py))
    } else {
        Ok(())
    }
}

/// Turns a C predicate (`-1` = error, `0`, `1`) into a `PyResult<bool>`.
pub(crate) fn check_bool(py: Python<'_>, status: c_int) -> PyResult<bool> {
    check_status(py, status).map(|()| status == 1)
}

impl<'py> Bound<'py, PyAny> {
    /// PyO3 0.27's name for [`Bound::downcast`]: checks the type and
    /// returns `&Bound<T>`.
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::types::PyList;
    ///
    /// Python::attach(|py| {
    ///     let obj = py.eval("[1]", None, None)?;
    ///     assert_eq!(obj.cast::<PyList>()?.len(), 1);
    ///     assert!(obj.clone().cast_into::<PyList>().is_ok());
    ///     Ok::<_, PyErr>(())
    /// })?;
    /// # Ok::<(), PyErr>(())
    /// ```
    #[inline]
    pub fn cast<T: PyTypeInfo>(
        &self,
    ) -> Result<&Bound<'py, T>, crate::type_info::DowncastError<'_, 'py>> {
        self.downcast()
    }

    /// PyO3 0.27's name for [`Bound::downcast_into`].
    #[inline]
    pub fn cast_into<T: PyTypeInfo>(
        self,
    ) -> Result<Bound<'py, T>, crate::type_info::DowncastIntoError<'py>> {
        self.downcast_into()
    }

    /// Runs a C call that returns a new reference (or null with an
    /// exception set) and wraps the result.
    ///
    /// # Safety
    /// `call` must follow that convention.
    #[inline]
    pub(crate) unsafe fn wrap(&self, call: *mut ffi::PyObject) -> PyResult<Bound<'py, PyAny>> {
        // SAFETY: the caller's contract is `from_owned_ptr_or_err`'s.
        unsafe { Bound::from_owned_ptr_or_err(self.py(), call) }
    }

    /// `getattr(self, name)`.
    pub fn getattr<N: IntoPyObject<'py>>(&self, name: N) -> PyResult<Bound<'py, PyAny>> {
        let name = name.into_pyobject(self.py())?;
        // SAFETY: both objects are alive.
        unsafe { self.wrap(ffi::PyObject_GetAttr(self.as_ptr(), name.as_ptr())) }
    }

    /// `getattr(self, name, None)`, but telling "absent" (`Ok(None)`) from
    /// other errors.
    pub fn getattr_opt<N: IntoPyObject<'py>>(
        &self,
        name: N,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let py = self.py();
        let name = name.into_pyobject(py)?;
        let mut result = std::ptr::null_mut();
        // SAFETY: both objects are alive; `result` receives a new reference
        // when the status is 1.
        let status =
            unsafe { ffi::PyObject_GetOptionalAttr(self.as_ptr(), name.as_ptr(), &mut result) };
        // SAFETY: status 1 means `result` is an owned reference.
        check_bool(py, status)
            .map(|found| found.then(|| unsafe { Bound::from_owned_ptr(py, result) }))
    }

    /// `hasattr(self, name)`, propagating errors other than `AttributeError`.
    pub fn hasattr<N: IntoPyObject<'py>>(&self, name: N) -> PyResult<bool> {
        let name = name.into_pyobject(self.py())?;
        // SAFETY: both objects are alive.
        check_bool(self.py(), unsafe {
            ffi::PyObject_HasAttrWithError(self.as_ptr(), name.as_ptr())
        })
    }

    /// `setattr(self, name, value)`.
    pub fn setattr<N: IntoPyObject<'py>, V: IntoPyObject<'py>>(
        &self,
        name: N,
        value: V,
    ) -> PyResult<()> {
        let py = self.py();
        let (name, value) = (name.into_pyobject(py)?, value.into_pyobject(py)?);
        // SAFETY: all objects are alive.
        check_status(py, unsafe {
            ffi::PyObject_SetAttr(self.as_ptr(), name.as_ptr(), value.as_ptr())
        })
    }

    /// `delattr(self, name)`.
    pub fn delattr<N: IntoPyObject<'py>>(&self, name: N) -> PyResult<()> {
        let name = name.into_pyobject(self.py())?;
        // SAFETY: both objects are alive.
        check_status(self.py(), unsafe {
            ffi::PyObject_DelAttr(self.as_ptr(), name.as_ptr())
        })
    }

    /// `self(*args, **kwargs)`.
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::types::PyDict;
    ///
    /// Python::attach(|py| {
    ///     let int = py.eval("int", None, None)?;
    ///     let kwargs = PyDict::new(py);
    ///     kwargs.set_item("base", 16)?;
    ///     assert_eq!(int.call(("ff",), Some(&kwargs))?.extract::<i32>()?, 255);
    ///     Ok::<_, PyErr>(())
    /// })?;
    /// # Ok::<(), PyErr>(())
    /// ```
    pub fn call<A: IntoPyTuple<'py>>(
        &self,
        args: A,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let Some(kwargs) = kwargs else {
            return args.call_positional(self);
        };
        let args = args.into_py_tuple(self.py())?;
        let kwargs = kwargs.as_ptr();
        // SAFETY: all objects are alive; `kwargs` may be null.
        unsafe { self.wrap(ffi::PyObject_Call(self.as_ptr(), args.as_ptr(), kwargs)) }
    }

    /// `self()`.
    pub fn call0(&self) -> PyResult<Bound<'py, PyAny>> {
        // SAFETY: `self` is alive.
        unsafe { self.wrap(ffi::PyObject_CallNoArgs(self.as_ptr())) }
    }

    /// `self(*args)`.
    pub fn call1<A: IntoPyTuple<'py>>(&self, args: A) -> PyResult<Bound<'py, PyAny>> {
        args.call_positional(self)
    }

    /// `self.name(*args, **kwargs)`.
    pub fn call_method<N: IntoPyObject<'py>, A: IntoPyTuple<'py>>(
        &self,
        name: N,
        args: A,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.getattr(name)?.call(args, kwargs)
    }

    /// `self.name()`.
    pub fn call_method0<N: IntoPyObject<'py>>(&self, name: N) -> PyResult<Bound<'py, PyAny>> {
        let name = name.into_pyobject(self.py())?;
        // With `PY_VECTORCALL_ARGUMENTS_OFFSET`, `PyObject_VectorcallMethod`
        // may change `args[0]` (the slot of `self`) while it calls a bound
        // method found on the object (CPython's docs of the flag), so the
        // array is mutable and the pointer derives from a unique borrow.
        let mut args = [self.as_ptr()];
        // SAFETY: `args` holds one live object and outlives the call; the
        // callee restores `args[0]` before returning.
        unsafe {
            self.wrap(ffi::PyObject_VectorcallMethod(
                name.as_ptr(),
                args.as_mut_ptr(),
                1 | ffi::PY_VECTORCALL_ARGUMENTS_OFFSET,
                std::ptr::null_mut(),
            ))
        }
    }

    /// `self.name(*args)`.
    pub fn call_method1<N: IntoPyObject<'py>, A: IntoPyTuple<'py>>(
        &self,
        name: N,
        args: A,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.call_method(name, args, None)
    }

    /// `repr(self)`.
    pub fn repr(&self) -> PyResult<Bound<'py, PyString>> {
        // SAFETY: `self` is alive; the result of `repr` is a str.
        unsafe {
            Ok(self
                .wrap(ffi::PyObject_Repr(self.as_ptr()))?
                .downcast_into_unchecked())
        }
    }

    /// `str(self)`.
    pub fn str(&self) -> PyResult<Bound<'py, PyString>> {
        // SAFETY: `self` is alive; the result of `str` is a str.
        unsafe {
            Ok(self
                .wrap(ffi::PyObject_Str(self.as_ptr()))?
                .downcast_into_unchecked())
        }
    }

    /// `self <op> other`, returning whatever the comparison returns.
    pub fn rich_compare<O: IntoPyObject<'py>>(
        &self,
        other: O,
        op: CompareOp,
    ) -> PyResult<Bound<'py, PyAny>> {
        let other = other.into_pyobject(self.py())?;
        // SAFETY: both objects are alive.
        unsafe {
            self.wrap(ffi::PyObject_RichCompare(
                self.as_ptr(),
                other.as_ptr(),
                op.as_raw(),
            ))
        }
    }

    fn compare_bool<O: IntoPyObject<'py>>(&self, other: O, op: CompareOp) -> PyResult<bool> {
        let other = other.into_pyobject(self.py())?;
        // SAFETY: both objects are alive.
        check_bool(self.py(), unsafe {
            ffi::PyObject_RichCompareBool(self.as_ptr(), other.as_ptr(), op.as_raw())
        })
    }

    /// `self == other`.
    pub fn eq<O: IntoPyObject<'py>>(&self, other: O) -> PyResult<bool> {
        self.compare_bool(other, CompareOp::Eq)
    }

    /// `self != other`.
    pub fn ne<O: IntoPyObject<'py>>(&self, other: O) -> PyResult<bool> {
        self.compare_bool(other, CompareOp::Ne)
    }

    /// `self < other`.
    pub fn lt<O: IntoPyObject<'py>>(&self, other: O) -> PyResult<bool> {
        self.compare_bool(other, CompareOp::Lt)
    }

    /// `self <= other`.
    pub fn le<O: IntoPyObject<'py>>(&self, other: O) -> PyResult<bool> {
        self.compare_bool(other, CompareOp::Le)
    }

    /// `self > other`.
    pub fn gt<O: IntoPyObject<'py>>(&self, other: O) -> PyResult<bool> {
        self.compare_bool(other, CompareOp::Gt)
    }

    /// `self >= other`.
    pub fn ge<O: IntoPyObject<'py>>(&self, other: O) -> PyResult<bool> {
        self.compare_bool(other, CompareOp::Ge)
    }

    /// `hash(self)`.
    pub fn hash(&self) -> PyResult<isize> {
        // SAFETY: `self` is alive.
        let hash = unsafe { ffi::PyObject_Hash(self.as_ptr()) };
        if hash == -1 {
            if let Some(err) = PyErr::take(self.py()) {
                return Err(err);
            }
        }
        Ok(hash)
    }

    /// `len(self)`.
    pub fn len(&self) -> PyResult<usize> {
        // SAFETY: `self` is alive.
        let len = unsafe { ffi::PyObject_Size(self.as_ptr()) };
        if len < 0 {
            return Err(PyErr::fetch(self.py()));
        }
        Ok(len as usize)
    }

    /// `len(self) == 0`.
    pub fn is_empty(&self) -> PyResult<bool> {
        self.len().map(|len| len == 0)
    }

    /// `iter(self)`.
    pub fn try_iter(&self) -> PyResult<Bound<'py, PyIterator>> {
        // SAFETY: `self` is alive; `iter()` returns an iterator.
        unsafe {
            Ok(self
                .wrap(ffi::PyObject_GetIter(self.as_ptr()))?
                .downcast_into_unchecked())
        }
    }

    /// `value in self`.
    pub fn contains<V: IntoPyObject<'py>>(&self, value: V) -> PyResult<bool> {
        let value = value.into_pyobject(self.py())?;
        // SAFETY: both objects are alive.
        check_bool(self.py(), unsafe {
            ffi::PySequence_Contains(self.as_ptr(), value.as_ptr())
        })
    }

    /// `self[key]`.
    pub fn get_item<K: IntoPyObject<'py>>(&self, key: K) -> PyResult<Bound<'py, PyAny>> {
        let key = key.into_pyobject(self.py())?;
        // SAFETY: both objects are alive.
        unsafe { self.wrap(ffi::PyObject_GetItem(self.as_ptr(), key.as_ptr())) }
    }

    /// `self[key] = value`.
    pub fn set_item<K: IntoPyObject<'py>, V: IntoPyObject<'py>>(
        &self,
        key: K,
        value: V,
    ) -> PyResult<()> {
        let py = self.py();
        let (key, value) = (key.into_pyobject(py)?, value.into_pyobject(py)?);
        // SAFETY: all objects are alive.
        check_status(py, unsafe {
            ffi::PyObject_SetItem(self.as_ptr(), key.as_ptr(), value.as_ptr())
        })
    }

    /// `del self[key]`.
    pub fn del_item<K: IntoPyObject<'py>>(&self, key: K) -> PyResult<()> {
        let key = key.into_pyobject(self.py())?;
        // SAFETY: both objects are alive.
        check_status(self.py(), unsafe {
            ffi::PyObject_DelItem(self.as_ptr(), key.as_ptr())
        })
    }

    /// `isinstance(self, ty)`.
    pub fn is_instance(&self, ty: &Bound<'py, PyAny>) -> PyResult<bool> {
        // SAFETY: both objects are alive.
        check_bool(self.py(), unsafe {
            ffi::PyObject_IsInstance(self.as_ptr(), ty.as_ptr())
        })
    }

    /// `isinstance(self, T)` for a Rust-named type.
    #[inline]
    pub fn is_instance_of<T: PyTypeInfo>(&self) -> bool {
        T::is_type_of(self)
    }

    /// `bool(self)`.
    pub fn is_truthy(&self) -> PyResult<bool> {
        // SAFETY: `self` is alive.
        check_bool(self.py(), unsafe { ffi::PyObject_IsTrue(self.as_ptr()) })
    }

    /// `self is None`.
    #[inline]
    pub fn is_none(&self) -> bool {
        self.as_ptr() == ffi::Py_None()
    }

    /// `callable(self)`.
    pub fn is_callable(&self) -> bool {
        // SAFETY: `self` is alive; the check cannot fail.
        unsafe { ffi::PyCallable_Check(self.as_ptr()) != 0 }
    }

    /// `type(self)`.
    #[inline]
    pub fn get_type(&self) -> Bound<'py, PyType> {
        // SAFETY: an object's type is alive while the object is.
        unsafe {
            Bound::from_borrowed_ptr(self.py(), ffi::Py_TYPE(self.as_ptr()).cast())
                .downcast_into_unchecked()
        }
    }

    /// `dir(self)`.
    pub fn dir(&self) -> PyResult<Bound<'py, crate::types::PyList>> {
        // SAFETY: `self` is alive; `dir()` returns a list.
        unsafe {
            Ok(self
                .wrap(ffi::PyObject_Dir(self.as_ptr()))?
                .downcast_into_unchecked())
        }
    }

    /// Converts to a Rust value (see [`FromPyObject`]).
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    ///
    /// Python::attach(|py| {
    ///     let obj = py.eval("[1, 2, 3]", None, None)?;
    ///     assert_eq!(obj.extract::<Vec<u8>>()?, vec![1, 2, 3]);
    ///     let err = obj.extract::<String>().unwrap_err();
    ///     assert_eq!(err.to_string(), "TypeError: 'list' object cannot be converted to 'str'");
    ///     Ok::<_, PyErr>(())
    /// })?;
    /// # Ok::<(), PyErr>(())
    /// ```
    #[inline]
    pub fn extract<'a, T: FromPyObject<'a, 'py>>(&'a self) -> PyResult<T> {
        T::extract(self.as_borrowed())
    }
}
