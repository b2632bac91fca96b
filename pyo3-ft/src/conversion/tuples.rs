//! Rust tuples ↔ Python tuples, and tuples as call arguments.

use pyo3_ft_runtime::ffi;

use super::{FromPyObject, IntoPyObject, IntoPyTuple};
use crate::err::PyResult;
use crate::exceptions::PyValueError;
use crate::instance::{Borrowed, Bound};
use crate::python::Python;
use crate::types::{PyAny, PyTuple};

impl<'py> IntoPyTuple<'py> for () {
    #[inline]
    fn into_py_tuple(self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        Ok(PyTuple::empty(py))
    }

    #[inline]
    fn call_positional(self, callable: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        callable.call0()
    }
}

/// `ValueError` for a tuple of the wrong length.
fn wrong_length(expected: usize, got: usize) -> crate::err::PyErr {
    PyValueError::new_err(format!("expected a tuple of length {expected} (got {got})"))
}

/// Implements the three traits for one tuple arity.
macro_rules! tuple_impls {
    ($len:literal: $($T:ident $idx:tt),+) => {
        impl<'py, $($T: IntoPyObject<'py>),+> IntoPyTuple<'py> for ($($T,)+) {
            #[inline]
            fn into_py_tuple(self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
                let tuple = PyTuple::with_len(py, $len)?;
                $(
                    // SAFETY: `tuple` is new and unshared, the index is in
                    // range; SET_ITEM steals the converted reference.
                    unsafe { ffi::PyTuple_SET_ITEM(tuple.as_ptr(), $idx, self.$idx.into_pyobject(py)?.into_ptr()) };
                )+
                Ok(tuple)
            }

            #[inline]
            fn call_positional(self, callable: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
                let py = callable.py();
                let owned = ($(self.$idx.into_pyobject(py)?,)+);
                // Slot 0 is scratch space: with `PY_VECTORCALL_ARGUMENTS_OFFSET`
                // the callee may write `args[-1]` (a bound method puts its
                // `self` there), so the array is mutable and the pointer
                // derives from a unique borrow.
                let mut args = [std::ptr::null_mut(), $(owned.$idx.as_ptr()),+];
                // SAFETY: `args[1..]` holds `$len` live objects (kept alive by
                // `owned`); `args[0]` is ours to lend as the scratch slot, and
                // the callee restores it before returning.
                unsafe {
                    Bound::from_owned_ptr_or_err(
                        py,
                        ffi::PyObject_Vectorcall(
                            callable.as_ptr(),
                            args.as_mut_ptr().add(1),
                            $len | ffi::PY_VECTORCALL_ARGUMENTS_OFFSET,
                            std::ptr::null_mut(),
                        ),
                    )
                }
            }
        }

        impl<'py, $($T: IntoPyObject<'py>),+> IntoPyObject<'py> for ($($T,)+) {
            const OUTPUT_TYPE: $crate::stubs::TypeHint = $crate::stubs::TypeHint::Subscript("tuple", &[$($T::OUTPUT_TYPE),+]);

            #[inline]
            fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                Ok(self.into_py_tuple(py)?.into_any())
            }
        }

        impl<'py, $($T),+> FromPyObject<'_, 'py> for ($($T,)+)
        where
            $($T: for<'a> FromPyObject<'a, 'py>),+
        {
            const INPUT_TYPE: $crate::stubs::TypeHint =
                $crate::stubs::TypeHint::Subscript("tuple", &[$(<$T as FromPyObject<'static, 'py>>::INPUT_TYPE),+]);

            fn extract(object: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
                let tuple = object.downcast::<PyTuple>()?;
                if tuple.len() != $len {
                    return Err(wrong_length($len, tuple.len()));
                }
                Ok(($($T::extract(tuple.get_borrowed_item($idx).expect("length checked"))?,)+))
            }
        }
    };
}

tuple_impls!(1: A 0);
tuple_impls!(2: A 0, B 1);
tuple_impls!(3: A 0, B 1, C 2);
tuple_impls!(4: A 0, B 1, C 2, D 3);
tuple_impls!(5: A 0, B 1, C 2, D 3, E 4);
tuple_impls!(6: A 0, B 1, C 2, D 3, E 4, F 5);
tuple_impls!(7: A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple_impls!(8: A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
tuple_impls!(9: A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);
tuple_impls!(10: A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9);
tuple_impls!(11: A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10);
tuple_impls!(12: A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11);
