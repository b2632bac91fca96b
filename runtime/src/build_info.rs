//! Facts about the interpreter this crate was compiled against.

/// True when compiled against a free-threaded (`--disable-gil`) CPython.
///
/// ```
/// // The provisioned interpreter of this workspace's tests may be either.
/// let _ = pyo3_ft_runtime::build_info::GIL_DISABLED;
/// ```
pub const GIL_DISABLED: bool = cfg!(Py_GIL_DISABLED);

/// The minor version of CPython 3 compiled against (13, 14 or 15).
pub const PYTHON_MINOR: u32 = if cfg!(Py_3_15) {
    15
} else if cfg!(Py_3_14) {
    14
} else {
    13
};

/// True when reference counts are updated inline (biased reference counting
/// on free-threaded builds), false when `Py_IncRef` / `Py_DecRef` are called.
pub const INLINE_REFCOUNT: bool = crate::ffi::is_inline();
