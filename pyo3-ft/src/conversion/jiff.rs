//! `jiff` (feature `jiff`): civil dates and times, timestamps, offsets and
//! signed durations ↔ Python's `datetime` module.
//!
//! | Rust | Python |
//! |---|---|
//! | `civil::Date` | `date` |
//! | `civil::Time` | naive `time` |
//! | `civil::DateTime` | naive `datetime` |
//! | `Timestamp` | aware `datetime` (any zone in, `timezone.utc` out) |
//! | `tz::Offset` | `timezone` (any `tzinfo` with a fixed offset in) |
//! | `SignedDuration` | `timedelta` |
//!
//! ```
//! use jiff::{civil, SignedDuration, Timestamp};
//! use pyo3_ft::prelude::*;
//!
//! Python::attach(|py| {
//!     let date = civil::date(2024, 2, 29);
//!     assert_eq!(date.into_pyobject(py)?.repr()?.to_string(), "datetime.date(2024, 2, 29)");
//!     let moment = py.eval("__import__('datetime').datetime(2024, 1, 1, 12, \
//!         tzinfo=__import__('datetime').timezone(__import__('datetime').timedelta(hours=2)))", None, None)?;
//!     let instant: Timestamp = moment.extract()?;
//!     assert_eq!(instant.to_string(), "2024-01-01T10:00:00Z");
//!     let wait: SignedDuration = py.eval("__import__('datetime').timedelta(seconds=-1.5)", None, None)?.extract()?;
//!     assert_eq!(wait, SignedDuration::from_millis(-1500));
//!     Ok::<_, PyErr>(())
//! })?;
//! # Ok::<(), PyErr>(())
//! ```

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::Offset;
use jiff::{SignedDuration, Timestamp};

use super::calendar::{self, Hms, Ymd};
use super::{FromPyObject, IntoPyObject};
use crate::err::PyResult;
use crate::instance::{Borrowed, Bound};
use crate::python::Python;
use crate::stubs::TypeHint;
use crate::types::PyAny;

fn ymd(date: Date) -> Ymd {
    Ymd {
        year: date.year().into(),
        month: date.month() as u8,
        day: date.day() as u8,
    }
}

fn hms(time: Time) -> Hms {
    Hms {
        hour: time.hour() as u8,
        minute: time.minute() as u8,
        second: time.second() as u8,
        micro: (time.subsec_nanosecond() / 1_000) as u32,
    }
}

fn date(fields: Ymd) -> PyResult<Date> {
    // Python's years (1–9999) fit jiff's.
    Date::new(fields.year as i16, fields.month as i8, fields.day as i8)
        .map_err(|e| calendar::invalid("date", e))
}

fn time(fields: Hms) -> PyResult<Time> {
    Time::new(
        fields.hour as i8,
        fields.minute as i8,
        fields.second as i8,
        fields.micro as i32 * 1_000,
    )
    .map_err(|e| calendar::invalid("time", e))
}

impl<'py> IntoPyObject<'py> for Date {
    const OUTPUT_TYPE: TypeHint = TypeHint::Name("datetime.date");

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        calendar::new_date(py, ymd(self))
    }
}

impl FromPyObject<'_, '_> for Date {
    const INPUT_TYPE: TypeHint = TypeHint::Name("datetime.date");

    fn extract(object: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        date(calendar::date_fields(object)?)
    }
}

impl<'py> IntoPyObject<'py> for Time {
    const OUTPUT_TYPE: TypeHint = TypeHint::Name("datetime.time");

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        calendar::new_time(py, hms(self))
    }
}

impl FromPyObject<'_, '_> for Time {
    const INPUT_TYPE: TypeHint = TypeHint::Name("datetime.time");

    fn extract(object: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        time(calendar::naive_time_fields(object)?)
    }
}

impl<'py> IntoPyObject<'py> for DateTime {
    const OUTPUT_TYPE: TypeHint = TypeHint::Name("datetime.datetime");

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        calendar::new_datetime(py, ymd(self.date()), hms(self.time()), None)
    }
}

impl FromPyObject<'_, '_> for DateTime {
    const INPUT_TYPE: TypeHint = TypeHint::Name("datetime.datetime");

    fn extract(object: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        let (d, t) = calendar::naive_datetime_fields(object)?;
        Ok(DateTime::from_parts(date(d)?, time(t)?))
    }
}

fn offset(seconds: i32) -> PyResult<Offset> {
    Offset::from_seconds(seconds).map_err(|e| calendar::invalid("UTC offset", e))
}

impl<'py> IntoPyObject<'py> for Timestamp {
    const OUTPUT_TYPE: TypeHint = TypeHint::Name("datetime.datetime");

    /// An aware `datetime` in `timezone.utc` (`ValueError` outside years
    /// 1–9999).
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let utc = Offset::UTC.to_datetime(self);
        calendar::new_datetime(py, ymd(utc.date()), hms(utc.time()), Some(0))
    }
}

impl FromPyObject<'_, '_> for Timestamp {
    const INPUT_TYPE: TypeHint = TypeHint::Name("datetime.datetime");

    /// Any aware `datetime`.
    fn extract(object: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        let (d, t, seconds) = calendar::aware_datetime_fields(object)?;
        let local = DateTime::from_parts(date(d)?, time(t)?);
        offset(seconds)?
            .to_timestamp(local)
            .map_err(|e| calendar::invalid("datetime", e))
    }
}

impl<'py> IntoPyObject<'py> for Offset {
    const OUTPUT_TYPE: TypeHint = TypeHint::Name("datetime.tzinfo");

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(calendar::fixed_zone(py, self.seconds())?.into_any())
    }
}

impl FromPyObject<'_, '_> for Offset {
    const INPUT_TYPE: TypeHint = TypeHint::Name("datetime.tzinfo");

    /// A `tzinfo` with a fixed offset (its `utcoffset(None)`).
    fn extract(object: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        offset(calendar::tzinfo_offset(object)?)
    }
}

impl<'py> IntoPyObject<'py> for SignedDuration {
    const OUTPUT_TYPE: TypeHint = TypeHint::Name("datetime.timedelta");

    /// A `timedelta`, truncated to microseconds (`OverflowError` beyond
    /// 999 999 999 days).
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        calendar::new_delta(py, self.as_micros())
    }
}

impl FromPyObject<'_, '_> for SignedDuration {
    const INPUT_TYPE: TypeHint = TypeHint::Name("datetime.timedelta");

    fn extract(object: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        let micros = calendar::delta_micros(object)?;
        let seconds = micros.div_euclid(1_000_000) as i64;
        let nanos = (micros.rem_euclid(1_000_000) * 1_000) as i32;
        // Python's ±999 999 999 days are well within jiff's i64 seconds.
        Ok(SignedDuration::new(seconds, nanos))
    }
}
