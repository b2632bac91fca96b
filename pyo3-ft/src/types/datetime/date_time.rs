//! `datetime.datetime`.

use std::ffi::c_int;

use pyo3_ft_runtime::ffi;

use super::{capi, datetime_type, time_fields, tzinfo, tzinfo_ptr, wrap, PyTzInfo};
use crate::conversion::IntoPyTuple;
use crate::err::PyResult;
use crate::instance::Bound;
use crate::python::Python;

datetime_type!(
    /// `datetime.datetime` (a subclass of `date`: [`Bound::cast`] to
    /// [`PyDate`](super::PyDate) gives the date accessors).
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::types::{PyDateTime, PyTzInfo};
    ///
    /// Python::attach(|py| {
    ///     let utc = PyTzInfo::utc(py);
    ///     let moment = PyDateTime::new(py, 2024, 5, 17, 13, 30, 5, 250_000, Some(&utc))?;
    ///     assert_eq!((moment.get_hour(), moment.get_microsecond()), (13, 250_000));
    ///     assert_eq!(moment.str()?.to_str()?, "2024-05-17 13:30:05.250000+00:00");
    ///     Ok::<_, PyErr>(())
    /// })?;
    /// # Ok::<(), PyErr>(())
    /// ```
    PyDateTime, "datetime", DateTimeType
);

impl PyDateTime {
    /// `datetime(year, month, day, hour, minute, second, microsecond,
    /// tzinfo)`: `ValueError` for fields out of range.
    #[allow(clippy::too_many_arguments)]
    pub fn new<'py>(
        py: Python<'py>,
        year: i32,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
        microsecond: u32,
        tzinfo: Option<&Bound<'py, PyTzInfo>>,
    ) -> PyResult<Bound<'py, PyDateTime>> {
        Self::new_with_fold(
            py,
            year,
            month,
            day,
            hour,
            minute,
            second,
            microsecond,
            tzinfo,
            false,
        )
    }

    /// Like [`PyDateTime::new`], with PEP 495's `fold` (the second of two
    /// equal wall times).
    #[allow(clippy::too_many_arguments)]
    pub fn new_with_fold<'py>(
        py: Python<'py>,
        year: i32,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
        microsecond: u32,
        tzinfo: Option<&Bound<'py, PyTzInfo>>,
        fold: bool,
    ) -> PyResult<Bound<'py, PyDateTime>> {
        let api = capi(py);
        let microsecond = c_int::try_from(microsecond).unwrap_or(c_int::MAX);
        // SAFETY: the constructor validates the fields and returns a new
        // datetime or null; `tzinfo` is None or a live tzinfo.
        unsafe {
            wrap(
                py,
                (api.DateTime_FromDateAndTimeAndFold)(
                    year,
                    c_int::from(month),
                    c_int::from(day),
                    c_int::from(hour),
                    c_int::from(minute),
                    c_int::from(second),
                    microsecond,
                    tzinfo_ptr(tzinfo),
                    c_int::from(fold),
                    api.DateTimeType,
                ),
            )
        }
    }

    /// `datetime.fromtimestamp(timestamp, tzinfo)`: local time when
    /// `tzinfo` is `None`.
    pub fn from_timestamp<'py>(
        py: Python<'py>,
        timestamp: f64,
        tzinfo: Option<&Bound<'py, PyTzInfo>>,
    ) -> PyResult<Bound<'py, PyDateTime>> {
        let api = capi(py);
        let args = match tzinfo {
            Some(tzinfo) => (timestamp, tzinfo).into_py_tuple(py)?,
            None => (timestamp,).into_py_tuple(py)?,
        };
        // SAFETY: the constructor takes the type, an argument tuple and
        // optional keywords, and returns a new datetime or null.
        unsafe {
            wrap(
                py,
                (api.DateTime_FromTimestamp)(
                    api.DateTimeType.cast(),
                    args.as_ptr(),
                    std::ptr::null_mut(),
                ),
            )
        }
    }
}

impl<'py> Bound<'py, PyDateTime> {
    fn raw(&self) -> &ffi::PyDateTime_DateTime {
        // SAFETY: `self` is a datetime, immutable and alive while borrowed.
        unsafe { &*self.as_ptr().cast::<ffi::PyDateTime_DateTime>() }
    }

    /// The year.
    pub fn get_year(&self) -> i32 {
        i32::from(u16::from_be_bytes([self.raw().data[0], self.raw().data[1]]))
    }

    /// The month, 1 to 12.
    pub fn get_month(&self) -> u8 {
        self.raw().data[2]
    }

    /// The day of the month, from 1.
    pub fn get_day(&self) -> u8 {
        self.raw().data[3]
    }

    /// The hour, 0 to 23.
    pub fn get_hour(&self) -> u8 {
        time_fields(&self.raw().data[4..]).0
    }

    /// The minute, 0 to 59.
    pub fn get_minute(&self) -> u8 {
        time_fields(&self.raw().data[4..]).1
    }

    /// The second, 0 to 59.
    pub fn get_second(&self) -> u8 {
        time_fields(&self.raw().data[4..]).2
    }

    /// The microsecond, 0 to 999 999.
    pub fn get_microsecond(&self) -> u32 {
        time_fields(&self.raw().data[4..]).3
    }

    /// PEP 495's `fold`.
    pub fn get_fold(&self) -> bool {
        self.raw().fold != 0
    }

    /// The `tzinfo`, `None` for a naive datetime.
    pub fn get_tzinfo(&self) -> Option<Bound<'py, PyTzInfo>> {
        let raw = self.raw();
        // SAFETY: the fields come from `self`, which is alive.
        unsafe { tzinfo(self.as_any(), raw.hastzinfo, raw.tzinfo) }
    }
}
