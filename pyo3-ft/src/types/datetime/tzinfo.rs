//! `datetime.tzinfo`.

use super::{capi, datetime_type, PyDelta};
use crate::err::PyResult;
use crate::instance::Bound;
use crate::python::Python;
use crate::sync::PyOnceLock;
use crate::types::PyAny;
use crate::Py;

datetime_type!(
    /// `datetime.tzinfo`, the base of time zones.
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::types::{PyDelta, PyTzInfo};
    ///
    /// Python::attach(|py| {
    ///     assert_eq!(PyTzInfo::utc(py).str()?.to_str()?, "UTC");
    ///     let offset = PyDelta::new(py, 0, 3600, 0, true)?;
    ///     assert_eq!(PyTzInfo::fixed_offset(py, &offset)?.str()?.to_str()?, "UTC+01:00");
    ///     Ok::<_, PyErr>(())
    /// })?;
    /// # Ok::<(), PyErr>(())
    /// ```
    PyTzInfo, "tzinfo", TZInfoType
);

impl PyTzInfo {
    /// `datetime.timezone.utc`.
    pub fn utc(py: Python<'_>) -> Bound<'_, PyTzInfo> {
        // SAFETY: the table's UTC singleton lives as long as the datetime
        // module (for the process); a strong reference is taken at once.
        unsafe { Bound::from_borrowed_ptr(py, capi(py).TimeZone_UTC).downcast_into_unchecked() }
    }

    /// `datetime.timezone(offset)`: `ValueError` unless strictly between
    /// -24 and 24 hours.
    pub fn fixed_offset<'py>(
        py: Python<'py>,
        offset: &Bound<'py, PyDelta>,
    ) -> PyResult<Bound<'py, PyTzInfo>> {
        // SAFETY: the constructor takes a timedelta and an optional name
        // (null) and returns a new timezone or null.
        unsafe {
            super::wrap(
                py,
                (capi(py).TimeZone_FromTimeZone)(offset.as_ptr(), std::ptr::null_mut()),
            )
        }
    }

    /// `zoneinfo.ZoneInfo(name)`, an IANA time zone such as
    /// `"Europe/Paris"` (`ZoneInfoNotFoundError` if the system has no data
    /// for it).
    pub fn timezone<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyTzInfo>> {
        static ZONE_INFO: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
        let class = ZONE_INFO.import(py, "zoneinfo", "ZoneInfo")?;
        Ok(class.call1((name,))?.downcast_into::<PyTzInfo>()?)
    }
}
