//! `datetime.date`.

use std::ffi::c_int;

use pyo3_ft_runtime::ffi;

use super::{capi, datetime_type, wrap};
use crate::conversion::IntoPyTuple;
use crate::err::PyResult;
use crate::instance::Bound;
use crate::python::Python;

datetime_type!(
    /// `datetime.date`.
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::types::PyDate;
    ///
    /// Python::attach(|py| {
    ///     let date = PyDate::new(py, 2024, 2, 29)?;
    ///     assert_eq!((date.get_year(), date.get_month(), date.get_day()), (2024, 2, 29));
    ///     assert!(PyDate::new(py, 2023, 2, 29).is_err()); // ValueError
    ///     Ok::<_, PyErr>(())
    /// })?;
    /// # Ok::<(), PyErr>(())
    /// ```
    PyDate, "date", DateType
);

impl PyDate {
    /// `date(year, month, day)`: `ValueError` for a day that does not exist.
    pub fn new(py: Python<'_>, year: i32, month: u8, day: u8) -> PyResult<Bound<'_, PyDate>> {
        let api = capi(py);
        // SAFETY: the constructor returns a new date or null.
        unsafe {
            wrap(
                py,
                (api.Date_FromDate)(year, c_int::from(month), c_int::from(day), api.DateType),
            )
        }
    }

    /// `date.fromtimestamp(timestamp)` (local time).
    pub fn from_timestamp(py: Python<'_>, timestamp: f64) -> PyResult<Bound<'_, PyDate>> {
        let api = capi(py);
        let args = (timestamp,).into_py_tuple(py)?;
        // SAFETY: the constructor takes the type and an argument tuple and
        // returns a new date or null.
        unsafe {
            wrap(
                py,
                (api.Date_FromTimestamp)(api.DateType.cast(), args.as_ptr()),
            )
        }
    }
}

impl Bound<'_, PyDate> {
    fn data(&self) -> [u8; 4] {
        // SAFETY: `self` is a date (or datetime, whose layout starts the
        // same way), immutable.
        unsafe { (*self.as_ptr().cast::<ffi::PyDateTime_Date>()).data }
    }

    /// The year.
    pub fn get_year(&self) -> i32 {
        let [high, low, ..] = self.data();
        i32::from(u16::from_be_bytes([high, low]))
    }

    /// The month, 1 to 12.
    pub fn get_month(&self) -> u8 {
        self.data()[2]
    }

    /// The day of the month, from 1.
    pub fn get_day(&self) -> u8 {
        self.data()[3]
    }
}
