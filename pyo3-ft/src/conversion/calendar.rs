//! The fields of Python's `date`, `time`, `datetime` and `timedelta`, read
//! and written in one place for every Rust date-time library that converts
//! through them (`chrono`, `jiff`): each library's module only maps these
//! plain fields to its own types.

use crate::err::PyResult;
use crate::exceptions::{PyOverflowError, PyTypeError, PyValueError};
use crate::instance::{Borrowed, Bound};
use crate::python::Python;
use crate::types::{PyAny, PyDate, PyDateTime, PyDelta, PyTime, PyTzInfo};

const MICROS_PER_SECOND: i128 = 1_000_000;
const MICROS_PER_DAY: i128 = 86_400 * MICROS_PER_SECOND;

/// A calendar date.
#[derive(Clone, Copy)]
pub(crate) struct Ymd {
    pub(crate) year: i32,
    pub(crate) month: u8,
    pub(crate) day: u8,
}

/// A wall-clock time, to the microsecond.
#[derive(Clone, Copy)]
pub(crate) struct Hms {
    pub(crate) hour: u8,
    pub(crate) minute: u8,
    pub(crate) second: u8,
    pub(crate) micro: u32,
}

/// A `date` (or a `datetime`, which is one).
pub(crate) fn date_fields(object: Borrowed<'_, '_, PyAny>) -> PyResult<Ymd> {
    let date = object.downcast::<PyDate>()?;
    Ok(Ymd {
        year: date.get_year(),
        month: date.get_month(),
        day: date.get_day(),
    })
}

/// A naive `time` (`TypeError` for one with a `tzinfo`).
pub(crate) fn naive_time_fields(object: Borrowed<'_, '_, PyAny>) -> PyResult<Hms> {
    let time = object.downcast::<PyTime>()?;
    if time.get_tzinfo().is_some() {
        return Err(PyTypeError::new_err(
            "expected a naive time, got one with a tzinfo",
        ));
    }
    Ok(Hms {
        hour: time.get_hour(),
        minute: time.get_minute(),
        second: time.get_second(),
        micro: time.get_microsecond(),
    })
}

fn datetime_fields(moment: &Bound<'_, PyDateTime>) -> (Ymd, Hms) {
    let date = Ymd {
        year: moment.get_year(),
        month: moment.get_month(),
        day: moment.get_day(),
    };
    let time = Hms {
        hour: moment.get_hour(),
        minute: moment.get_minute(),
        second: moment.get_second(),
        micro: moment.get_microsecond(),
    };
    (date, time)
}

/// A naive `datetime` (`TypeError` for an aware one: its wall time alone
/// would silently drop the zone).
pub(crate) fn naive_datetime_fields(object: Borrowed<'_, '_, PyAny>) -> PyResult<(Ymd, Hms)> {
    let moment = object.downcast::<PyDateTime>()?;
    if moment.get_tzinfo().is_some() {
        return Err(PyTypeError::new_err(
            "expected a naive datetime, got an aware one (with a tzinfo)",
        ));
    }
    Ok(datetime_fields(&moment))
}

/// An aware `datetime`: its wall time and its UTC offset in seconds
/// (`TypeError` for a naive one, which names no instant).
pub(crate) fn aware_datetime_fields(object: Borrowed<'_, '_, PyAny>) -> PyResult<(Ymd, Hms, i32)> {
    let moment = object.downcast::<PyDateTime>()?;
    let offset = moment.call_method0("utcoffset")?;
    if offset.is_none() {
        return Err(PyTypeError::new_err(
            "expected an aware datetime, got a naive one (without a tzinfo)",
        ));
    }
    let (date, time) = datetime_fields(&moment);
    Ok((date, time, whole_seconds(offset.as_borrowed())?))
}

/// A `tzinfo`'s fixed offset in seconds: its `utcoffset(None)`.
pub(crate) fn tzinfo_offset(object: Borrowed<'_, '_, PyAny>) -> PyResult<i32> {
    let zone = object.downcast::<PyTzInfo>()?;
    let offset = zone.call_method1("utcoffset", (object.py().none(),))?;
    if offset.is_none() {
        return Err(PyValueError::new_err(
            "this tzinfo has no fixed offset (its utcoffset(None) is None)",
        ));
    }
    whole_seconds(offset.as_borrowed())
}

/// A UTC offset `timedelta` as whole seconds.
fn whole_seconds(offset: Borrowed<'_, '_, PyAny>) -> PyResult<i32> {
    let micros = delta_micros(offset)?;
    if micros % MICROS_PER_SECOND != 0 {
        return Err(PyValueError::new_err(format!(
            "UTC offset of {micros} microseconds is not a whole number of seconds"
        )));
    }
    // Python keeps offsets strictly within a day.
    Ok((micros / MICROS_PER_SECOND) as i32)
}

/// A `timedelta` as a signed count of microseconds.
pub(crate) fn delta_micros(object: Borrowed<'_, '_, PyAny>) -> PyResult<i128> {
    let delta = object.downcast::<PyDelta>()?;
    Ok(i128::from(delta.get_days()) * MICROS_PER_DAY
        + i128::from(delta.get_seconds()) * MICROS_PER_SECOND
        + i128::from(delta.get_microseconds()))
}

/// A `timedelta` of `micros` microseconds (`OverflowError` beyond
/// 999 999 999 days).
pub(crate) fn new_delta(py: Python<'_>, micros: i128) -> PyResult<Bound<'_, PyAny>> {
    let days = i32::try_from(micros.div_euclid(MICROS_PER_DAY))
        .map_err(|_| PyOverflowError::new_err("duration too large to convert to timedelta"))?;
    let rest = micros.rem_euclid(MICROS_PER_DAY);
    let seconds = (rest / MICROS_PER_SECOND) as i32;
    let micros = (rest % MICROS_PER_SECOND) as i32;
    Ok(PyDelta::new(py, days, seconds, micros, false)?.into_any())
}

/// A `date` (`ValueError` outside years 1–9999).
pub(crate) fn new_date(py: Python<'_>, date: Ymd) -> PyResult<Bound<'_, PyAny>> {
    Ok(PyDate::new(py, date.year, date.month, date.day)?.into_any())
}

/// A naive `time`.
pub(crate) fn new_time(py: Python<'_>, time: Hms) -> PyResult<Bound<'_, PyAny>> {
    Ok(PyTime::new(py, time.hour, time.minute, time.second, time.micro, None)?.into_any())
}

/// A `datetime`: naive without `offset`, else aware with a fixed
/// `timezone` of `offset` seconds.
pub(crate) fn new_datetime(
    py: Python<'_>,
    date: Ymd,
    time: Hms,
    offset: Option<i32>,
) -> PyResult<Bound<'_, PyAny>> {
    let zone = offset.map(|seconds| fixed_zone(py, seconds)).transpose()?;
    let moment = PyDateTime::new(
        py,
        date.year,
        date.month,
        date.day,
        time.hour,
        time.minute,
        time.second,
        time.micro,
        zone.as_ref(),
    )?;
    Ok(moment.into_any())
}

/// `timezone.utc` for a zero offset, else `timezone(timedelta(seconds=...))`.
pub(crate) fn fixed_zone(py: Python<'_>, seconds: i32) -> PyResult<Bound<'_, PyTzInfo>> {
    if seconds == 0 {
        return Ok(PyTzInfo::utc(py));
    }
    let delta = new_delta(py, i128::from(seconds) * MICROS_PER_SECOND)?;
    PyTzInfo::fixed_offset(py, &delta.downcast_into::<PyDelta>()?)
}

/// Rejects a leap second (a second of 60, which Python cannot hold).
pub(crate) fn check_not_leap_second(nanos: u32) -> PyResult<()> {
    if nanos >= 1_000_000_000 {
        return Err(PyValueError::new_err(
            "a leap second cannot be represented by Python's datetime",
        ));
    }
    Ok(())
}

/// The `ValueError` for fields a Rust library refuses.
pub(crate) fn invalid(what: &str, detail: impl std::fmt::Display) -> crate::err::PyErr {
    PyValueError::new_err(format!("invalid {what}: {detail}"))
}
