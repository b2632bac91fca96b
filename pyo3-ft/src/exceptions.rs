//! Python's builtin exception types as Rust marker types.
//!
//! Each one names the Python class: `PyTypeError::new_err("...")` makes a
//! lazy [`PyErr`]; `err.is_instance_of::<PyLookupError>(py)` tests against
//! the Python hierarchy (a `KeyError` is a `LookupError`).
//!
//! ```
//! use pyo3_ft::prelude::*;
//! use pyo3_ft::exceptions::{PyArithmeticError, PyOverflowError};
//!
//! let err = PyOverflowError::new_err("too big");
//! Python::attach(|py| assert!(err.is_instance_of::<PyArithmeticError>(py)));
//! assert_eq!(err.to_string(), "OverflowError: too big");
//! ```

use pyo3_ft_runtime::ffi;

use crate::err::{PyErr, PyErrArguments};
use crate::python::Python;
use crate::type_info::{DerefToPyAny, PyTypeInfo};

/// Declares one marker type per builtin exception.
macro_rules! builtin_exceptions {
    ($($rust:ident => $ffi:ident, $name:literal;)*) => {$(
        #[doc = concat!("Python's `", $name, "`.")]
        pub struct $rust {
            _private: [u8; 0],
        }

        impl $rust {
            #[doc = concat!("A lazily created `", $name, "` with `args`.")]
            pub fn new_err<A: PyErrArguments>(args: A) -> PyErr {
                PyErr::new::<Self, A>(args)
            }
        }

        // SAFETY: the static holds the builtin exception type, which lives
        // as long as the interpreter.
        unsafe impl PyTypeInfo for $rust {
            const NAME: &'static str = $name;

            #[inline]
            fn type_object_raw(_py: Python<'_>) -> *mut ffi::PyTypeObject {
                // SAFETY: the interpreter initialized the static before any
                // thread could attach.
                unsafe { ffi::$ffi.cast() }
            }
        }

        impl DerefToPyAny for $rust {}
    )*};
}

builtin_exceptions! {
    PyBaseException => PyExc_BaseException, "BaseException";
    PyException => PyExc_Exception, "Exception";
    PyBaseExceptionGroup => PyExc_BaseExceptionGroup, "BaseExceptionGroup";
    PyStopAsyncIteration => PyExc_StopAsyncIteration, "StopAsyncIteration";
    PyStopIteration => PyExc_StopIteration, "StopIteration";
    PyGeneratorExit => PyExc_GeneratorExit, "GeneratorExit";
    PyArithmeticError => PyExc_ArithmeticError, "ArithmeticError";
    PyLookupError => PyExc_LookupError, "LookupError";
    PyAssertionError => PyExc_AssertionError, "AssertionError";
    PyAttributeError => PyExc_AttributeError, "AttributeError";
    PyBufferError => PyExc_BufferError, "BufferError";
    PyEOFError => PyExc_EOFError, "EOFError";
    PyFloatingPointError => PyExc_FloatingPointError, "FloatingPointError";
    PyOSError => PyExc_OSError, "OSError";
    PyImportError => PyExc_ImportError, "ImportError";
    PyModuleNotFoundError => PyExc_ModuleNotFoundError, "ModuleNotFoundError";
    PyIndexError => PyExc_IndexError, "IndexError";
    PyKeyError => PyExc_KeyError, "KeyError";
    PyKeyboardInterrupt => PyExc_KeyboardInterrupt, "KeyboardInterrupt";
    PyMemoryError => PyExc_MemoryError, "MemoryError";
    PyNameError => PyExc_NameError, "NameError";
    PyOverflowError => PyExc_OverflowError, "OverflowError";
    PyRuntimeError => PyExc_RuntimeError, "RuntimeError";
    PyRecursionError => PyExc_RecursionError, "RecursionError";
    PyNotImplementedError => PyExc_NotImplementedError, "NotImplementedError";
    PySyntaxError => PyExc_SyntaxError, "SyntaxError";
    PyIndentationError => PyExc_IndentationError, "IndentationError";
    PyTabError => PyExc_TabError, "TabError";
    PyReferenceError => PyExc_ReferenceError, "ReferenceError";
    PySystemError => PyExc_SystemError, "SystemError";
    PySystemExit => PyExc_SystemExit, "SystemExit";
    PyTypeError => PyExc_TypeError, "TypeError";
    PyUnboundLocalError => PyExc_UnboundLocalError, "UnboundLocalError";
    PyUnicodeError => PyExc_UnicodeError, "UnicodeError";
    PyUnicodeEncodeError => PyExc_UnicodeEncodeError, "UnicodeEncodeError";
    PyUnicodeDecodeError => PyExc_UnicodeDecodeError, "UnicodeDecodeError";
    PyUnicodeTranslateError => PyExc_UnicodeTranslateError, "UnicodeTranslateError";
    PyValueError => PyExc_ValueError, "ValueError";
    PyZeroDivisionError => PyExc_ZeroDivisionError, "ZeroDivisionError";
    PyBlockingIOError => PyExc_BlockingIOError, "BlockingIOError";
    PyBrokenPipeError => PyExc_BrokenPipeError, "BrokenPipeError";
    PyChildProcessError => PyExc_ChildProcessError, "ChildProcessError";
    PyConnectionError => PyExc_ConnectionError, "ConnectionError";
    PyConnectionAbortedError => PyExc_ConnectionAbortedError, "ConnectionAbortedError";
    PyConnectionRefusedError => PyExc_ConnectionRefusedError, "ConnectionRefusedError";
    PyConnectionResetError => PyExc_ConnectionResetError, "ConnectionResetError";
    PyFileExistsError => PyExc_FileExistsError, "FileExistsError";
    PyFileNotFoundError => PyExc_FileNotFoundError, "FileNotFoundError";
    PyInterruptedError => PyExc_InterruptedError, "InterruptedError";
    PyIsADirectoryError => PyExc_IsADirectoryError, "IsADirectoryError";
    PyNotADirectoryError => PyExc_NotADirectoryError, "NotADirectoryError";
    PyPermissionError => PyExc_PermissionError, "PermissionError";
    PyProcessLookupError => PyExc_ProcessLookupError, "ProcessLookupError";
    PyTimeoutError => PyExc_TimeoutError, "TimeoutError";
    PyWarning => PyExc_Warning, "Warning";
    PyUserWarning => PyExc_UserWarning, "UserWarning";
    PyDeprecationWarning => PyExc_DeprecationWarning, "DeprecationWarning";
    PyPendingDeprecationWarning => PyExc_PendingDeprecationWarning, "PendingDeprecationWarning";
    PySyntaxWarning => PyExc_SyntaxWarning, "SyntaxWarning";
    PyRuntimeWarning => PyExc_RuntimeWarning, "RuntimeWarning";
    PyFutureWarning => PyExc_FutureWarning, "FutureWarning";
    PyImportWarning => PyExc_ImportWarning, "ImportWarning";
    PyUnicodeWarning => PyExc_UnicodeWarning, "UnicodeWarning";
    PyBytesWarning => PyExc_BytesWarning, "BytesWarning";
    PyResourceWarning => PyExc_ResourceWarning, "ResourceWarning";
    PyEncodingWarning => PyExc_EncodingWarning, "EncodingWarning";
}

/// Defines a new exception type, created on first use as
/// `module.Name` deriving from `base`. Add it to your module with
/// `m.add("Name", Name::type_object(py))`.
///
/// ```
/// use pyo3_ft::prelude::*;
/// use pyo3_ft::create_exception;
/// use pyo3_ft::exceptions::PyValueError;
/// use pyo3_ft::type_info::PyTypeInfo;
///
/// create_exception!(mymodule, ParseError, PyValueError, "The input could not be parsed.");
///
/// Python::attach(|py| {
///     let err = ParseError::new_err("bad digit");
///     assert!(err.is_instance_of::<PyValueError>(py));
///     assert_eq!(ParseError::type_object(py).qualname_lossy(), "ParseError");
///     assert_eq!(err.to_string(), "ParseError: bad digit");
/// });
/// ```
#[macro_export]
macro_rules! create_exception {
    ($module:ident, $name:ident, $base:ty) => {
        $crate::create_exception!($module, $name, $base, "");
    };
    ($module:ident, $name:ident, $base:ty, $doc:expr) => {
        #[doc = $doc]
        pub struct $name {
            _private: [u8; 0],
        }

        impl $name {
            /// A lazily created instance of this exception with `args`.
            pub fn new_err<A: $crate::err::PyErrArguments>(args: A) -> $crate::PyErr {
                $crate::PyErr::new::<Self, A>(args)
            }
        }

        // SAFETY: the type object is created once, as a subclass of `$base`.
        unsafe impl $crate::type_info::PyTypeInfo for $name {
            const NAME: &'static str = stringify!($name);

            fn type_object_raw(py: $crate::Python<'_>) -> *mut $crate::runtime::ffi::PyTypeObject {
                static TYPE: $crate::sync::PyOnceLock<$crate::Py<$crate::types::PyType>> =
                    $crate::sync::PyOnceLock::new();
                let ty = TYPE.get_or_init(py, || {
                    $crate::impl_::exceptions::new_exception_type(
                        py,
                        concat!(stringify!($module), ".", stringify!($name)),
                        $doc,
                        <$base as $crate::type_info::PyTypeInfo>::type_object(py),
                    )
                });
                ty.as_ptr().cast()
            }
        }

        impl $crate::type_info::DerefToPyAny for $name {}
    };
}
