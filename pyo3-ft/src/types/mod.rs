//! Marker types for Python's builtin types, with their methods as inherent
//! methods of `Bound<'py, PyX>`.

mod abc;
mod any;
mod boolobject;
mod bytearray;
mod bytes;
mod capsule;
mod cfunction;
mod complex;
mod datetime;
mod dict;
mod float;
mod int;
mod iterator;
mod list;
mod mapping;
mod memoryview;
mod module;
mod none;
mod pybacked;
mod sequence;
mod set;
mod slice;
mod string;
mod tuple;
mod typeobject;
mod weakref;

pub use any::{CompareOp, PyAny};
pub use boolobject::PyBool;
pub use bytearray::PyByteArray;
pub use bytes::PyBytes;
pub use capsule::PyCapsule;
pub use cfunction::PyCFunction;
pub use complex::PyComplex;
pub use datetime::{PyDate, PyDateTime, PyDelta, PyTime, PyTzInfo};
pub use dict::{PyDict, PyDictIterator};
pub use float::PyFloat;
pub use int::PyInt;
pub use iterator::PyIterator;
pub use list::{PyList, PyListIterator};
pub use mapping::PyMapping;
pub use memoryview::PyMemoryView;
pub use module::{ModuleFunction, PyModule};
pub use none::PyNone;
pub use pybacked::{PyBackedBytes, PyBackedStr};
pub use sequence::PySequence;
pub use set::{PyFrozenSet, PySet};
pub use slice::{PySlice, PySliceIndices};
pub use string::PyString;
pub use tuple::PyTuple;
pub use typeobject::PyType;
pub use weakref::PyWeakref;

/// Declares an opaque marker type for a builtin type and its `PyTypeInfo`.
/// `$type_object` is the type object pointer; `$check` decides
/// `is_type_of` from the object pointer.
macro_rules! builtin_type {
    ($(#[$doc:meta])* $rust:ident, $name:literal, $type_object:expr, |$ob:ident| $check:expr) => {
        $(#[$doc])*
        pub struct $rust {
            _private: [u8; 0],
        }

        // SAFETY: the static is the builtin type; `$check` accepts exactly
        // its instances and subclasses'.
        unsafe impl $crate::type_info::PyTypeInfo for $rust {
            const NAME: &'static str = $name;
            const TYPE_HINT: $crate::stubs::TypeHint = $crate::stubs::TypeHint::builtin($name);

            #[inline]
            fn type_object_raw(_py: $crate::Python<'_>) -> *mut ::pyo3_ft_runtime::ffi::PyTypeObject {
                #[allow(unused_unsafe)]
                // SAFETY: reads the address (or the type) of a static object.
                unsafe { $type_object }
            }

            #[inline]
            fn is_type_of(object: &$crate::Bound<'_, $crate::types::PyAny>) -> bool {
                let $ob = object.as_ptr();
                // SAFETY: `object` keeps the pointer alive.
                #[allow(unused_unsafe)]
                unsafe { $check }
            }
        }

        impl $crate::type_info::DerefToPyAny for $rust {}
    };
}

pub(crate) use builtin_type;
