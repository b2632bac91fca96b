//! `datetime.timedelta`.

use pyo3_ft_runtime::ffi;

use super::{capi, datetime_type, wrap};
use crate::err::PyResult;
use crate::instance::Bound;
use crate::python::Python;

datetime_type!(
    /// `datetime.timedelta`, stored normalized: `0 <= seconds < 86400` and
    /// `0 <= microseconds < 10**6`, the sign in `days`.
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::types::PyDelta;
    ///
    /// Python::attach(|py| {
    ///     let delta = PyDelta::new(py, 0, -1, 0, true)?;
    ///     assert_eq!((delta.get_days(), delta.get_seconds()), (-1, 86_399));
    ///     Ok::<_, PyErr>(())
    /// })?;
    /// # Ok::<(), PyErr>(())
    /// ```
    PyDelta, "timedelta", DeltaType
);

impl PyDelta {
    /// `timedelta(days, seconds, microseconds)`. With `normalize`, the
    /// fields may be out of their ranges and are carried over; without it
    /// they must already be normalized. `OverflowError` when the result
    /// exceeds ±999 999 999 days.
    pub fn new(
        py: Python<'_>,
        days: i32,
        seconds: i32,
        microseconds: i32,
        normalize: bool,
    ) -> PyResult<Bound<'_, PyDelta>> {
        let api = capi(py);
        // SAFETY: the constructor checks the range and returns a new
        // timedelta or null.
        unsafe {
            wrap(
                py,
                (api.Delta_FromDelta)(
                    days,
                    seconds,
                    microseconds,
                    i32::from(normalize),
                    api.DeltaType,
                ),
            )
        }
    }
}

impl Bound<'_, PyDelta> {
    fn raw(&self) -> &ffi::PyDateTime_Delta {
        // SAFETY: `self` is a timedelta, immutable and alive while borrowed.
        unsafe { &*self.as_ptr().cast::<ffi::PyDateTime_Delta>() }
    }

    /// The days, carrying the sign.
    pub fn get_days(&self) -> i32 {
        self.raw().days
    }

    /// The seconds, 0 to 86 399.
    pub fn get_seconds(&self) -> i32 {
        self.raw().seconds
    }

    /// The microseconds, 0 to 999 999.
    pub fn get_microseconds(&self) -> i32 {
        self.raw().microseconds
    }
}
