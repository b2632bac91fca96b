//! The optional conversions: `chrono`, `jiff` and `num-bigint` types to
//! and from Python, round trips and the errors for what does not fit.

use chrono::{
    DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Timelike, Utc,
};
use num_bigint::{BigInt, BigUint};
use pyo3_ft::exceptions::{PyOverflowError, PyTypeError, PyValueError};
use pyo3_ft::prelude::*;

fn eval<'py>(py: Python<'py>, code: &str) -> Bound<'py, PyAny> {
    let globals = pyo3_ft::types::PyDict::new(py);
    py.run(
        "import datetime as dt\nfrom zoneinfo import ZoneInfo",
        Some(&globals),
        None,
    )
    .unwrap();
    py.eval(code, Some(&globals), None).unwrap()
}

fn repr<'py>(value: impl IntoPyObject<'py>, py: Python<'py>) -> String {
    value.into_pyobject(py).unwrap().repr().unwrap().to_string()
}

#[test]
fn chrono_dates_and_times_round_trip() {
    Python::attach(|py| {
        let date = NaiveDate::from_ymd_opt(1999, 12, 31).unwrap();
        assert_eq!(repr(date, py), "datetime.date(1999, 12, 31)");
        assert_eq!(
            eval(py, "dt.date(1999, 12, 31)")
                .extract::<NaiveDate>()
                .unwrap(),
            date
        );
        let time = NaiveTime::from_hms_micro_opt(23, 59, 58, 123_456).unwrap();
        assert_eq!(repr(time, py), "datetime.time(23, 59, 58, 123456)");
        assert_eq!(
            eval(py, "dt.time(23, 59, 58, 123456)")
                .extract::<NaiveTime>()
                .unwrap(),
            time
        );
        let naive = date.and_time(time);
        assert_eq!(
            repr(naive, py),
            "datetime.datetime(1999, 12, 31, 23, 59, 58, 123456)"
        );
        assert_eq!(
            eval(py, "dt.datetime(1999, 12, 31, 23, 59, 58, 123456)")
                .extract::<NaiveDateTime>()
                .unwrap(),
            naive
        );
        // Nanoseconds are truncated to Python's microseconds.
        let fine = NaiveTime::from_hms_nano_opt(1, 2, 3, 999_999_999).unwrap();
        let back: NaiveTime = fine.into_pyobject(py).unwrap().extract().unwrap();
        assert_eq!(back.nanosecond(), 999_999_000);
    });
}

#[test]
fn chrono_aware_datetimes_keep_the_instant_and_the_offset() {
    Python::attach(|py| {
        let paris = eval(
            py,
            "dt.datetime(2024, 7, 1, 12, 30, tzinfo=ZoneInfo('Europe/Paris'))",
        );
        let utc: DateTime<Utc> = paris.extract().unwrap();
        assert_eq!(utc.to_rfc3339(), "2024-07-01T10:30:00+00:00");
        let local: DateTime<FixedOffset> = paris.extract().unwrap();
        assert_eq!(local.to_rfc3339(), "2024-07-01T12:30:00+02:00");
        assert_eq!(
            repr(local, py),
            "datetime.datetime(2024, 7, 1, 12, 30, tzinfo=datetime.timezone(datetime.timedelta(seconds=7200)))"
        );
        assert_eq!(
            repr(utc, py),
            "datetime.datetime(2024, 7, 1, 10, 30, tzinfo=datetime.timezone.utc)"
        );
        // The same instant from Python's side.
        let same = local.into_pyobject(py).unwrap();
        assert!(same.eq(&paris).unwrap());
        let offset: FixedOffset = eval(py, "dt.timezone(dt.timedelta(hours=-5))")
            .extract()
            .unwrap();
        assert_eq!(offset.local_minus_utc(), -5 * 3600);
        assert_eq!(eval(py, "dt.timezone.utc").extract::<Utc>().unwrap(), Utc);
    });
}

#[test]
fn chrono_conversions_refuse_what_does_not_fit() {
    Python::attach(|py| {
        let naive_as_aware = eval(py, "dt.datetime(2024, 1, 1)").extract::<DateTime<Utc>>();
        let err = naive_as_aware.unwrap_err();
        assert!(err.is_instance_of::<PyTypeError>(py), "{err}");
        assert!(err.to_string().contains("naive"), "{err}");
        let aware_as_naive = eval(py, "dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)")
            .extract::<NaiveDateTime>()
            .unwrap_err();
        assert!(aware_as_naive.is_instance_of::<PyTypeError>(py));
        let not_a_date = eval(py, "'2024-01-01'").extract::<NaiveDate>().unwrap_err();
        assert!(not_a_date.is_instance_of::<PyTypeError>(py));
        let sub_second = eval(py, "dt.timezone(dt.timedelta(microseconds=1))")
            .extract::<FixedOffset>()
            .unwrap_err();
        assert!(
            sub_second.is_instance_of::<PyValueError>(py),
            "{sub_second}"
        );
        let year_zero = NaiveDate::from_ymd_opt(0, 1, 1).unwrap().into_pyobject(py);
        assert!(year_zero.unwrap_err().is_instance_of::<PyValueError>(py));
        let leap = NaiveTime::from_hms_milli_opt(23, 59, 59, 1_500)
            .unwrap()
            .into_pyobject(py);
        assert!(leap.unwrap_err().to_string().contains("leap second"));
    });
}

#[test]
fn chrono_time_deltas_round_trip_with_their_sign() {
    Python::attach(|py| {
        let deltas = [0, 1, -1, 86_399_999_999, -86_400_000_001]
            .map(TimeDelta::microseconds)
            .into_iter()
            .chain([TimeDelta::days(999_999_999), TimeDelta::days(-999_999_999)]);
        for delta in deltas {
            let back: TimeDelta = delta.into_pyobject(py).unwrap().extract().unwrap();
            assert_eq!(back, delta);
        }
        let python = eval(py, "dt.timedelta(days=-1, microseconds=5)");
        assert_eq!(
            python.extract::<TimeDelta>().unwrap().num_microseconds(),
            Some(-86_399_999_995)
        );
        let too_long = TimeDelta::days(1_000_000_000)
            .into_pyobject(py)
            .unwrap_err();
        assert!(too_long.is_instance_of::<PyOverflowError>(py), "{too_long}");
    });
}

#[test]
fn jiff_values_round_trip() {
    use jiff::civil::{date, time, DateTime as Civil};
    use jiff::tz::Offset;
    use jiff::{SignedDuration, Timestamp};
    Python::attach(|py| {
        let d = date(2000, 2, 29);
        assert_eq!(repr(d, py), "datetime.date(2000, 2, 29)");
        assert_eq!(
            eval(py, "dt.date(2000, 2, 29)")
                .extract::<jiff::civil::Date>()
                .unwrap(),
            d
        );
        let t = time(7, 8, 9, 10_000);
        assert_eq!(repr(t, py), "datetime.time(7, 8, 9, 10)");
        let civil = Civil::from_parts(d, t);
        let back: Civil = civil.into_pyobject(py).unwrap().extract().unwrap();
        assert_eq!(back, civil);
        let instant: Timestamp = eval(
            py,
            "dt.datetime(2024, 7, 1, 12, 30, tzinfo=ZoneInfo('Europe/Paris'))",
        )
        .extract()
        .unwrap();
        assert_eq!(instant.to_string(), "2024-07-01T10:30:00Z");
        assert_eq!(
            repr(instant, py),
            "datetime.datetime(2024, 7, 1, 10, 30, tzinfo=datetime.timezone.utc)"
        );
        let offset: Offset = eval(py, "dt.timezone(dt.timedelta(hours=5, minutes=30))")
            .extract()
            .unwrap();
        assert_eq!(offset.seconds(), 19_800);
        for nanos in [0i64, 1_000, -1_000, -86_400_000_001_000] {
            let duration = SignedDuration::from_nanos(nanos);
            let back: SignedDuration = duration.into_pyobject(py).unwrap().extract().unwrap();
            assert_eq!(back, duration, "{nanos}");
        }
        let naive = eval(py, "dt.datetime(2024, 1, 1)")
            .extract::<Timestamp>()
            .unwrap_err();
        assert!(naive.is_instance_of::<PyTypeError>(py));
    });
}

#[test]
fn big_integers_of_any_size_round_trip() {
    Python::attach(|py| {
        for code in [
            "0",
            "1",
            "-1",
            "255",
            "-128",
            "-129",
            "2**64",
            "-(2**64)",
            "7**500",
            "-(7**500) + 3",
        ] {
            let python = eval(py, code);
            let big: BigInt = python.extract().unwrap();
            assert_eq!(big.to_string(), python.str().unwrap().to_string(), "{code}");
            assert!(
                big.into_pyobject(py).unwrap().eq(&python).unwrap(),
                "{code}"
            );
        }
        let huge: BigUint = eval(py, "2**200 - 1").extract().unwrap();
        assert_eq!(huge.bits(), 200);
        assert!(huge
            .into_pyobject(py)
            .unwrap()
            .eq(eval(py, "2**200 - 1"))
            .unwrap());
        let negative = eval(py, "-5").extract::<BigUint>().unwrap_err();
        assert!(negative.is_instance_of::<PyOverflowError>(py), "{negative}");
        let not_int = eval(py, "1.5").extract::<BigInt>().unwrap_err();
        assert!(not_int.is_instance_of::<PyTypeError>(py), "{not_int}");
        // Objects with __index__ convert like ints.
        let index: BigInt = eval(py, "type('I', (), {'__index__': lambda s: 42})()")
            .extract()
            .unwrap();
        assert_eq!(index, BigInt::from(42));
    });
}
