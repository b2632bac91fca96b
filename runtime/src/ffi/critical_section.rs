//! Per-object critical sections (`Include/cpython/critical_section.h`).
//! Free-threaded builds only: on GIL builds the GIL plays their role.

use super::object::PyMutex;

/// `PyCriticalSection`: lives on the stack between `Begin` and `End`.
#[repr(C)]
#[derive(Debug)]
pub struct PyCriticalSection {
    pub _cs_prev: usize,
    pub _cs_mutex: *mut PyMutex,
}

/// `PyCriticalSection2`: the two-object form.
#[repr(C)]
#[derive(Debug)]
pub struct PyCriticalSection2 {
    pub _cs_base: PyCriticalSection,
    pub _cs_mutex2: *mut PyMutex,
}

#[cfg(Py_GIL_DISABLED)]
extern "C" {
    pub fn PyCriticalSection_Begin(c: *mut PyCriticalSection, op: *mut super::object::PyObject);
    pub fn PyCriticalSection_End(c: *mut PyCriticalSection);
    pub fn PyCriticalSection2_Begin(
        c: *mut PyCriticalSection2,
        a: *mut super::object::PyObject,
        b: *mut super::object::PyObject,
    );
    pub fn PyCriticalSection2_End(c: *mut PyCriticalSection2);
}
