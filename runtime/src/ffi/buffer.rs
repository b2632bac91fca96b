//! The buffer protocol (`Include/pybuffer.h`, `PyBufferProcs` from
//! `Include/cpython/object.h`, `PyMemoryView_FromBuffer` from
//! `Include/memoryobject.h`).
//!
//! The layout of `Py_buffer` is part of the stable ABI since 3.11 and the
//! same in every header set the layout test reads.

use std::ffi::{c_char, c_int, c_void};

use super::object::{PyObject, Py_ssize_t};

/// `Py_buffer`: one exported view of an object's memory.
///
/// A consumer fills it with [`PyObject_GetBuffer`] and gives it back with
/// [`PyBuffer_Release`], passing the same struct (at the same address:
/// exporters may point `shape` or `strides` into it, as
/// [`PyBuffer_FillInfo`] points `strides` at `itemsize`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct Py_buffer {
    pub buf: *mut c_void,
    /// A strong reference to the exporter, released by `PyBuffer_Release`;
    /// null on error.
    pub obj: *mut PyObject,
    pub len: Py_ssize_t,
    pub itemsize: Py_ssize_t,
    pub readonly: c_int,
    pub ndim: c_int,
    pub format: *mut c_char,
    pub shape: *mut Py_ssize_t,
    pub strides: *mut Py_ssize_t,
    pub suboffsets: *mut Py_ssize_t,
    pub internal: *mut c_void,
}

impl Py_buffer {
    /// An empty view (every field zero or null), for a consumer to fill.
    pub const fn new() -> Self {
        Py_buffer {
            buf: std::ptr::null_mut(),
            obj: std::ptr::null_mut(),
            len: 0,
            itemsize: 0,
            readonly: 0,
            ndim: 0,
            format: std::ptr::null_mut(),
            shape: std::ptr::null_mut(),
            strides: std::ptr::null_mut(),
            suboffsets: std::ptr::null_mut(),
            internal: std::ptr::null_mut(),
        }
    }
}

impl Default for Py_buffer {
    fn default() -> Self {
        Self::new()
    }
}

/// `getbufferproc`: the `bf_getbuffer` slot.
pub type getbufferproc = unsafe extern "C" fn(*mut PyObject, *mut Py_buffer, c_int) -> c_int;
/// `releasebufferproc`: the `bf_releasebuffer` slot.
pub type releasebufferproc = unsafe extern "C" fn(*mut PyObject, *mut Py_buffer);

/// `PyBufferProcs`, what `tp_as_buffer` points to (heap types fill it from
/// the `Py_bf_getbuffer` / `Py_bf_releasebuffer` slots).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct PyBufferProcs {
    pub bf_getbuffer: Option<getbufferproc>,
    pub bf_releasebuffer: Option<releasebufferproc>,
}

/// `PyBUF_MAX_NDIM`.
pub const PyBUF_MAX_NDIM: c_int = 64;

// Request flags (`inspect.BufferFlags`).
pub const PyBUF_SIMPLE: c_int = 0;
pub const PyBUF_WRITABLE: c_int = 0x0001;
pub const PyBUF_WRITEABLE: c_int = PyBUF_WRITABLE;
pub const PyBUF_FORMAT: c_int = 0x0004;
pub const PyBUF_ND: c_int = 0x0008;
pub const PyBUF_STRIDES: c_int = 0x0010 | PyBUF_ND;
pub const PyBUF_C_CONTIGUOUS: c_int = 0x0020 | PyBUF_STRIDES;
pub const PyBUF_F_CONTIGUOUS: c_int = 0x0040 | PyBUF_STRIDES;
pub const PyBUF_ANY_CONTIGUOUS: c_int = 0x0080 | PyBUF_STRIDES;
pub const PyBUF_INDIRECT: c_int = 0x0100 | PyBUF_STRIDES;
pub const PyBUF_CONTIG: c_int = PyBUF_ND | PyBUF_WRITABLE;
pub const PyBUF_CONTIG_RO: c_int = PyBUF_ND;
pub const PyBUF_STRIDED: c_int = PyBUF_STRIDES | PyBUF_WRITABLE;
pub const PyBUF_STRIDED_RO: c_int = PyBUF_STRIDES;
pub const PyBUF_RECORDS: c_int = PyBUF_STRIDES | PyBUF_WRITABLE | PyBUF_FORMAT;
pub const PyBUF_RECORDS_RO: c_int = PyBUF_STRIDES | PyBUF_FORMAT;
pub const PyBUF_FULL: c_int = PyBUF_INDIRECT | PyBUF_WRITABLE | PyBUF_FORMAT;
pub const PyBUF_FULL_RO: c_int = PyBUF_INDIRECT | PyBUF_FORMAT;

// `PyMemoryView_FromMemory` flags.
pub const PyBUF_READ: c_int = 0x100;
pub const PyBUF_WRITE: c_int = 0x200;

extern "C" {
    /// 1 if `obj` supports the buffer protocol, else 0. Never fails.
    pub fn PyObject_CheckBuffer(obj: *mut PyObject) -> c_int;
    /// Fills `view` as `flags` request; -1 with an exception set (and
    /// `view->obj` null) on failure.
    pub fn PyObject_GetBuffer(obj: *mut PyObject, view: *mut Py_buffer, flags: c_int) -> c_int;
    /// Releases `view` (calls the exporter's `bf_releasebuffer`, then drops
    /// `view->obj`); a view whose `obj` is null is left alone.
    pub fn PyBuffer_Release(view: *mut Py_buffer);
    pub fn PyBuffer_GetPointer(view: *const Py_buffer, indices: *const Py_ssize_t) -> *mut c_void;
    pub fn PyBuffer_SizeFromFormat(format: *const c_char) -> Py_ssize_t;
    pub fn PyBuffer_ToContiguous(
        buf: *mut c_void,
        view: *const Py_buffer,
        len: Py_ssize_t,
        order: c_char,
    ) -> c_int;
    pub fn PyBuffer_FromContiguous(
        view: *const Py_buffer,
        buf: *const c_void,
        len: Py_ssize_t,
        order: c_char,
    ) -> c_int;
    pub fn PyObject_CopyData(dest: *mut PyObject, src: *mut PyObject) -> c_int;
    /// 1 if `view` is contiguous in `order` (`'C'`, `'F'` or `'A'`: either).
    pub fn PyBuffer_IsContiguous(view: *const Py_buffer, order: c_char) -> c_int;
    pub fn PyBuffer_FillContiguousStrides(
        ndims: c_int,
        shape: *mut Py_ssize_t,
        strides: *mut Py_ssize_t,
        itemsize: c_int,
        order: c_char,
    );
    /// Fills `view` for an exporter of `len` contiguous unsigned bytes at
    /// `buf`, owned by `o` (a new reference to it goes into `view->obj`);
    /// -1 with `BufferError` set (and `view->obj` null) when `flags` ask
    /// for a writable view of read-only memory.
    pub fn PyBuffer_FillInfo(
        view: *mut Py_buffer,
        o: *mut PyObject,
        buf: *mut c_void,
        len: Py_ssize_t,
        readonly: c_int,
        flags: c_int,
    ) -> c_int;

    pub fn PyMemoryView_FromMemory(
        mem: *mut c_char,
        size: Py_ssize_t,
        flags: c_int,
    ) -> *mut PyObject;
    pub fn PyMemoryView_FromBuffer(info: *const Py_buffer) -> *mut PyObject;
    pub fn PyMemoryView_GetContiguous(
        base: *mut PyObject,
        buffertype: c_int,
        order: c_char,
    ) -> *mut PyObject;
}
