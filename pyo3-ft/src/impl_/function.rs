//! `#[pyfunction]` definitions.

use std::ffi::CStr;

use pyo3_ft_runtime::ffi;

use crate::err::{PyErr, PyResult};
use crate::instance::{Bound, Py};
use crate::python::Python;
use crate::sync::PyOnceLock;
use crate::types::{PyAny, PyString};

/// The static definition of one `#[pyfunction]`, made by the macro. Get it
/// with [`wrap_pyfunction!`](crate::wrap_pyfunction).
pub struct PyFunctionDef {
    def: ffi::PyMethodDef,
    /// The function object modules share, with the name of the module it
    /// belongs to (see [`PyFunctionDef::module_function`]).
    shared: PyOnceLock<(String, Py<PyAny>)>,
}

// SAFETY: `def` is immutable after construction and CPython only reads it,
// from any thread; `shared` is `Sync`.
unsafe impl Sync for PyFunctionDef {}

impl PyFunctionDef {
    /// A `METH_FASTCALL | METH_KEYWORDS` function. `doc` starts with the
    /// text signature (`name(a, b, /)\n--\n\n`) that `inspect` reads.
    pub const fn new(
        name: &'static CStr,
        meth: ffi::PyCFunctionFastWithKeywords,
        doc: &'static CStr,
    ) -> Self {
        PyFunctionDef {
            def: ffi::PyMethodDef {
                ml_name: name.as_ptr(),
                // SAFETY: CPython calls `ml_meth` with the signature that
                // `ml_flags` announces, which is `meth`'s.
                ml_meth: Some(unsafe {
                    std::mem::transmute::<ffi::PyCFunctionFastWithKeywords, ffi::PyCFunction>(meth)
                }),
                ml_flags: ffi::METH_FASTCALL | ffi::METH_KEYWORDS,
                ml_doc: doc.as_ptr(),
            },
            shared: PyOnceLock::new(),
        }
    }

    /// The C definition, which CPython only reads.
    fn def_ptr(&'static self) -> *mut ffi::PyMethodDef {
        std::ptr::addr_of!(self.def).cast_mut()
    }

    /// A new function object; `module` (a str, or null) is its
    /// `__module__`.
    fn new_object<'py>(
        &'static self,
        py: Python<'py>,
        module: *mut ffi::PyObject,
    ) -> PyResult<Bound<'py, PyAny>> {
        // SAFETY: the definition is static; `module` is null or a live str;
        // the result is a new function or null with an exception set.
        unsafe {
            Bound::from_owned_ptr_or_err(
                py,
                ffi::PyCMethod_New(
                    self.def_ptr(),
                    std::ptr::null_mut(),
                    module,
                    std::ptr::null_mut(),
                ),
            )
        }
    }

    /// Whether `object` is the function object that modules share (see
    /// [`PyFunctionDef::module_function`]).
    pub(crate) fn is_module_function(&'static self, object: &Bound<'_, PyAny>) -> bool {
        self.shared
            .get()
            .is_some_and(|(_, function)| function.as_ptr() == object.as_ptr())
    }

    /// A standalone function object (not attached to a module).
    pub fn to_object<'py>(&'static self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.new_object(py, std::ptr::null_mut())
    }

    /// The function object for a module named `module`.
    ///
    /// Every module object of that name (a module imported again after
    /// leaving `sys.modules` is a new object) shares one function object,
    /// made immortal on free-threaded builds before any other thread can
    /// see it, so that threads calling it do not contend on its reference
    /// count. It refers to no module object (its `__self__` is `None`), so
    /// it keeps none alive. Added to a module of another name, the
    /// definition gets an ordinary function object of its own.
    pub(crate) fn module_function<'py>(
        &'static self,
        py: Python<'py>,
        module: &Bound<'py, PyString>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let name = module.to_str()?;
        let (owner, shared) = self.shared.get_or_try_init(py, || {
            let function = self.new_object(py, module.as_ptr())?;
            // SAFETY: the function is new and seen only by this closure, and
            // it lives for the rest of the process in `shared`.
            unsafe { crate::immortal::immortalize(&function) };
            Ok::<_, PyErr>((name.to_owned(), function.unbind()))
        })?;
        if owner == name {
            Ok(shared.bind(py).clone())
        } else {
            self.new_object(py, module.as_ptr())
        }
    }
}

/// The [`PyFunctionDef`] of a `#[pyfunction]`, for
/// [`Bound<PyModule>::add_function`](crate::types::PyModule); with a second
/// argument, as in PyO3, the function object for that module (or, given
/// `py`, a standalone one), as a `PyResult`.
///
/// ```
/// use pyo3_ft::prelude::*;
/// use pyo3_ft::types::PyModule;
/// use pyo3_ft::{pyfunction, wrap_pyfunction};
///
/// #[pyfunction]
/// fn double(x: i64) -> i64 {
///     2 * x
/// }
///
/// Python::attach(|py| {
///     let m = PyModule::new(py, "wrap_doc")?;
///     m.add_function(wrap_pyfunction!(double))?;
///     let f = wrap_pyfunction!(double, &m)?;
///     assert_eq!(f.call1((4,))?.extract::<i64>()?, 8);
///     assert_eq!(wrap_pyfunction!(double, py)?.call1((1,))?.extract::<i64>()?, 2);
///     Ok::<_, PyErr>(())
/// })?;
/// # Ok::<(), PyErr>(())
/// ```
#[macro_export]
macro_rules! wrap_pyfunction {
    ($($function:ident)::+, $arg:expr) => {
        $crate::impl_::module::WrapPyFunctionArg::wrap_pyfunction(
            $arg,
            $($function)::+::__pyo3_ft_function_def(),
        )
    };
    ($($function:tt)+) => {
        $($function)+::__pyo3_ft_function_def()
    };
}
