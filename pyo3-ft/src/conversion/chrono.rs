//! `chrono` (feature `chrono`): dates, times, date-times, offsets and
//! durations ↔ Python's `datetime` module.
//!
//! | Rust | Python |
//! |---|---|
//! | `NaiveDate` | `date` |
//! | `NaiveTime` | naive `time` |
//! | `NaiveDateTime` | naive `datetime` |
//! | `DateTime<Utc>` | aware `datetime` (any zone in, `timezone.utc` out) |
//! | `DateTime<FixedOffset>` | aware `datetime` (any zone in, `timezone(offset)` out) |
//! | `FixedOffset`, `Utc` | `timezone` (any `tzinfo` with a fixed offset in) |
//! | `TimeDelta` | `timedelta` |
//!
//! ```
//! use chrono::{DateTime, FixedOffset, NaiveDate, TimeDelta, Utc};
//! use pyo3_ft::prelude::*;
//!
//! Python::attach(|py| {
//!     let date = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
//!     assert_eq!(date.into_pyobject(py)?.repr()?.to_string(), "datetime.date(2024, 2, 29)");
//!     let moment = py.eval("__import__('datetime').datetime(2024, 1, 1, 12, \
//!         tzinfo=__import__('datetime').timezone(__import__('datetime').timedelta(hours=2)))", None, None)?;
//!     let utc: DateTime<Utc> = moment.extract()?;
//!     assert_eq!(utc.to_rfc3339(), "2024-01-01T10:00:00+00:00");
//!     let local: DateTime<FixedOffset> = moment.extract()?;
//!     assert_eq!(local.offset().local_minus_utc(), 7200);
//!     let delta: TimeDelta = py.eval("__import__('datetime').timedelta(days=-1, microseconds=5)", None, None)?.extract()?;
//!     assert_eq!(delta.num_microseconds(), Some(-86_399_999_995));
//!     Ok::<_, PyErr>(())
//! })?;
//! # Ok::<(), PyErr>(())
//! ```

use chrono::{
    DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeDelta,
    TimeZone, Timelike, Utc,
};

use super::calendar::{self, Hms, Ymd};
use super::{FromPyObject, IntoPyObject};
use crate::err::PyResult;
use crate::exceptions::PyOverflowError;
use crate::instance::{Borrowed, Bound};
use crate::python::Python;
use crate::stubs::TypeHint;
use crate::types::PyAny;

fn ymd(date: NaiveDate) -> Ymd {
    Ymd {
        year: date.year(),
        month: date.month() as u8,
        day: date.day() as u8,
    }
}

fn hms(time: NaiveTime) -> PyResult<Hms> {
    calendar::check_not_leap_second(time.nanosecond())?;
    Ok(Hms {
        hour: time.hour() as u8,
        minute: time.minute() as u8,
        second: time.second() as u8,
        micro: time.nanosecond() / 1_000,
    })
}

fn naive_date(date: Ymd) -> PyResult<NaiveDate> {
    NaiveDate::from_ymd_opt(date.year, date.month.into(), date.day.into())
        .ok_or_else(|| calendar::invalid("date", "out of chrono's range"))
}

fn naive_time(time: Hms) -> PyResult<NaiveTime> {
    NaiveTime::from_hms_micro_opt(
        time.hour.into(),
        time.minute.into(),
        time.second.into(),
        time.micro,
    )
    .ok_or_else(|| calendar::invalid("time", "out of chrono's range"))
}

fn offset(seconds: i32) -> PyResult<FixedOffset> {
    FixedOffset::east_opt(seconds).ok_or_else(|| calendar::invalid("UTC offset", seconds))
}

impl<'py> IntoPyObject<'py> for NaiveDate {
    const OUTPUT_TYPE: TypeHint = TypeHint::Name("datetime.date");

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        calendar::new_date(py, ymd(self))
    }
}

impl FromPyObject<'_, '_> for NaiveDate {
    const INPUT_TYPE: TypeHint = TypeHint::Name("datetime.date");

    fn extract(object: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        naive_date(calendar::date_fields(object)?)
    }
}

impl<'py> IntoPyObject<'py> for NaiveTime {
    const OUTPUT_TYPE: TypeHint = TypeHint::Name("datetime.time");

    /// `ValueError` for a leap second.
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        calendar::new_time(py, hms(self)?)
    }
}

impl FromPyObject<'_, '_> for NaiveTime {
    const INPUT_TYPE: TypeHint = TypeHint::Name("datetime.time");

    fn extract(object: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        naive_time(calendar::naive_time_fields(object)?)
    }
}

impl<'py> IntoPyObject<'py> for NaiveDateTime {
    const OUTPUT_TYPE: TypeHint = TypeHint::Name("datetime.datetime");

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        calendar::new_datetime(py, ymd(self.date()), hms(self.time())?, None)
    }
}

impl FromPyObject<'_, '_> for NaiveDateTime {
    const INPUT_TYPE: TypeHint = TypeHint::Name("datetime.datetime");

    fn extract(object: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        let (date, time) = calendar::naive_datetime_fields(object)?;
        Ok(naive_date(date)?.and_time(naive_time(time)?))
    }
}

/// An aware `datetime` as the instant (naive UTC) and its offset.
fn aware(object: Borrowed<'_, '_, PyAny>) -> PyResult<(NaiveDateTime, FixedOffset)> {
    let (date, time, seconds) = calendar::aware_datetime_fields(object)?;
    let local = naive_date(date)?.and_time(naive_time(time)?);
    let offset = offset(seconds)?;
    let utc = local
        .checked_sub_offset(offset)
        .ok_or_else(|| PyOverflowError::new_err("datetime out of range for chrono"))?;
    Ok((utc, offset))
}

impl<'py, Tz> IntoPyObject<'py> for DateTime<Tz>
where
    Tz: TimeZone,
{
    const OUTPUT_TYPE: TypeHint = TypeHint::Name("datetime.datetime");

    /// An aware `datetime` with the value's fixed offset (`timezone.utc`
    /// for UTC); `ValueError` for a leap second.
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let seconds = self.offset().fix().local_minus_utc();
        let local = self.naive_local();
        calendar::new_datetime(py, ymd(local.date()), hms(local.time())?, Some(seconds))
    }
}

impl FromPyObject<'_, '_> for DateTime<Utc> {
    const INPUT_TYPE: TypeHint = TypeHint::Name("datetime.datetime");

    /// Any aware `datetime`, converted to UTC.
    fn extract(object: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        let (utc, _) = aware(object)?;
        Ok(Utc.from_utc_datetime(&utc))
    }
}

impl FromPyObject<'_, '_> for DateTime<FixedOffset> {
    const INPUT_TYPE: TypeHint = TypeHint::Name("datetime.datetime");

    /// Any aware `datetime`, keeping its offset at that instant.
    fn extract(object: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        let (utc, offset) = aware(object)?;
        Ok(offset.from_utc_datetime(&utc))
    }
}

impl<'py> IntoPyObject<'py> for FixedOffset {
    const OUTPUT_TYPE: TypeHint = TypeHint::Name("datetime.tzinfo");

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(calendar::fixed_zone(py, self.local_minus_utc())?.into_any())
    }
}

impl FromPyObject<'_, '_> for FixedOffset {
    const INPUT_TYPE: TypeHint = TypeHint::Name("datetime.tzinfo");

    /// A `tzinfo` with a fixed offset (its `utcoffset(None)`).
    fn extract(object: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        offset(calendar::tzinfo_offset(object)?)
    }
}

impl<'py> IntoPyObject<'py> for Utc {
    const OUTPUT_TYPE: TypeHint = TypeHint::Name("datetime.tzinfo");

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(calendar::fixed_zone(py, 0)?.into_any())
    }
}

impl FromPyObject<'_, '_> for Utc {
    const INPUT_TYPE: TypeHint = TypeHint::Name("datetime.tzinfo");

    /// A `tzinfo` whose offset is zero (`ValueError` otherwise).
    fn extract(object: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        match calendar::tzinfo_offset(object)? {
            0 => Ok(Utc),
            other => Err(calendar::invalid(
                "UTC zone",
                format!("offset is {other} s, not 0"),
            )),
        }
    }
}

impl<'py> IntoPyObject<'py> for TimeDelta {
    const OUTPUT_TYPE: TypeHint = TypeHint::Name("datetime.timedelta");

    /// A `timedelta`, truncated to microseconds (`OverflowError` beyond
    /// 999 999 999 days).
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let micros =
            i128::from(self.num_seconds()) * 1_000_000 + i128::from(self.subsec_nanos() / 1_000);
        calendar::new_delta(py, micros)
    }
}

impl FromPyObject<'_, '_> for TimeDelta {
    const INPUT_TYPE: TypeHint = TypeHint::Name("datetime.timedelta");

    fn extract(object: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        let micros = calendar::delta_micros(object)?;
        let seconds = micros.div_euclid(1_000_000) as i64;
        let nanos = (micros.rem_euclid(1_000_000) * 1_000) as u32;
        TimeDelta::new(seconds, nanos)
            .ok_or_else(|| PyOverflowError::new_err("timedelta out of range for chrono"))
    }
}
