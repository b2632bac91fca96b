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
            const TYPE_HINT: crate::stubs::TypeHint = crate::stubs::TypeHint::Name($name);

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
/// `module.Name` deriving from `base`; the module may be dotted
/// (`package.module`). Add it to your module with
/// `m.add("Name", Name::type_object(py))`, or with `#[pymodule_export] use`
/// in a declarative `#[pymodule] mod`.
///
/// ```
/// use pyo3_ft::prelude::*;
/// use pyo3_ft::create_exception;
/// use pyo3_ft::exceptions::PyValueError;
/// use pyo3_ft::type_info::PyTypeInfo;
///
/// create_exception!(mypackage.mymodule, ParseError, PyValueError, "The input could not be parsed.");
///
/// Python::attach(|py| {
///     let err = ParseError::new_err("bad digit");
///     assert!(err.is_instance_of::<PyValueError>(py));
///     let ty = ParseError::type_object(py);
///     assert_eq!(ty.qualname_lossy(), "ParseError");
///     assert_eq!(ty.getattr("__module__")?.extract::<String>()?, "mypackage.mymodule");
///     assert_eq!(err.to_string(), "ParseError: bad digit");
///     Ok::<_, PyErr>(())
/// })?;
/// # Ok::<(), PyErr>(())
/// ```
#[macro_export]
macro_rules! create_exception {
    ($($module:ident).+, $name:ident, $base:ty) => {
        $crate::create_exception!($($module).+, $name, $base, "");
    };
    ($($module:ident).+, $name:ident, $base:ty, $doc:expr) => {
        $crate::__exception_type!(
            $name,
            $doc,
            |py| $crate::impl_::exceptions::new_exception_type(
                py,
                concat!($(stringify!($module), ".",)+ stringify!($name)),
                $doc,
                <$base as $crate::type_info::PyTypeInfo>::type_object(py),
            )
        );
    };
}

/// Declares a Rust type for the exception `Name` that Python module
/// `module` defines, imported on first use; as in PyO3.
///
/// # Panics
/// On first use, if the module cannot be imported or its `Name` is not a
/// type.
///
/// ```
/// use pyo3_ft::prelude::*;
/// use pyo3_ft::import_exception;
/// use pyo3_ft::exceptions::PyOSError;
///
/// import_exception!(socket, gaierror);
///
/// Python::attach(|py| {
///     let err = gaierror::new_err("no such host");
///     assert!(err.is_instance_of::<PyOSError>(py));
///     assert_eq!(err.to_string(), "gaierror: no such host");
/// });
/// ```
#[macro_export]
macro_rules! import_exception {
    ($($module:ident).+, $name:ident) => {
        $crate::__exception_type!(
            $name,
            concat!("`", $(stringify!($module), ".",)+ stringify!($name), "`, imported from Python."),
            |py| $crate::impl_::exceptions::import_exception_type(
                py,
                concat!($(stringify!($module), ".",)+),
                stringify!($name),
            )
        );
    };
}

/// The marker type of `create_exception!` and `import_exception!`, whose
/// type object `$make` creates on first use.
#[doc(hidden)]
#[macro_export]
macro_rules! __exception_type {
    ($name:ident, $doc:expr, $make:expr) => {
        #[doc = $doc]
        #[allow(non_camel_case_types)]
        pub struct $name {
            _private: [u8; 0],
        }

        impl $name {
            /// A lazily created instance of this exception with `args`.
            pub fn new_err<A: $crate::err::PyErrArguments>(args: A) -> $crate::PyErr {
                $crate::PyErr::new::<Self, A>(args)
            }

            #[doc(hidden)]
            pub fn __pyo3_ft_add_to_module(
                module: &$crate::Bound<'_, $crate::types::PyModule>,
            ) -> $crate::PyResult<()> {
                let py = module.py();
                module.add(
                    stringify!($name),
                    <Self as $crate::type_info::PyTypeInfo>::type_object(py),
                )
            }
        }

        // SAFETY: the type object is created once, by `$make`, which returns
        // an exception type.
        unsafe impl $crate::type_info::PyTypeInfo for $name {
            const NAME: &'static str = stringify!($name);
            const TYPE_HINT: $crate::stubs::TypeHint =
                $crate::stubs::TypeHint::Class(stringify!($name));

            fn type_object_raw(py: $crate::Python<'_>) -> *mut $crate::runtime::ffi::PyTypeObject {
                static TYPE: $crate::sync::PyOnceLock<$crate::Py<$crate::types::PyType>> =
                    $crate::sync::PyOnceLock::new();
                let make: fn($crate::Python<'_>) -> $crate::Py<$crate::types::PyType> = $make;
                TYPE.get_or_init(py, || make(py)).as_ptr().cast()
            }
        }

        impl $crate::type_info::DerefToPyAny for $name {}
    };
}
