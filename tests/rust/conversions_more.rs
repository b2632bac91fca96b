//! Conversions added for PyO3 parity: paths, OS strings, IP addresses,
//! `Duration`/`SystemTime`, `numpy.bool_`-like objects, and argument
//! errors that name the argument.

use std::ffi::OsString;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pyo3_ft::exceptions::{PyOverflowError, PyTypeError, PyValueError};
use pyo3_ft::prelude::*;
use pyo3_ft::types::PyDict;
use pyo3_ft::{pyfunction, wrap_pyfunction};

fn eval<'py>(py: Python<'py>, code: &str) -> Bound<'py, PyAny> {
    py.eval(code, None, None).unwrap()
}

#[test]
fn paths_round_trip_through_pathlib_and_accept_path_likes() {
    Python::attach(|py| {
        let path = PathBuf::from("/tmp/some dir/file.txt");
        let obj = path.clone().into_pyobject(py).unwrap();
        let pathlib_path = py.import("pathlib").unwrap().getattr("Path").unwrap();
        assert!(obj.is_instance(&pathlib_path).unwrap());
        assert_eq!(obj.extract::<PathBuf>().unwrap(), path);
        assert_eq!(
            eval(py, "'rel/a'").extract::<PathBuf>().unwrap(),
            PathBuf::from("rel/a")
        );
        assert_eq!(
            eval(py, "b'raw'").extract::<PathBuf>().unwrap(),
            PathBuf::from("raw")
        );
        let err = eval(py, "42").extract::<PathBuf>().unwrap_err();
        assert!(err.is_instance_of::<PyTypeError>(py));
    });
}

#[cfg(unix)]
#[test]
fn os_strings_keep_undecodable_bytes() {
    use std::os::unix::ffi::OsStringExt;
    Python::attach(|py| {
        let raw = OsString::from_vec(vec![b'a', 0xff, b'b']);
        let obj = raw.clone().into_pyobject(py).unwrap();
        assert_eq!(obj.repr().unwrap().to_str().unwrap(), "'a\\udcffb'");
        assert_eq!(obj.extract::<OsString>().unwrap(), raw);
    });
}

#[test]
fn ip_addresses_convert_to_and_from_ipaddress() {
    Python::attach(|py| {
        let v4 = Ipv4Addr::new(192, 168, 0, 1);
        let obj = v4.into_pyobject(py).unwrap();
        assert_eq!(
            obj.repr().unwrap().to_str().unwrap(),
            "IPv4Address('192.168.0.1')"
        );
        assert_eq!(obj.extract::<IpAddr>().unwrap(), IpAddr::V4(v4));
        let v6 = Ipv6Addr::LOCALHOST;
        let obj = IpAddr::V6(v6).into_pyobject(py).unwrap();
        assert_eq!(obj.extract::<Ipv6Addr>().unwrap(), v6);
        assert!(obj
            .extract::<Ipv4Addr>()
            .unwrap_err()
            .is_instance_of::<PyValueError>(py));
        assert_eq!(
            eval(py, "'::1'").extract::<IpAddr>().unwrap(),
            IpAddr::V6(v6)
        );
        assert!(eval(py, "'nope'")
            .extract::<IpAddr>()
            .unwrap_err()
            .is_instance_of::<PyValueError>(py));
    });
}

#[test]
fn durations_are_timedeltas() {
    Python::attach(|py| {
        let duration = Duration::new(2 * 86_400 + 5, 123_456_789);
        let obj = duration.into_pyobject(py).unwrap();
        assert_eq!(
            obj.repr().unwrap().to_str().unwrap(),
            "datetime.timedelta(days=2, seconds=5, microseconds=123456)"
        );
        assert_eq!(
            obj.extract::<Duration>().unwrap(),
            Duration::new(2 * 86_400 + 5, 123_456_000)
        );
        let err = eval(py, "__import__('datetime').timedelta(seconds=-1)")
            .extract::<Duration>()
            .unwrap_err();
        assert!(err.is_instance_of::<PyValueError>(py));
        let err = Duration::from_secs(u64::MAX).into_pyobject(py).unwrap_err();
        assert!(err.is_instance_of::<PyOverflowError>(py));
    });
}

#[test]
fn system_times_are_aware_utc_datetimes() {
    Python::attach(|py| {
        let time = UNIX_EPOCH + Duration::new(1_700_000_000, 5_000);
        let obj = time.into_pyobject(py).unwrap();
        assert_eq!(
            obj.str().unwrap().to_str().unwrap(),
            "2023-11-14 22:13:20.000005+00:00"
        );
        assert_eq!(obj.extract::<SystemTime>().unwrap(), time);
        let before = UNIX_EPOCH - Duration::from_secs(86_400);
        assert_eq!(
            before
                .into_pyobject(py)
                .unwrap()
                .extract::<SystemTime>()
                .unwrap(),
            before
        );
        let naive = eval(py, "__import__('datetime').datetime(2020, 1, 1)");
        assert!(naive
            .extract::<SystemTime>()
            .unwrap_err()
            .is_instance_of::<PyTypeError>(py));
    });
}

#[test]
fn numpy_style_bools_are_accepted_where_bool_is() {
    Python::attach(|py| {
        let globals = PyDict::new(py);
        py.run(
            "class bool_:\n    def __init__(self, v): self.v = v\n    def __bool__(self): return self.v\nbool_.__module__ = 'numpy'\nt, f = bool_(True), bool_(False)\nclass other(bool_): pass\no = other(True)",
            Some(&globals),
            None,
        )
        .unwrap();
        let get = |name: &str| globals.get_item(name).unwrap().unwrap();
        assert!(get("t").extract::<bool>().unwrap());
        assert!(!get("f").extract::<bool>().unwrap());
        let err = get("o").extract::<bool>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "TypeError: 'other' object cannot be converted to 'bool'"
        );
        assert!(eval(py, "1").extract::<bool>().is_err());
    });
}

#[pyfunction]
fn takes_i64(x: i64) -> i64 {
    x
}

#[test]
fn argument_errors_name_the_argument() {
    Python::attach(|py| {
        let f = wrap_pyfunction!(takes_i64).to_object(py).unwrap();
        let err = f.call1((1u128 << 70,)).unwrap_err();
        assert!(err.is_instance_of::<PyOverflowError>(py));
        assert!(
            err.to_string().starts_with("OverflowError: argument 'x': "),
            "{err}"
        );
        let err = f.call1(("text",)).unwrap_err();
        assert!(err.is_instance_of::<PyTypeError>(py));
        assert!(err.to_string().contains("argument 'x':"), "{err}");
    });
}

#[test]
fn chars_and_i128_round_trip() {
    Python::attach(|py| {
        assert_eq!(
            'é'.into_pyobject(py).unwrap().extract::<char>().unwrap(),
            'é'
        );
        let big = i128::MIN + 7;
        assert_eq!(
            big.into_pyobject(py).unwrap().extract::<i128>().unwrap(),
            big
        );
        assert_eq!(
            u128::MAX
                .into_pyobject(py)
                .unwrap()
                .extract::<u128>()
                .unwrap(),
            u128::MAX
        );
    });
}
