//! The builtin types added for PyO3 parity, and the API names PyO3 users
//! reach for; thread-safety tests where objects are shared.

use std::borrow::Cow;
use std::cmp::Ordering as CmpOrdering;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use pyo3_ft::exceptions::{PyTypeError, PyValueError};
use pyo3_ft::prelude::*;
use pyo3_ft::testing::hammer;
use pyo3_ft::types::{
    CompareOp, PyBackedBytes, PyBackedStr, PyByteArray, PyBytes, PyCFunction, PyCapsule, PyComplex,
    PyDate, PyDateTime, PyDelta, PyDict, PyMapping, PyMemoryView, PyModule, PySequence, PySlice,
    PyTime, PyType, PyTzInfo, PyWeakref,
};
use pyo3_ft::{pyclass, pymethods};

const THREADS: usize = 8;

fn eval<'py>(py: Python<'py>, code: &str) -> Bound<'py, PyAny> {
    py.eval(code, None, None).unwrap()
}

#[test]
fn api_names_from_pyo3() {
    Python::attach(|py| {
        assert!(CompareOp::Ge.matches(CmpOrdering::Greater));
        assert!(!CompareOp::Ne.matches(CmpOrdering::Equal));
        assert!(py.None().bind(py).is_none());
        let collections = PyModule::import(py, "collections").unwrap();
        let ty = collections.getattr("OrderedDict").unwrap();
        let ty = ty.cast::<PyType>().unwrap();
        assert_eq!(
            ty.fully_qualified_name().unwrap().to_str().unwrap(),
            "collections.OrderedDict"
        );
        assert_eq!(
            eval(py, "int")
                .cast_into::<PyType>()
                .unwrap()
                .fully_qualified_name()
                .unwrap()
                .to_str()
                .unwrap(),
            "int"
        );
        let err = PyValueError::new_err("boom");
        let value = err.into_value(py);
        assert_eq!(
            value.bind(py).repr().unwrap().to_str().unwrap(),
            "ValueError('boom')"
        );
        let obj = PyTypeError::new_err("t").into_pyobject(py).unwrap();
        assert!(obj
            .get_type()
            .is(&py.import("builtins").unwrap().getattr("TypeError").unwrap()));
    });
}

#[test]
fn dict_iterates_as_pairs() {
    Python::attach(|py| {
        let dict = PyDict::new(py);
        for i in 0..5 {
            dict.set_item(i, i * 10).unwrap();
        }
        let mut sum = 0;
        for (k, v) in &dict {
            sum += k.extract::<i32>().unwrap() * 100 + v.extract::<i32>().unwrap();
            dict.del_item(k).unwrap(); // mutating while iterating is fine
        }
        assert_eq!(sum, 1000 + 100);
        assert!(dict.is_empty());
    });
}

#[test]
fn dict_iteration_while_8_threads_mutate_yields_whole_pairs() {
    let dict: Py<PyDict> = Python::attach(|py| PyDict::new(py).unbind());
    let pairs = AtomicUsize::new(0);
    let report = hammer(THREADS, 500, |py, thread, i| {
        let dict = dict.bind(py);
        let key = (thread * 7 + i) % 64;
        if i % 3 == 0 {
            let _ = dict.del_item(key);
        } else {
            dict.set_item(key, key * 1000 + i % 1000)?;
        }
        for (k, v) in dict.iter() {
            let (k, v): (usize, usize) = (k.extract()?, v.extract()?);
            assert_eq!(v / 1000, k, "a torn pair");
            pairs.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    });
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(pairs.load(Ordering::Relaxed) > 0);
}

#[test]
fn weakref_upgrade_races_the_referents_death() {
    let upgrades = AtomicUsize::new(0);
    let report = hammer(THREADS, 200, |py, _, _| {
        let target = eval(py, "type('T', (), {'value': 42})()");
        let weak: Py<PyWeakref> = PyWeakref::new(&target)?.unbind();
        std::thread::scope(|scope| {
            // Another thread upgrades while this one drops the only strong
            // reference: each upgrade is the whole object or nothing.
            let reader = scope.spawn(|| {
                Python::attach(|py| {
                    for _ in 0..50 {
                        match weak.bind(py).upgrade() {
                            Some(object) => {
                                assert_eq!(
                                    object.getattr("value").unwrap().extract::<i32>().unwrap(),
                                    42
                                );
                                upgrades.fetch_add(1, Ordering::Relaxed);
                            }
                            None => assert!(weak.bind(py).get_object().is_none()),
                        }
                    }
                })
            });
            drop(target);
            py.detach(|| reader.join().unwrap());
        });
        Ok(())
    });
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    println!("{} successful upgrades", upgrades.load(Ordering::Relaxed));
}

#[test]
fn closures_are_called_from_many_threads() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let function: Py<PyAny> = Python::attach(|py| {
        PyCFunction::new_closure(
            py,
            Some(c"count"),
            Some(c"Counts calls."),
            move |args, kwargs| {
                counter.fetch_add(1, Ordering::Relaxed);
                let scale = match kwargs {
                    Some(kwargs) => kwargs
                        .get_item("scale")?
                        .map_or(Ok(1), |s| s.extract::<i64>())?,
                    None => 1,
                };
                Ok::<_, PyErr>(args.len() as i64 * scale)
            },
        )
        .unwrap()
        .into_any()
        .unbind()
    });
    let report = hammer(THREADS, 1_000, |py, _, _| {
        assert_eq!(function.bind(py).call1((1, 2))?.extract::<i64>()?, 2);
        Ok(())
    });
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(calls.load(Ordering::Relaxed), THREADS * 1_000);
    Python::attach(|py| {
        let f = function.bind(py);
        let kwargs = PyDict::new(py);
        kwargs.set_item("scale", 10).unwrap();
        assert_eq!(
            f.call((1,), Some(&kwargs))
                .unwrap()
                .extract::<i64>()
                .unwrap(),
            10
        );
        assert_eq!(
            f.getattr("__name__").unwrap().extract::<String>().unwrap(),
            "count"
        );
        assert_eq!(
            f.getattr("__doc__").unwrap().extract::<String>().unwrap(),
            "Counts calls."
        );
        assert!(f.cast::<PyCFunction>().is_ok());
    });
}

#[test]
fn bytearray_complex_slice_memoryview() {
    Python::attach(|py| {
        let array = PyByteArray::new(py, b"hello");
        assert_eq!(array.len(), 5);
        array.resize(4).unwrap();
        assert_eq!(array.to_vec(), b"hell");
        let from = PyByteArray::from(PyBytes::new(py, b"xy").as_any()).unwrap();
        assert_eq!(from.to_vec(), b"xy");
        assert_eq!(
            array.extract::<Cow<[u8]>>().unwrap(),
            Cow::<[u8]>::Owned(b"hell".to_vec())
        );
        assert!(matches!(
            PyBytes::new(py, b"b").extract::<Cow<[u8]>>().unwrap(),
            Cow::Borrowed(b"b")
        ));

        let z = PyComplex::from_doubles(py, 3.0, 4.0);
        assert_eq!(
            z.call_method0("__abs__").unwrap().extract::<f64>().unwrap(),
            5.0
        );
        assert_eq!(eval(py, "2j").cast::<PyComplex>().unwrap().imag(), 2.0);

        let slice = PySlice::new(py, 1, 10, 3);
        let indices = slice.indices(5).unwrap();
        assert_eq!(
            (
                indices.start,
                indices.stop,
                indices.step,
                indices.slicelength
            ),
            (1, 5, 3, 2)
        );
        assert_eq!(PySlice::full(py).indices(3).unwrap().slicelength, 3);
        assert!(eval(py, "slice(0, 1, 0)")
            .cast::<PySlice>()
            .unwrap()
            .indices(3)
            .unwrap_err()
            .is_instance_of::<PyValueError>(py));

        let view = PyMemoryView::from(array.as_any()).unwrap();
        assert_eq!(view.len().unwrap(), 4);
        assert!(PyMemoryView::from(&eval(py, "1"))
            .unwrap_err()
            .is_instance_of::<PyTypeError>(py));
    });
}

#[test]
fn bytearray_copies_are_atomic_while_threads_resize() {
    let array: Py<PyByteArray> = Python::attach(|py| PyByteArray::new(py, &[7; 64]).unbind());
    let report = hammer(THREADS, 500, |py, thread, i| {
        let array = array.bind(py);
        if thread % 2 == 0 {
            array.resize(1 + (i * 13) % 200)?;
        } else {
            // A copy is taken under the array's lock, which `resize` takes
            // too: its length is always one a writer set.
            let len = array.to_vec().len();
            assert!((1..=200).contains(&len) || len == 64, "{len}");
        }
        Ok(())
    });
    assert!(report.errors.is_empty(), "{:?}", report.errors);
}

#[test]
fn capsules_own_their_value() {
    struct Tracked(Arc<AtomicUsize>);
    impl Drop for Tracked {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }
    let drops = Arc::new(AtomicUsize::new(0));
    Python::attach(|py| {
        let capsule = PyCapsule::new(
            py,
            Tracked(drops.clone()),
            Some(c"tests.tracked".to_owned()),
        )
        .unwrap();
        assert_eq!(capsule.name().unwrap(), Some(c"tests.tracked"));
        // SAFETY: the capsule holds a `Tracked`.
        assert_eq!(
            unsafe { capsule.reference::<Tracked>() }
                .0
                .load(Ordering::Relaxed),
            0
        );
        assert!(!capsule.pointer().unwrap().is_null());
        let unnamed = PyCapsule::new(py, 5u8, None).unwrap();
        assert_eq!(unnamed.name().unwrap(), None);
    });
    assert_eq!(drops.load(Ordering::Relaxed), 1);
}

#[test]
fn mapping_and_sequence_protocols() {
    Python::attach(|py| {
        let mapping = eval(py, "__import__('types').MappingProxyType({'a': 1})");
        let mapping = mapping.cast::<PyMapping>().unwrap();
        assert_eq!(mapping.len().unwrap(), 1);
        assert_eq!(
            mapping
                .keys()
                .unwrap()
                .get_item(0)
                .unwrap()
                .extract::<String>()
                .unwrap(),
            "a"
        );
        assert_eq!(mapping.items().unwrap().len(), 1);
        assert!(PyDict::new(py).as_any().cast::<PyMapping>().is_ok());
        assert!(eval(py, "[1]").cast::<PyMapping>().is_err());

        let list = eval(py, "[3, 1, 3]");
        let seq = list.cast::<PySequence>().unwrap();
        assert_eq!(seq.count(3).unwrap(), 2);
        assert_eq!(seq.index(1).unwrap(), 1);
        seq.set_item(1, 5).unwrap();
        seq.del_item(0).unwrap();
        assert_eq!(
            seq.to_tuple().unwrap().extract::<(i32, i32)>().unwrap(),
            (5, 3)
        );
        assert_eq!(seq.repeat(2).unwrap().len().unwrap(), 4);
        assert_eq!(seq.concat(seq).unwrap().to_list().unwrap().len(), 4);
        assert!(eval(py, "'text'").cast::<PySequence>().is_ok());
        assert!(eval(py, "{1}").cast::<PySequence>().is_err());
        let err = eval(py, "{1}")
            .cast_into::<PySequence>()
            .map_err(PyErr::from)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "TypeError: 'set' object cannot be converted to 'Sequence'"
        );
    });
}

#[test]
fn backed_strings_and_bytes_outlive_the_attachment() {
    let (text, bytes, copied): (PyBackedStr, PyBackedBytes, PyBackedBytes) = Python::attach(|py| {
        (
            eval(py, "'ünïcode'").extract().unwrap(),
            eval(py, "b'raw'").extract().unwrap(),
            eval(py, "bytearray(b'copy')").extract().unwrap(),
        )
    });
    let handle = std::thread::spawn(move || (text.to_string(), bytes.to_vec(), copied.clone()));
    let (text, bytes, copied) = handle.join().unwrap();
    assert_eq!(text, "ünïcode");
    assert_eq!(bytes, b"raw");
    assert_eq!(copied, *b"copy".as_slice());
    Python::attach(|py| {
        assert!(eval(py, "1")
            .extract::<PyBackedStr>()
            .unwrap_err()
            .is_instance_of::<PyTypeError>(py));
    });
}

#[test]
fn dates_times_and_deltas() {
    Python::attach(|py| {
        let date = PyDate::new(py, 1999, 12, 31).unwrap();
        assert_eq!(
            (date.get_year(), date.get_month(), date.get_day()),
            (1999, 12, 31)
        );
        assert!(PyDate::new(py, 1999, 13, 1)
            .unwrap_err()
            .is_instance_of::<PyValueError>(py));
        assert!(PyDate::from_timestamp(py, 0.0).unwrap().get_year() >= 1969);

        let tz =
            PyTzInfo::fixed_offset(py, &PyDelta::new(py, 0, -5 * 3600, 0, true).unwrap()).unwrap();
        let moment =
            PyDateTime::new_with_fold(py, 2000, 2, 29, 23, 59, 58, 999_999, Some(&tz), true)
                .unwrap();
        assert_eq!(
            (
                moment.get_year(),
                moment.get_month(),
                moment.get_day(),
                moment.get_hour(),
                moment.get_minute(),
                moment.get_second(),
                moment.get_microsecond(),
                moment.get_fold()
            ),
            (2000, 2, 29, 23, 59, 58, 999_999, true)
        );
        assert!(moment.get_tzinfo().unwrap().is(&tz));
        assert_eq!(
            moment.cast::<PyDate>().unwrap().get_day(),
            29,
            "a datetime is a date"
        );
        let utc = PyDateTime::from_timestamp(py, 86_400.5, Some(&PyTzInfo::utc(py))).unwrap();
        assert_eq!((utc.get_day(), utc.get_microsecond()), (2, 500_000));

        let time = PyTime::new(py, 1, 2, 3, 4, Some(&PyTzInfo::utc(py))).unwrap();
        assert_eq!(
            (
                time.get_hour(),
                time.get_minute(),
                time.get_second(),
                time.get_microsecond()
            ),
            (1, 2, 3, 4)
        );
        assert!(time.get_tzinfo().is_some());
        assert!(PyTime::new(py, 24, 0, 0, 0, None).is_err());

        let delta = PyDelta::new(py, 1, 86_400 + 1, 1_000_001, true).unwrap();
        assert_eq!(
            (
                delta.get_days(),
                delta.get_seconds(),
                delta.get_microseconds()
            ),
            (2, 2, 1)
        );
        assert!(PyDelta::new(py, 1_000_000_000, 0, 0, true).is_err());
        assert!(eval(py, "__import__('datetime').date(2020, 1, 1)")
            .cast::<PyDateTime>()
            .is_err());
        match PyTzInfo::timezone(py, "UTC") {
            Ok(zone) => assert_eq!(zone.str().unwrap().to_str().unwrap(), "UTC"),
            // No time zone database on this system.
            Err(err) => assert!(
                err.get_type(py)
                    .name()
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .contains("ZoneInfoNotFound"),
                "{err}"
            ),
        }
    });
}

#[test]
fn datetime_objects_are_created_from_many_threads() {
    let report = hammer(THREADS, 300, |py, thread, i| {
        let moment = PyDateTime::new(
            py,
            2000 + thread as i32,
            1 + (i % 12) as u8,
            1,
            0,
            0,
            0,
            i as u32,
            None,
        )?;
        assert_eq!(moment.get_microsecond(), i as u32);
        assert_eq!(moment.get_year(), 2000 + thread as i32);
        Ok(())
    });
    assert!(report.errors.is_empty(), "{:?}", report.errors);
}

#[test]
fn builtin_methods_on_par_with_pyo3() {
    use pyo3_ft::types::{PyList, PyString};
    Python::attach(|py| {
        let dict = PyDict::from_sequence(&eval(py, "[(1, 'a'), (2, 'b')]")).unwrap();
        let other = eval(py, "{2: 'B', 3: 'C'}");
        dict.update_if_missing(other.cast::<PyMapping>().unwrap())
            .unwrap();
        assert_eq!(
            dict.get_item(2)
                .unwrap()
                .unwrap()
                .extract::<String>()
                .unwrap(),
            "b"
        );
        dict.update(other.cast::<PyMapping>().unwrap()).unwrap();
        assert_eq!(
            dict.get_item(2)
                .unwrap()
                .unwrap()
                .extract::<String>()
                .unwrap(),
            "B"
        );
        assert!(PyDict::from_sequence(&eval(py, "[1]")).is_err());

        let list = PyList::new(py, ["x", "y", "z"]).unwrap();
        assert_eq!(
            list.get_slice(1, usize::MAX)
                .extract::<Vec<String>>()
                .unwrap(),
            ["y", "z"]
        );
        assert!(list.contains("y").unwrap());
        assert_eq!(list.index("z").unwrap(), 2);
        assert!(list
            .index("w")
            .unwrap_err()
            .is_instance_of::<PyValueError>(py));
        list.del_item(1).unwrap();
        assert_eq!(list.len(), 2);

        let text = PyString::new(py, "ß");
        assert_eq!(text.to_cow().unwrap(), "ß");
        assert_eq!(text.encode_utf8().unwrap().as_bytes(), "ß".as_bytes());
        let lone = eval(py, "'\\ud800'");
        assert!(lone.cast::<PyString>().unwrap().encode_utf8().is_err());

        let bytes = PyBytes::new_with(py, 3, |buffer| {
            assert_eq!(buffer, [0, 0, 0]);
            buffer[2] = 9;
            Ok(())
        })
        .unwrap();
        assert_eq!(bytes.as_bytes(), [0, 0, 9]);
        let err = PyBytes::new_with(py, 1, |_| Err(PyValueError::new_err("no"))).unwrap_err();
        assert!(err.is_instance_of::<PyValueError>(py));
    });
}

/// A fixed-offset time zone written in Rust.
#[pyclass(extends = PyTzInfo)]
struct HoursEast {
    hours: i32,
}

#[pymethods]
impl HoursEast {
    #[new]
    fn new(hours: i32) -> Self {
        HoursEast { hours }
    }

    fn utcoffset<'py>(
        &self,
        py: Python<'py>,
        _moment: Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyDelta>> {
        PyDelta::new(py, 0, self.hours * 3600, 0, true)
    }

    fn dst(&self, _moment: Bound<'_, PyAny>) -> Option<i32> {
        None
    }

    fn tzname(&self, _moment: Bound<'_, PyAny>) -> String {
        format!("UTC{:+}", self.hours)
    }
}

#[test]
fn a_pyclass_extends_tzinfo() {
    Python::attach(|py| {
        let module = PyModule::new(py, "zones").unwrap();
        module.add_class::<HoursEast>().unwrap();
        let globals = module.dict().copy().unwrap();
        py.run(
            "import datetime\n\
             zone = HoursEast(2)\n\
             assert isinstance(zone, datetime.tzinfo)\n\
             moment = datetime.datetime(2024, 1, 1, 12, tzinfo=zone)\n\
             assert moment.utcoffset() == datetime.timedelta(hours=2)\n\
             assert moment.tzname() == 'UTC+2'\n\
             assert moment.astimezone(datetime.timezone.utc).hour == 10",
            Some(&globals),
            None,
        )
        .unwrap();
        let zone = globals.get_item("zone").unwrap().unwrap();
        let zone = zone.cast::<PyTzInfo>().unwrap();
        let moment = PyDateTime::new(py, 2024, 6, 1, 0, 0, 0, 0, Some(zone)).unwrap();
        assert!(moment.get_tzinfo().unwrap().is(zone));
    });
}
