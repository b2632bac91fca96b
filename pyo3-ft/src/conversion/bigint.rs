//! `num-bigint` (feature `num-bigint`): `BigInt` and `BigUint` ↔ `int`, of
//! any size, through CPython's native-bytes API.
//!
//! ```
//! use num_bigint::{BigInt, BigUint};
//! use pyo3_ft::prelude::*;
//!
//! Python::attach(|py| {
//!     let big: BigInt = py.eval("-(3 ** 100)", None, None)?.extract()?;
//!     assert_eq!(big.to_string(), "-515377520732011331036461129765621272702107522001");
//!     let doubled: BigInt = big * 2;
//!     let back = doubled.into_pyobject(py)?;
//!     assert!(back.eq(py.eval("-2 * 3 ** 100", None, None)?)?);
//!     let err = py.eval("-1", None, None)?.extract::<BigUint>().unwrap_err();
//!     assert!(err.is_instance_of::<pyo3_ft::exceptions::PyOverflowError>(py));
//!     Ok::<_, PyErr>(())
//! })?;
//! # Ok::<(), PyErr>(())
//! ```

use std::ffi::c_int;

use num_bigint::{BigInt, BigUint};
use pyo3_ft_runtime::ffi;

use super::numbers::{as_index, wrap};
use super::{FromPyObject, IntoPyObject};
use crate::err::{PyErr, PyResult};
use crate::exceptions::PyOverflowError;
use crate::instance::{Borrowed, Bound};
use crate::python::Python;
use crate::stubs::TypeHint;
use crate::types::PyAny;

const LITTLE_ENDIAN: c_int = ffi::Py_ASNATIVEBYTES_LITTLE_ENDIAN;

/// The int's two's-complement little-endian bytes (for `unsigned`, its
/// magnitude, after refusing negatives with `OverflowError`).
fn int_bytes(object: Borrowed<'_, '_, PyAny>, unsigned: bool) -> PyResult<Vec<u8>> {
    let py = object.py();
    let index = as_index(object)?;
    if unsigned && index.lt(0)? {
        return Err(PyOverflowError::new_err(
            "can't convert negative int to unsigned",
        ));
    }
    let flags = LITTLE_ENDIAN
        | if unsigned {
            ffi::Py_ASNATIVEBYTES_UNSIGNED_BUFFER
        } else {
            0
        };
    // An int is immutable, so the size asked for first still holds.
    // SAFETY: `index` is an int; a zero-length call writes nothing.
    let needed =
        unsafe { ffi::PyLong_AsNativeBytes(index.as_ptr(), std::ptr::null_mut(), 0, flags) };
    if needed < 0 {
        return Err(PyErr::fetch(py));
    }
    let mut bytes = vec![0u8; needed as usize];
    // SAFETY: `bytes` is writable for `needed` bytes, enough for the value.
    let written = unsafe {
        ffi::PyLong_AsNativeBytes(index.as_ptr(), bytes.as_mut_ptr().cast(), needed, flags)
    };
    if written < 0 {
        return Err(PyErr::fetch(py));
    }
    Ok(bytes)
}

impl FromPyObject<'_, '_> for BigInt {
    const INPUT_TYPE: TypeHint = TypeHint::Name("int");

    fn extract(object: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        Ok(BigInt::from_signed_bytes_le(&int_bytes(object, false)?))
    }
}

impl FromPyObject<'_, '_> for BigUint {
    const INPUT_TYPE: TypeHint = TypeHint::Name("int");

    fn extract(object: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        Ok(BigUint::from_bytes_le(&int_bytes(object, true)?))
    }
}

impl<'py> IntoPyObject<'py> for BigInt {
    const OUTPUT_TYPE: TypeHint = TypeHint::Name("int");

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let bytes = self.to_signed_bytes_le();
        // SAFETY: `bytes` is valid for its length.
        unsafe {
            wrap(
                py,
                ffi::PyLong_FromNativeBytes(bytes.as_ptr().cast(), bytes.len(), LITTLE_ENDIAN),
            )
        }
    }
}

impl<'py> IntoPyObject<'py> for BigUint {
    const OUTPUT_TYPE: TypeHint = TypeHint::Name("int");

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let bytes = self.to_bytes_le();
        // SAFETY: `bytes` is valid for its length.
        unsafe {
            wrap(
                py,
                ffi::PyLong_FromUnsignedNativeBytes(
                    bytes.as_ptr().cast(),
                    bytes.len(),
                    LITTLE_ENDIAN,
                ),
            )
        }
    }
}
