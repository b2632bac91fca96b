//! Heap types from specs (`Include/object.h`, `Include/typeslots.h`,
//! `Include/descrobject.h`) and object allocation.

use std::ffi::{c_char, c_int, c_uint, c_void};

use super::object::{getter, setter, PyObject, PyTypeObject, Py_ssize_t};

/// `PyType_Slot`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct PyType_Slot {
    pub slot: c_int,
    pub pfunc: *mut c_void,
}

/// `PyType_Spec`.
#[repr(C)]
#[derive(Debug)]
pub struct PyType_Spec {
    pub name: *const c_char,
    pub basicsize: c_int,
    pub itemsize: c_int,
    pub flags: c_uint,
    pub slots: *mut PyType_Slot,
}

/// `PyGetSetDef`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct PyGetSetDef {
    pub name: *const c_char,
    pub get: Option<getter>,
    pub set: Option<setter>,
    pub doc: *const c_char,
    pub closure: *mut c_void,
}

/// `PyMemberDef`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct PyMemberDef {
    pub name: *const c_char,
    pub type_code: c_int,
    pub offset: Py_ssize_t,
    pub flags: c_int,
    pub doc: *const c_char,
}

/// `Py_T_PYSSIZET` member type, used for `__weaklistoffset__` / `__dictoffset__`.
pub const Py_T_PYSSIZET: c_int = 19;
/// `Py_READONLY` member flag.
pub const Py_READONLY: c_int = 1;

// Slot numbers (`Include/typeslots.h`; 3.15: `Include/slots_generated.h`,
// where the four slots that shared their numbers with module slots got new
// ones).
#[cfg(not(Py_3_15))]
pub const Py_bf_getbuffer: c_int = 1;
#[cfg(not(Py_3_15))]
pub const Py_bf_releasebuffer: c_int = 2;
#[cfg(not(Py_3_15))]
pub const Py_mp_ass_subscript: c_int = 3;
#[cfg(not(Py_3_15))]
pub const Py_mp_length: c_int = 4;
#[cfg(Py_3_15)]
pub const Py_bf_getbuffer: c_int = 88;
#[cfg(Py_3_15)]
pub const Py_bf_releasebuffer: c_int = 89;
#[cfg(Py_3_15)]
pub const Py_mp_ass_subscript: c_int = 90;
#[cfg(Py_3_15)]
pub const Py_mp_length: c_int = 91;
pub const Py_mp_subscript: c_int = 5;
pub const Py_nb_absolute: c_int = 6;
pub const Py_nb_add: c_int = 7;
pub const Py_nb_and: c_int = 8;
pub const Py_nb_bool: c_int = 9;
pub const Py_nb_divmod: c_int = 10;
pub const Py_nb_float: c_int = 11;
pub const Py_nb_floor_divide: c_int = 12;
pub const Py_nb_index: c_int = 13;
pub const Py_nb_inplace_add: c_int = 14;
pub const Py_nb_inplace_and: c_int = 15;
pub const Py_nb_inplace_floor_divide: c_int = 16;
pub const Py_nb_inplace_lshift: c_int = 17;
pub const Py_nb_inplace_multiply: c_int = 18;
pub const Py_nb_inplace_or: c_int = 19;
pub const Py_nb_inplace_power: c_int = 20;
pub const Py_nb_inplace_remainder: c_int = 21;
pub const Py_nb_inplace_rshift: c_int = 22;
pub const Py_nb_inplace_subtract: c_int = 23;
pub const Py_nb_inplace_true_divide: c_int = 24;
pub const Py_nb_inplace_xor: c_int = 25;
pub const Py_nb_int: c_int = 26;
pub const Py_nb_invert: c_int = 27;
pub const Py_nb_lshift: c_int = 28;
pub const Py_nb_multiply: c_int = 29;
pub const Py_nb_negative: c_int = 30;
pub const Py_nb_or: c_int = 31;
pub const Py_nb_positive: c_int = 32;
pub const Py_nb_power: c_int = 33;
pub const Py_nb_remainder: c_int = 34;
pub const Py_nb_rshift: c_int = 35;
pub const Py_nb_subtract: c_int = 36;
pub const Py_nb_true_divide: c_int = 37;
pub const Py_nb_xor: c_int = 38;
pub const Py_sq_ass_item: c_int = 39;
pub const Py_sq_concat: c_int = 40;
pub const Py_sq_contains: c_int = 41;
pub const Py_sq_inplace_concat: c_int = 42;
pub const Py_sq_inplace_repeat: c_int = 43;
pub const Py_sq_item: c_int = 44;
pub const Py_sq_length: c_int = 45;
pub const Py_sq_repeat: c_int = 46;
pub const Py_tp_alloc: c_int = 47;
pub const Py_tp_base: c_int = 48;
pub const Py_tp_bases: c_int = 49;
pub const Py_tp_call: c_int = 50;
pub const Py_tp_clear: c_int = 51;
pub const Py_tp_dealloc: c_int = 52;
pub const Py_tp_del: c_int = 53;
pub const Py_tp_descr_get: c_int = 54;
pub const Py_tp_descr_set: c_int = 55;
pub const Py_tp_doc: c_int = 56;
pub const Py_tp_getattr: c_int = 57;
pub const Py_tp_getattro: c_int = 58;
pub const Py_tp_hash: c_int = 59;
pub const Py_tp_init: c_int = 60;
pub const Py_tp_is_gc: c_int = 61;
pub const Py_tp_iter: c_int = 62;
pub const Py_tp_iternext: c_int = 63;
pub const Py_tp_methods: c_int = 64;
pub const Py_tp_new: c_int = 65;
pub const Py_tp_repr: c_int = 66;
pub const Py_tp_richcompare: c_int = 67;
pub const Py_tp_setattr: c_int = 68;
pub const Py_tp_setattro: c_int = 69;
pub const Py_tp_str: c_int = 70;
pub const Py_tp_traverse: c_int = 71;
pub const Py_tp_members: c_int = 72;
pub const Py_tp_getset: c_int = 73;
pub const Py_tp_free: c_int = 74;
pub const Py_nb_matrix_multiply: c_int = 75;
pub const Py_nb_inplace_matrix_multiply: c_int = 76;
pub const Py_am_await: c_int = 77;
pub const Py_am_aiter: c_int = 78;
pub const Py_am_anext: c_int = 79;
pub const Py_tp_finalize: c_int = 80;
pub const Py_am_send: c_int = 81;

extern "C" {
    pub fn PyType_FromSpec(spec: *mut PyType_Spec) -> *mut PyObject;
    pub fn PyType_FromMetaclass(
        metaclass: *mut PyTypeObject,
        module: *mut PyObject,
        spec: *mut PyType_Spec,
        bases: *mut PyObject,
    ) -> *mut PyObject;
    pub fn PyType_GetSlot(t: *mut PyTypeObject, slot: c_int) -> *mut c_void;
    pub fn PyType_GetName(t: *mut PyTypeObject) -> *mut PyObject;
    pub fn PyType_GetQualName(t: *mut PyTypeObject) -> *mut PyObject;
    pub fn PyType_GetFullyQualifiedName(t: *mut PyTypeObject) -> *mut PyObject;
    pub fn PyType_GetModuleName(t: *mut PyTypeObject) -> *mut PyObject;
    pub fn PyType_Modified(t: *mut PyTypeObject);
    pub fn PyType_GenericAlloc(t: *mut PyTypeObject, nitems: Py_ssize_t) -> *mut PyObject;
    pub fn PyType_GenericNew(
        t: *mut PyTypeObject,
        args: *mut PyObject,
        kwds: *mut PyObject,
    ) -> *mut PyObject;

    pub fn PyObject_Free(p: *mut c_void);
    pub fn PyObject_GC_Del(p: *mut c_void);
    pub fn PyObject_GC_Track(op: *mut c_void);
    pub fn PyObject_GC_UnTrack(op: *mut c_void);
    pub fn PyObject_GC_IsTracked(op: *mut PyObject) -> c_int;
    pub fn PyObject_ClearWeakRefs(op: *mut PyObject);
    pub fn PyObject_CallFinalizerFromDealloc(op: *mut PyObject) -> c_int;
    pub fn PyObject_GenericGetDict(op: *mut PyObject, context: *mut c_void) -> *mut PyObject;
    pub fn PyObject_GenericSetDict(
        op: *mut PyObject,
        value: *mut PyObject,
        context: *mut c_void,
    ) -> c_int;
    pub fn PyObject_VisitManagedDict(
        op: *mut PyObject,
        visit: super::object::visitproc,
        arg: *mut c_void,
    ) -> c_int;
    pub fn PyObject_ClearManagedDict(op: *mut PyObject);
}
