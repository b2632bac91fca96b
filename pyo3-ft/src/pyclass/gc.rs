//! [`PyVisit`]: what `__traverse__` reports to the garbage collector, and
//! the `tp_traverse` functions of `#[pyclass]` types.
//!
//! While a `__traverse__` runs, its thread may not attach (so it can run no
//! Python code and take no new reference): `Python::attach` and `Py::clone`
//! panic there, and dropping a `Py` panics and leaks it. The panic is caught
//! and reported on stderr, and the collector goes on with the references
//! visited so far (missing references only keep objects alive). The
//! `__traverse__` of an `unsendable` value runs only on its own thread.

use std::ffi::{c_int, c_void};
use std::marker::PhantomData;

use pyo3_ft_runtime::{ffi, thread_state};

use super::storage::ClassStorage;
use super::{PyClass, PyClassObject};
use crate::instance::Py;

/// Passed to `__traverse__`: call [`PyVisit::call`] on every Python object
/// the value holds, so reference cycles through Rust values are collected.
///
/// `__traverse__` runs inside the collector with other threads stopped: it
/// must only visit references, never call Python or wait on locks.
pub struct PyVisit<'a> {
    visit: ffi::visitproc,
    arg: *mut c_void,
    marker: PhantomData<&'a ()>,
}

/// The collector asked to stop visiting; return it from `__traverse__`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PyTraverseError(c_int);

impl PyTraverseError {
    pub(crate) fn code(self) -> c_int {
        self.0
    }
}

impl PyVisit<'_> {
    pub(crate) fn new(visit: ffi::visitproc, arg: *mut c_void) -> Self {
        PyVisit {
            visit,
            arg,
            marker: PhantomData,
        }
    }

    /// Reports one reference.
    pub fn call<T>(&self, object: &Py<T>) -> Result<(), PyTraverseError> {
        // SAFETY: `visit` and `arg` come from the collector; `object` is alive.
        match unsafe { (self.visit)(object.as_ptr(), self.arg) } {
            0 => Ok(()),
            code => Err(PyTraverseError(code)),
        }
    }

    /// Reports a reference if there is one.
    pub fn call_opt<T>(&self, object: Option<&Py<T>>) -> Result<(), PyTraverseError> {
        object.map_or(Ok(()), |object| self.call(object))
    }
}

/// `T`'s type object and its base, once created (always, while an
/// instance exists).
fn own_type<T: PyClass>() -> Option<(*mut ffi::PyTypeObject, *mut ffi::PyTypeObject)> {
    let ty = T::lazy_type_object().get_created()?;
    // SAFETY: a created type object is alive for the process; its
    // `tp_base` is a live type (at least `object`).
    Some((ty, unsafe { (*ty).tp_base }))
}

/// Whether `T`'s class introduces the managed `__dict__` (its base has
/// none), so that `T`'s `tp_traverse`/`tp_clear` handle it. The check is on
/// `T`'s own type, not the instance's: a Python subclass that adds a
/// `__dict__` visits and clears it itself, before calling ours.
///
/// # Safety
/// `ty` and `base` must be live types.
unsafe fn introduces_dict(ty: *mut ffi::PyTypeObject, base: *mut ffi::PyTypeObject) -> bool {
    // SAFETY: the caller's contract.
    unsafe {
        ffi::PyType_HasFeature(ty, ffi::Py_TPFLAGS_MANAGED_DICT)
            && !ffi::PyType_HasFeature(base, ffi::Py_TPFLAGS_MANAGED_DICT)
    }
}

/// What `T`'s layers other than its own Rust value hold, each visited
/// exactly once, as CPython's own subclasses do it: the base class's
/// `tp_traverse` when it has one (it reports the type), otherwise the type
/// (heap types must report it); then the managed `__dict__` if `T`
/// introduces it.
///
/// # Safety
/// Called by the collector with an instance of `T`.
unsafe fn visit_base<T: PyClass>(
    slf: *mut ffi::PyObject,
    visit: ffi::visitproc,
    arg: *mut c_void,
) -> c_int {
    let Some((ty, base)) = own_type::<T>() else {
        return 0;
    };
    // SAFETY: `slf` is an instance of `T` and of its base; the collector's
    // `visit` accepts any object.
    unsafe {
        let status = match (*base).tp_traverse {
            Some(base_traverse) => base_traverse(slf, visit, arg),
            None => visit(ffi::Py_TYPE(slf).cast(), arg),
        };
        if status != 0 || !introduces_dict(ty, base) {
            return status;
        }
        ffi::PyObject_VisitManagedDict(slf, visit, arg)
    }
}

/// `tp_clear` of every collected `#[pyclass]`: the class's `__clear__` if
/// it has one, the managed `__dict__` if the class introduces it, then the
/// base class's `tp_clear`.
///
/// # Safety
/// Called by the collector with an instance of `T`.
pub(crate) unsafe extern "C" fn clear<T: PyClass>(slf: *mut ffi::PyObject) -> c_int {
    let own_clear = (T::info().items)()
        .slots
        .iter()
        .find(|def| def.slot == ffi::Py_tp_clear);
    if let Some(def) = own_clear {
        // SAFETY: the `Py_tp_clear` slot of `#[pymethods]` holds an
        // `inquiry`, called here with an instance of `T`.
        let status =
            unsafe { std::mem::transmute::<unsafe extern "C" fn(), ffi::inquiry>(def.func)(slf) };
        if status != 0 {
            return status;
        }
    }
    let Some((ty, base)) = own_type::<T>() else {
        return 0;
    };
    // SAFETY: `slf` is an instance of `T` and of its base.
    unsafe {
        if introduces_dict(ty, base) {
            ffi::PyObject_ClearManagedDict(slf);
        }
        (*base).tp_clear.map_or(0, |base_clear| base_clear(slf))
    }
}

/// `tp_traverse` of a collected class without `__traverse__` (it holds a
/// `__dict__` or weak references): its base's references.
///
/// # Safety
/// Called by the collector with an instance of `T`.
pub(crate) unsafe extern "C" fn default_traverse<T: PyClass>(
    slf: *mut ffi::PyObject,
    visit: ffi::visitproc,
    arg: *mut c_void,
) -> c_int {
    // SAFETY: forwarded from the collector.
    unsafe { visit_base::<T>(slf, visit, arg) }
}

/// `tp_traverse` of a class with `__traverse__`: its base's references,
/// then the method's. A value another thread holds exclusively right now,
/// or an `unsendable` value of another thread, is skipped, never waited for.
///
/// # Safety
/// Called by the collector with an instance of `T`.
pub(crate) unsafe fn traverse<T: PyClass>(
    slf: *mut ffi::PyObject,
    visit: ffi::visitproc,
    arg: *mut c_void,
    body: fn(&T, PyVisit<'_>) -> Result<(), PyTraverseError>,
) -> c_int {
    // SAFETY: forwarded from the collector.
    let status = unsafe { visit_base::<T>(slf, visit, arg) };
    if status != 0 {
        return status;
    }
    // SAFETY: `slf` is an instance of `T`, alive while the collector runs.
    let storage = unsafe { &*PyClassObject::<T>::contents(slf) };
    let Some(value) = storage.try_borrow_for_gc() else {
        return 0;
    };
    let _traversing = thread_state::enter_traverse();
    let visited = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        body(value, PyVisit::new(visit, arg))
    }));
    match visited {
        Ok(Ok(())) => 0,
        Ok(Err(error)) => error.code(),
        Err(payload) => {
            // Nothing may call Python here, not even to report.
            eprintln!(
                "pyo3-ft: {}.__traverse__ panicked: {}; the collector skipped the references \
                 it had not visited yet",
                T::NAME,
                crate::panic::payload_message(&*payload)
            );
            0
        }
    }
}
