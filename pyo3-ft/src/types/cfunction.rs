//! Builtin functions (`builtin_function_or_method`), and Rust closures as
//! Python callables.

use std::ffi::{CStr, CString};

use pyo3_ft_runtime::ffi;

use super::builtin_type;
use crate::err::PyResult;
use crate::exceptions::PyValueError;
use crate::impl_::{trampoline, IntoPyReturn};
use crate::instance::Bound;
use crate::python::Python;
use crate::types::{PyCapsule, PyDict, PyTuple};

builtin_type!(
    /// A builtin function: `#[pyfunction]`s and closures made by
    /// [`PyCFunction::new_closure`].
    PyCFunction, "builtin_function_or_method", std::ptr::addr_of_mut!(ffi::PyCFunction_Type), |ob| {
        let ty = ffi::Py_TYPE(ob);
        ty == std::ptr::addr_of_mut!(ffi::PyCFunction_Type)
            || ffi::PyType_IsSubtype(ty, std::ptr::addr_of_mut!(ffi::PyCFunction_Type)) != 0
    }
);

/// A closure and the method definition that calls it, owned by the capsule
/// that is the function's `self`. Boxed, so the definition never moves.
struct Closure<F> {
    def: ffi::PyMethodDef,
    closure: F,
    _name: CString,
    _doc: Option<CString>,
}

// SAFETY: the definition's pointers refer to the strings owned alongside
// it, which no one mutates; `F` itself is `Send + Sync` (required below).
unsafe impl<F: Send> Send for Closure<F> {}
// SAFETY: as above.
unsafe impl<F: Sync> Sync for Closure<F> {}

impl PyCFunction {
    /// A Python function that calls `closure(args, kwargs)`.
    ///
    /// Any thread may call the function, at the same time as others, so the
    /// closure must be `Send + Sync + 'static`: share state through atomics
    /// or the framework's locks, not `Rc` or `Cell` (which do not compile).
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::types::PyCFunction;
    ///
    /// Python::attach(|py| {
    ///     let calls = Arc::new(AtomicUsize::new(0));
    ///     let counter = calls.clone();
    ///     let add = PyCFunction::new_closure(py, Some(c"add"), None, move |args, _kwargs| {
    ///         counter.fetch_add(1, Ordering::Relaxed);
    ///         let (a, b): (i64, i64) = args.extract()?;
    ///         Ok::<_, PyErr>(a + b)
    ///     })?;
    ///     assert_eq!(add.call1((2, 3))?.extract::<i64>()?, 5);
    ///     assert_eq!(calls.load(Ordering::Relaxed), 1);
    ///     Ok::<_, PyErr>(())
    /// })?;
    /// # Ok::<(), PyErr>(())
    /// ```
    pub fn new_closure<'py, F, R>(
        py: Python<'py>,
        name: Option<&CStr>,
        doc: Option<&CStr>,
        closure: F,
    ) -> PyResult<Bound<'py, PyCFunction>>
    where
        F: Fn(&Bound<'_, PyTuple>, Option<&Bound<'_, PyDict>>) -> R + Send + Sync + 'static,
        R: for<'a> IntoPyReturn<'a>,
    {
        let name = name.unwrap_or(c"pyo3-closure").to_owned();
        let doc = doc.map(CStr::to_owned);
        if name.is_empty() {
            return Err(PyValueError::new_err("a function name cannot be empty"));
        }
        let call: unsafe extern "C" fn(
            *mut ffi::PyObject,
            *mut ffi::PyObject,
            *mut ffi::PyObject,
        ) -> *mut ffi::PyObject = call_closure::<F, R>;
        let def = ffi::PyMethodDef {
            ml_name: name.as_ptr(),
            // SAFETY: `METH_VARARGS | METH_KEYWORDS` tells CPython to call
            // the function with this three-argument signature.
            ml_meth: Some(unsafe {
                std::mem::transmute::<
                    unsafe extern "C" fn(
                        *mut ffi::PyObject,
                        *mut ffi::PyObject,
                        *mut ffi::PyObject,
                    ) -> *mut ffi::PyObject,
                    ffi::PyCFunction,
                >(call)
            }),
            ml_flags: ffi::METH_VARARGS | ffi::METH_KEYWORDS,
            ml_doc: doc.as_deref().map_or(std::ptr::null(), CStr::as_ptr),
        };
        let capsule = PyCapsule::new(
            py,
            Box::new(Closure {
                def,
                closure,
                _name: name,
                _doc: doc,
            }),
            Some(CAPSULE_NAME.to_owned()),
        )?;
        // SAFETY: the capsule is a `Box<Closure<F>>` made just above.
        let def = unsafe { std::ptr::addr_of!(capsule.reference::<Box<Closure<F>>>().def) };
        // SAFETY: the definition lives in the capsule, which the function
        // keeps alive as its `self`; returns a new function or null.
        unsafe {
            Ok(Bound::from_owned_ptr_or_err(
                py,
                ffi::PyCMethod_New(
                    def.cast_mut(),
                    capsule.as_ptr(),
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                ),
            )?
            .downcast_into_unchecked())
        }
    }
}

/// The name of the capsules that hold closures.
const CAPSULE_NAME: &CStr = c"pyo3_ft.closure";

/// The C entry point of a closure: `capsule` is the function's `self`.
unsafe extern "C" fn call_closure<F, R>(
    capsule: *mut ffi::PyObject,
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
) -> *mut ffi::PyObject
where
    F: Fn(&Bound<'_, PyTuple>, Option<&Bound<'_, PyDict>>) -> R + Send + Sync + 'static,
    R: for<'a> IntoPyReturn<'a>,
{
    // SAFETY: CPython calls this on an attached thread with the capsule
    // made by `new_closure::<F, R>`, an argument tuple, and a keyword dict
    // or null, all alive for the call.
    unsafe {
        trampoline(|py| {
            let capsule =
                Bound::from_borrowed_ptr(py, capsule).downcast_into_unchecked::<PyCapsule>();
            let closure = &capsule.reference::<Box<Closure<F>>>().closure;
            let args = Bound::from_borrowed_ptr(py, args).downcast_into_unchecked::<PyTuple>();
            let kwargs = (!kwargs.is_null())
                .then(|| Bound::from_borrowed_ptr(py, kwargs).downcast_into_unchecked::<PyDict>());
            closure(&args, kwargs.as_ref()).into_py_return(py)
        })
    }
}
