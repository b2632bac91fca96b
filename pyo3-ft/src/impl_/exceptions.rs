//! Support for `create_exception!` and `import_exception!`.

use std::ffi::CString;

use pyo3_ft_runtime::ffi;

use crate::instance::{Bound, Py};
use crate::python::Python;
use crate::types::PyType;

/// Creates the exception type `qualified_name` (e.g. `mod.Error`).
///
/// # Panics
/// If the names contain NUL or CPython refuses the base (a bug in the
/// `create_exception!` call).
pub fn new_exception_type(
    py: Python<'_>,
    qualified_name: &str,
    doc: &str,
    base: Bound<'_, PyType>,
) -> Py<PyType> {
    let name = CString::new(qualified_name).expect("exception names contain no NUL");
    let doc = CString::new(doc).expect("exception docs contain no NUL");
    // SAFETY: the strings are valid C strings and `base` a type; returns a
    // new type or null.
    let created = unsafe {
        Bound::from_owned_ptr_or_err(
            py,
            ffi::PyErr_NewExceptionWithDoc(
                name.as_ptr(),
                doc.as_ptr(),
                base.as_ptr(),
                std::ptr::null_mut(),
            ),
        )
    };
    let created =
        created.unwrap_or_else(|err| panic!("cannot create exception {qualified_name}: {err}"));
    // SAFETY: `PyErr_NewExceptionWithDoc` returns a type.
    unsafe { created.downcast_into_unchecked::<PyType>() }.unbind()
}

/// The exception type `name` of Python module `module` (given with a
/// trailing dot, as `import_exception!` builds it).
///
/// # Panics
/// If the module cannot be imported or `name` is not a type in it.
pub fn import_exception_type(py: Python<'_>, module: &str, name: &str) -> Py<PyType> {
    let module = module.strip_suffix('.').unwrap_or(module);
    let imported = py
        .import(module)
        .and_then(|m| m.get(name))
        .and_then(|ty| Ok(ty.downcast_into::<PyType>()?));
    match imported {
        Ok(ty) => ty.unbind(),
        Err(err) => panic!("cannot import exception {module}.{name}: {err}"),
    }
}
