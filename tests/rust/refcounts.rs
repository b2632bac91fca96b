//! Reference counts stay exact: every clone adds exactly one reference and
//! every drop removes exactly one, also when threads clone and drop the same
//! object at the same time (biased reference counting on free-threaded
//! builds: the owner thread's local count and the other threads' shared
//! count must add up), and no conversion or failed call leaks one.

use std::sync::Barrier;

use pyo3_ft::exceptions::PyTypeError;
use pyo3_ft::prelude::*;
use pyo3_ft::types::{PyDict, PyList, PyTuple};

/// Clone/drop pairs per thread in the collision tests.
const ITERATIONS: usize = 1_000_000;

/// `sys.getrefcount(obj)`, which counts its own argument too; compare two
/// such readings, never a reading with a constant.
fn sys_refcount(obj: &Bound<'_, PyAny>) -> isize {
    obj.py()
        .import("sys")
        .unwrap()
        .getattr("getrefcount")
        .unwrap()
        .call1((obj,))
        .unwrap()
        .extract()
        .unwrap()
}

/// Both views of the count, which must agree with each other.
fn refcounts(obj: &Bound<'_, PyAny>) -> (isize, isize) {
    (obj.get_refcnt(), sys_refcount(obj))
}

/// A new object that only this test references (not immortal, not
/// interned, not cached).
fn fresh_object(py: Python<'_>) -> Bound<'_, PyAny> {
    py.eval("type('Fresh', (), {})()", None, None).unwrap()
}

/// Asserts that `f` leaves `obj`'s reference count as it found it.
fn assert_no_leak<'py>(obj: &Bound<'py, PyAny>, what: &str, f: impl FnOnce(&Bound<'py, PyAny>)) {
    let before = refcounts(obj);
    f(obj);
    assert_eq!(refcounts(obj), before, "{what} changed the reference count");
}

#[test]
fn holding_k_clones_adds_exactly_k() {
    Python::attach(|py| {
        let obj = fresh_object(py);
        let (start, sys_start) = refcounts(&obj);
        assert!(start >= 1);
        assert_eq!(sys_start, start + 1, "getrefcount counts its argument once");
        for k in [1, 2, 7, 1000] {
            let clones: Vec<_> = (0..k).map(|_| obj.clone()).collect();
            assert_eq!(
                refcounts(&obj),
                (start + k as isize, sys_start + k as isize)
            );
            drop(clones);
            assert_eq!(refcounts(&obj), (start, sys_start));
        }
    });
}

/// Each `what => expression` takes one new reference to `obj`: holding it
/// adds exactly one to the count, dropping it takes exactly one away.
macro_rules! each_adds_one {
    ($obj:expr; $($what:literal => $take:expr,)*) => {$({
        let before = $obj.get_refcnt();
        let held = $take;
        assert_eq!($obj.get_refcnt(), before + 1, concat!($what, " while held"));
        drop(held);
        assert_eq!($obj.get_refcnt(), before, concat!($what, " after drop"));
    })*};
}

#[test]
fn every_way_of_taking_a_reference_adds_exactly_one() {
    Python::attach(|py| {
        let obj = fresh_object(py);
        let start = obj.get_refcnt();
        let unbound = obj.clone().unbind();
        assert_eq!(obj.get_refcnt(), start + 1, "unbind moves the reference");

        each_adds_one! { obj;
            "Bound::clone" => obj.clone(),
            "Bound::to_unbound" => obj.to_unbound(),
            "Py::clone_ref" => unbound.clone_ref(py),
            "Py::clone" => unbound.clone(),
            "Borrowed::to_owned" => obj.as_borrowed().to_owned(),
            "(&Bound).into_pyobject" => (&obj).into_pyobject(py).unwrap(),
            "(&Py).into_pyobject" => (&unbound).into_pyobject(py).unwrap(),
            "extract::<Py<PyAny>>" => obj.extract::<Py<PyAny>>().unwrap(),
            "extract::<Bound<PyAny>>" => obj.extract::<Bound<PyAny>>().unwrap(),
            "a list item" => PyList::new(py, [&obj]).unwrap(),
        }

        let bound = unbound.into_bound(py);
        assert_eq!(
            obj.get_refcnt(),
            start + 1,
            "into_bound moves the reference"
        );
        drop(bound);
        assert_eq!(obj.get_refcnt(), start);
    });
}

/// Each thread attaches, waits (detached) for the others so that the loops
/// overlap, then clones and drops `shared` `ITERATIONS` times as `Bound`
/// and as `Py`.
fn clone_and_drop(shared: &Py<PyAny>, barrier: &Barrier) {
    Python::attach(|py| {
        py.detach(|| barrier.wait());
        let b = shared.bind(py);
        for _ in 0..ITERATIONS {
            let c = b.clone();
            drop(c);
        }
        py.detach(|| barrier.wait());
        for _ in 0..ITERATIONS {
            let c = shared.clone_ref(py);
            drop(c);
        }
        // Some references held across the other thread's traffic.
        let held: Vec<_> = (0..1000).map(|_| b.clone()).collect();
        py.detach(|| barrier.wait());
        drop(held);
    });
}

/// Runs [`clone_and_drop`] on `spawned` new threads, plus the calling thread
/// (which created the object, so it owns it) if `with_owner`.
fn collide(spawned: usize, with_owner: bool) {
    let (shared, start) = Python::attach(|py| {
        let obj = fresh_object(py);
        let start = refcounts(&obj);
        (obj.unbind(), start)
    });
    let threads = spawned + usize::from(with_owner);
    let barrier = Barrier::new(threads);
    std::thread::scope(|scope| {
        for _ in 0..spawned {
            scope.spawn(|| clone_and_drop(&shared, &barrier));
        }
        if with_owner {
            clone_and_drop(&shared, &barrier);
        }
    });
    Python::attach(|py| {
        let obj = shared.bind(py);
        // The reference counted at the start is the one `shared` holds.
        assert_eq!(refcounts(obj), start, "after {threads} threads collided");
        assert!(obj.repr().unwrap().to_str().unwrap().contains("Fresh"));
    });
}

#[test]
fn two_threads_cloning_one_object_keep_the_count_exact() {
    collide(2, false);
}

#[test]
fn owner_and_another_thread_cloning_one_object_keep_the_count_exact() {
    collide(1, true);
}

#[test]
fn conversions_and_calls_do_not_leak_their_arguments() {
    Python::attach(|py| {
        let obj = fresh_object(py);
        let globals = PyDict::new(py);
        let code = "def identity(x):\n    return x\ndef raiser(x):\n    raise TypeError('no')\n";
        py.run(code, Some(&globals), None).unwrap();
        let identity = globals.get_item("identity").unwrap().unwrap();
        let raiser = globals.get_item("raiser").unwrap().unwrap();

        assert_no_leak(&obj, "call1 returning the argument", |obj| {
            assert!(identity.call1((obj,)).unwrap().is(obj));
        });
        assert_no_leak(&obj, "call1 raising", |obj| {
            let err = raiser.call1((obj,)).unwrap_err();
            assert!(err.is_instance_of::<PyTypeError>(py));
        });
        assert_no_leak(&obj, "a list holding it", |obj| {
            let list = PyList::new(py, [obj, obj, obj]).unwrap();
            assert_eq!(list.len(), 3);
        });
        assert_no_leak(&obj, "a tuple holding it", |obj| {
            let tuple = PyTuple::new(py, [obj, obj]).unwrap();
            let items: Vec<Bound<PyAny>> = tuple.extract().unwrap();
            assert!(items.iter().all(|item| item.is(obj)));
        });
        assert_no_leak(&obj, "dict set/get/del", |obj| {
            let dict = PyDict::new(py);
            dict.set_item("k", obj).unwrap();
            assert!(dict.get_item("k").unwrap().unwrap().is(obj));
            dict.del_item("k").unwrap();
            dict.set_item("again", obj).unwrap();
        });
        assert_no_leak(&obj, "setattr/getattr/delattr", |obj| {
            let holder = fresh_object(py);
            holder.setattr("field", obj).unwrap();
            assert!(holder.getattr("field").unwrap().is(obj));
            holder.delattr("field").unwrap();
            holder.setattr("kept", obj).unwrap();
        });
        assert_no_leak(&obj, "a failed tuple extraction", |obj| {
            let tuple = PyTuple::new(py, [obj.clone(), obj.clone()]).unwrap();
            assert!(tuple.extract::<(Py<PyAny>, i32)>().is_err());
            assert!(tuple.extract::<(Py<PyAny>, Py<PyAny>, i32)>().is_err());
        });
        assert_no_leak(&obj, "a failed Vec extraction", |obj| {
            let list = PyList::new(py, [obj.clone(), obj.clone()]).unwrap();
            list.append("not an object of the right type").unwrap();
            assert!(list.extract::<Vec<Py<PyDict>>>().is_err());
            assert_eq!(list.extract::<Vec<Py<PyAny>>>().unwrap().len(), 3);
        });
        assert_no_leak(&obj, "iterating a list", |obj| {
            let list = PyList::new(py, [obj; 4]).unwrap();
            assert_eq!(list.iter().filter(|item| item.is(obj)).count(), 4);
            let via_protocol = list.try_iter().unwrap().map(Result::unwrap).count();
            assert_eq!(via_protocol, 4);
        });
        assert_no_leak(&obj, "iterating a dict", |obj| {
            let dict = PyDict::new(py);
            dict.set_item(1, obj).unwrap();
            dict.set_item(2, obj).unwrap();
            assert_eq!(dict.iter().filter(|(_, value)| value.is(obj)).count(), 2);
            assert_eq!(dict.values().len(), 2);
        });
    });
}

/// The inline biased fast path compares `ob_tid` with the thread pointer as
/// pyo3-ft reads it; that read is CPython's `_Py_ThreadId` only on Linux
/// x86_64/aarch64, so everywhere else references are counted through
/// CPython's exported functions.
#[test]
fn inline_counting_only_where_the_thread_pointer_read_is_cpythons() {
    use pyo3_ft::runtime::build_info::{GIL_DISABLED, INLINE_REFCOUNT};
    let supported = cfg!(all(
        target_os = "linux",
        any(target_arch = "x86_64", target_arch = "aarch64")
    ));
    assert_eq!(INLINE_REFCOUNT, GIL_DISABLED && supported);
    if !INLINE_REFCOUNT {
        return;
    }
    Python::attach(|py| {
        let fresh = py.eval("object()", None, None).unwrap();
        // SAFETY: on free-threaded builds `ob_tid`, the owner's thread id as
        // CPython's `_Py_ThreadId` reads it, is the header's first word.
        let owner = unsafe { *fresh.as_ptr().cast::<usize>() };
        assert_eq!(owner, pyo3_ft::runtime::thread_id::current());
    });
}
