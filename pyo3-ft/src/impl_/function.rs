//! `#[pyfunction]` definitions.

use std::ffi::CStr;

use pyo3_ft_runtime::ffi;

use crate::err::PyResult;
use crate::instance::Bound;
use crate::python::Python;
use crate::types::PyAny;

/// The static definition of one `#[pyfunction]`, made by the macro. Get it
/// with [`wrap_pyfunction!`](crate::wrap_pyfunction).
pub struct PyFunctionDef {
    def: ffi::PyMethodDef,
}

// SAFETY: the definition is immutable after construction; CPython only reads
// it, from any thread.
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
        }
    }

    /// The C definition, for `PyModule_AddFunctions` and `PyCMethod_New`.
    pub(crate) fn raw(&'static self) -> ffi::PyMethodDef {
        self.def
    }

    /// A standalone function object (not attached to a module).
    pub fn to_object<'py>(&'static self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let def = Box::leak(Box::new(self.raw()));
        // SAFETY: `def` lives forever; the result is a new function or null.
        unsafe {
            Bound::from_owned_ptr_or_err(
                py,
                ffi::PyCMethod_New(
                    def,
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                ),
            )
        }
    }
}

/// The [`PyFunctionDef`] of a `#[pyfunction]`, for
/// [`Bound<PyModule>::add_function`](crate::types::PyModule).
#[macro_export]
macro_rules! wrap_pyfunction {
    ($($function:tt)+) => {
        $($function)+::__pyo3_ft_function_def()
    };
}
