//! The buffer protocol, PyO3 0.28 style: `__getbuffer__` filling the
//! `ffi::Py_buffer` by hand with a format string it allocates, and
//! `__releasebuffer__` freeing it, as PyO3's own buffer tests do.

use std::ffi::CString;
use std::os::raw::{c_int, c_void};
use std::ptr;

use pyo3_ft::exceptions::PyBufferError;
use pyo3_ft::ffi;
use pyo3_ft::prelude::*;

/// Read-only bytes, exported by hand.
#[pyclass]
struct TestBufferClass {
    vec: Vec<u8>,
}

#[pymethods]
impl TestBufferClass {
    #[new]
    fn new(vec: Vec<u8>) -> Self {
        TestBufferClass { vec }
    }

    unsafe fn __getbuffer__(
        slf: Bound<'_, Self>,
        view: *mut ffi::Py_buffer,
        flags: c_int,
    ) -> PyResult<()> {
        let data = slf.borrow().vec.as_ptr();
        let len = slf.borrow().vec.len();
        fill_view_from_readonly_data(view, flags, data, len, slf.into_any())
    }

    unsafe fn __releasebuffer__(&self, view: *mut ffi::Py_buffer) {
        // Release memory held by the format string.
        if !(*view).format.is_null() {
            drop(CString::from_raw((*view).format));
        }
    }
}

/// # Safety
///
/// `view` must be a valid pointer to `ffi::Py_buffer`, and `data` must
/// live as long as `owner`.
unsafe fn fill_view_from_readonly_data(
    view: *mut ffi::Py_buffer,
    flags: c_int,
    data: *const u8,
    len: usize,
    owner: Bound<'_, PyAny>,
) -> PyResult<()> {
    if view.is_null() {
        return Err(PyBufferError::new_err("View is null"));
    }
    if (flags & ffi::PyBUF_WRITABLE) == ffi::PyBUF_WRITABLE {
        return Err(PyBufferError::new_err("Object is not writable"));
    }
    (*view).obj = owner.into_ptr();
    (*view).buf = data as *mut c_void;
    (*view).len = len as isize;
    (*view).readonly = 1;
    (*view).itemsize = 1;
    (*view).format = if (flags & ffi::PyBUF_FORMAT) == ffi::PyBUF_FORMAT {
        let msg = CString::new("B").unwrap();
        msg.into_raw()
    } else {
        ptr::null_mut()
    };
    (*view).ndim = 1;
    (*view).shape = if (flags & ffi::PyBUF_ND) == ffi::PyBUF_ND {
        &mut (*view).len
    } else {
        ptr::null_mut()
    };
    (*view).strides = if (flags & ffi::PyBUF_STRIDES) == ffi::PyBUF_STRIDES {
        &mut (*view).itemsize
    } else {
        ptr::null_mut()
    };
    (*view).suboffsets = ptr::null_mut();
    (*view).internal = ptr::null_mut();
    Ok(())
}

#[pymodule(submodule)]
pub mod buffers {
    #[pymodule_export]
    use super::TestBufferClass;
}
