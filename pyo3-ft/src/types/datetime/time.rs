//! `datetime.time`.

use std::ffi::c_int;

use pyo3_ft_runtime::ffi;

use super::{capi, datetime_type, time_fields, tzinfo, tzinfo_ptr, wrap, PyTzInfo};
use crate::err::PyResult;
use crate::instance::Bound;
use crate::python::Python;

datetime_type!(
    /// `datetime.time`.
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::types::PyTime;
    ///
    /// Python::attach(|py| {
    ///     let time = PyTime::new(py, 23, 59, 1, 999_999, None)?;
    ///     assert_eq!((time.get_hour(), time.get_microsecond()), (23, 999_999));
    ///     assert!(time.get_tzinfo().is_none());
    ///     Ok::<_, PyErr>(())
    /// })?;
    /// # Ok::<(), PyErr>(())
    /// ```
    PyTime, "time", TimeType
);

impl PyTime {
    /// `time(hour, minute, second, microsecond, tzinfo)`: `ValueError` for
    /// fields out of range.
    pub fn new<'py>(
        py: Python<'py>,
        hour: u8,
        minute: u8,
        second: u8,
        microsecond: u32,
        tzinfo: Option<&Bound<'py, PyTzInfo>>,
    ) -> PyResult<Bound<'py, PyTime>> {
        Self::new_with_fold(py, hour, minute, second, microsecond, tzinfo, false)
    }

    /// Like [`PyTime::new`], with PEP 495's `fold`.
    pub fn new_with_fold<'py>(
        py: Python<'py>,
        hour: u8,
        minute: u8,
        second: u8,
        microsecond: u32,
        tzinfo: Option<&Bound<'py, PyTzInfo>>,
        fold: bool,
    ) -> PyResult<Bound<'py, PyTime>> {
        let api = capi(py);
        let microsecond = c_int::try_from(microsecond).unwrap_or(c_int::MAX);
        // SAFETY: the constructor validates the fields and returns a new
        // time or null; `tzinfo` is None or a live tzinfo.
        unsafe {
            wrap(
                py,
                (api.Time_FromTimeAndFold)(
                    c_int::from(hour),
                    c_int::from(minute),
                    c_int::from(second),
                    microsecond,
                    tzinfo_ptr(tzinfo),
                    c_int::from(fold),
                    api.TimeType,
                ),
            )
        }
    }
}

impl<'py> Bound<'py, PyTime> {
    fn raw(&self) -> &ffi::PyDateTime_Time {
        // SAFETY: `self` is a time, immutable and alive while borrowed.
        unsafe { &*self.as_ptr().cast::<ffi::PyDateTime_Time>() }
    }

    /// The hour, 0 to 23.
    pub fn get_hour(&self) -> u8 {
        time_fields(&self.raw().data).0
    }

    /// The minute, 0 to 59.
    pub fn get_minute(&self) -> u8 {
        time_fields(&self.raw().data).1
    }

    /// The second, 0 to 59.
    pub fn get_second(&self) -> u8 {
        time_fields(&self.raw().data).2
    }

    /// The microsecond, 0 to 999 999.
    pub fn get_microsecond(&self) -> u32 {
        time_fields(&self.raw().data).3
    }

    /// PEP 495's `fold`.
    pub fn get_fold(&self) -> bool {
        self.raw().fold != 0
    }

    /// The `tzinfo`, `None` for a naive time.
    pub fn get_tzinfo(&self) -> Option<Bound<'py, PyTzInfo>> {
        let raw = self.raw();
        // SAFETY: the fields come from `self`, which is alive.
        unsafe { tzinfo(self.as_any(), raw.hastzinfo, raw.tzinfo) }
    }
}
