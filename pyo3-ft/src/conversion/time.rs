//! `Duration` ↔ `datetime.timedelta` and `SystemTime` ↔ an aware
//! `datetime.datetime` in UTC, as PyO3 converts them.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pyo3_ft_runtime::ffi;

use super::{FromPyObject, IntoPyObject};
use crate::err::PyResult;
use crate::exceptions::{PyOverflowError, PyValueError};
use crate::instance::{Borrowed, Bound};
use crate::python::Python;
use crate::types::{PyAny, PyDateTime, PyDelta, PyTzInfo};

const SECONDS_PER_DAY: u64 = 86_400;

impl<'py> IntoPyObject<'py> for Duration {
    const OUTPUT_TYPE: crate::stubs::TypeHint = crate::stubs::TypeHint::Name("datetime.timedelta");

    /// A `timedelta`, truncated to microseconds (`OverflowError` beyond
    /// 999 999 999 days).
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let days = i32::try_from(self.as_secs() / SECONDS_PER_DAY)
            .map_err(|_| PyOverflowError::new_err("Duration too large to convert to timedelta"))?;
        let seconds = (self.as_secs() % SECONDS_PER_DAY) as i32;
        let micros = self.subsec_micros() as i32;
        Ok(PyDelta::new(py, days, seconds, micros, false)?.into_any())
    }
}

impl FromPyObject<'_, '_> for Duration {
    const INPUT_TYPE: crate::stubs::TypeHint = crate::stubs::TypeHint::Name("datetime.timedelta");

    /// A non-negative `timedelta` (`ValueError` for a negative one).
    fn extract(object: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        let delta = object.downcast::<PyDelta>()?;
        let days = u64::try_from(delta.get_days()).map_err(|_| {
            PyValueError::new_err("a negative timedelta cannot be converted to a Rust Duration")
        })?;
        let seconds = days * SECONDS_PER_DAY + delta.get_seconds() as u64;
        Ok(Duration::new(
            seconds,
            delta.get_microseconds() as u32 * 1_000,
        ))
    }
}

/// `datetime(1970, 1, 1, tzinfo=timezone.utc)`.
fn unix_epoch(py: Python<'_>) -> PyResult<Bound<'_, PyDateTime>> {
    PyDateTime::new(py, 1970, 1, 1, 0, 0, 0, 0, Some(&PyTzInfo::utc(py)))
}

/// `a + b` or `a - b`.
fn arithmetic<'py>(
    a: &Bound<'py, PyAny>,
    b: &Bound<'py, PyAny>,
    add: bool,
) -> PyResult<Bound<'py, PyAny>> {
    // SAFETY: both objects are alive; returns a new reference or null.
    unsafe {
        Bound::from_owned_ptr_or_err(
            a.py(),
            if add {
                ffi::PyNumber_Add(a.as_ptr(), b.as_ptr())
            } else {
                ffi::PyNumber_Subtract(a.as_ptr(), b.as_ptr())
            },
        )
    }
}

impl<'py> IntoPyObject<'py> for SystemTime {
    const OUTPUT_TYPE: crate::stubs::TypeHint = crate::stubs::TypeHint::Name("datetime.datetime");

    /// An aware `datetime` in UTC (`OverflowError` outside years 1–9999).
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let (offset, add) = match self.duration_since(UNIX_EPOCH) {
            Ok(after) => (after, true),
            Err(before) => (before.duration(), false),
        };
        arithmetic(unix_epoch(py)?.as_any(), &offset.into_pyobject(py)?, add)
    }
}

impl FromPyObject<'_, '_> for SystemTime {
    const INPUT_TYPE: crate::stubs::TypeHint = crate::stubs::TypeHint::Name("datetime.datetime");

    /// An aware `datetime` (`TypeError` for a naive one, which names no
    /// instant).
    fn extract(object: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        let py = object.py();
        let moment = object.downcast::<PyDateTime>()?;
        if moment.get_tzinfo().is_none() {
            return Err(crate::exceptions::PyTypeError::new_err(
                "a naive datetime cannot be converted to a SystemTime: it has no tzinfo",
            ));
        }
        let since = arithmetic(moment.as_any(), unix_epoch(py)?.as_any(), false)?;
        let since = since.downcast::<PyDelta>()?;
        let micros = i128::from(since.get_days()) * i128::from(SECONDS_PER_DAY) * 1_000_000
            + i128::from(since.get_seconds()) * 1_000_000
            + i128::from(since.get_microseconds());
        let offset = Duration::from_micros(micros.unsigned_abs() as u64);
        let time = if micros >= 0 {
            UNIX_EPOCH.checked_add(offset)
        } else {
            UNIX_EPOCH.checked_sub(offset)
        };
        time.ok_or_else(|| PyOverflowError::new_err("datetime out of range for SystemTime"))
    }
}
