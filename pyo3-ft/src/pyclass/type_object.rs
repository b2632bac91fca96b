//! Creating a class's type object from its static description, once per
//! process.

use std::ffi::{c_int, c_uint, c_void, CStr, CString};
use std::marker::PhantomData;

use pyo3_ft_runtime::ffi;

use super::items::{MethodKind, PyClassItems};
use super::{PyClass, PyClassBaseType};
use crate::err::PyResult;
use crate::instance::{Bound, Py};
use crate::python::Python;
use crate::sync::PyOnceLock;
use crate::types::PyType;

/// Static facts about a class, made by `#[pyclass]`.
pub struct ClassInfo {
    /// The Python name.
    pub name: &'static str,
    /// `#[pyclass(module = "...")]`.
    pub module: Option<&'static str>,
    /// The docstring (with the constructor's text signature, if any).
    pub doc: &'static CStr,
    /// Python classes may subclass it.
    pub subclass: bool,
    /// Instances get a `__dict__`.
    pub dict: bool,
    /// Instances can be weakly referenced.
    pub weakref: bool,
    /// `sequence`: `Py_TPFLAGS_SEQUENCE`, so `match` takes instances for
    /// sequence patterns.
    pub sequence: bool,
    /// `mapping`: `Py_TPFLAGS_MAPPING`, for mapping patterns.
    pub mapping: bool,
    /// Instance size.
    pub basicsize: usize,
    /// `tp_dealloc`.
    pub dealloc: ffi::destructor,
    /// Properties made from `#[py(get, set)]` fields.
    pub field_getsets: &'static [super::items::GetSetDef],
    /// Slots `#[pyclass]` itself defines (`eq`, `ord`, `hash`, enums).
    pub extra_slots: &'static [super::items::SlotDef],
    /// Class attributes `#[pyclass]` itself defines (enum variants).
    pub extra_class_attrs: &'static [super::items::ClassAttrDef],
    /// The `#[pymethods]` items.
    pub items: fn() -> &'static PyClassItems,
}

/// The type object of `T`, created on first use.
///
/// Class attributes are added in a second step, after the type exists, so
/// that a `#[classattr]` may create instances of its own class.
pub struct LazyTypeObject<T> {
    cell: PyOnceLock<Py<PyType>>,
    attributes: PyOnceLock<()>,
    marker: PhantomData<T>,
}

// SAFETY: the cells hold a `Py` and `()`, both `Send + Sync`; `T` is only a
// marker.
unsafe impl<T> Sync for LazyTypeObject<T> {}

thread_local! {
    /// Classes whose attributes this thread is adding right now.
    static ADDING_ATTRIBUTES: std::cell::RefCell<Vec<usize>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl<T: PyClass> LazyTypeObject<T> {
    /// An empty cell.
    pub const fn new() -> Self {
        LazyTypeObject {
            cell: PyOnceLock::new(),
            attributes: PyOnceLock::new(),
            marker: PhantomData,
        }
    }

    /// The type object if it was created, never creating it.
    pub fn get_if_created<'py>(&'static self, py: Python<'py>) -> Option<&'py Bound<'py, PyType>> {
        self.cell.get().map(|ty| ty.bind(py))
    }

    /// The type object, created by the first caller (others wait detached),
    /// with its class attributes (except while this very thread is adding
    /// them).
    pub fn get_or_try_init<'py>(
        &'static self,
        py: Python<'py>,
    ) -> PyResult<&'py Bound<'py, PyType>> {
        self.get_or_try_init_in(py, None)
    }

    /// Like [`LazyTypeObject::get_or_try_init`]; a type created by this call
    /// for a class without `module = "..."` is qualified with `module` (the
    /// module the class is being added to), or else with `builtins`.
    pub(crate) fn get_or_try_init_in<'py>(
        &'static self,
        py: Python<'py>,
        module: Option<&str>,
    ) -> PyResult<&'py Bound<'py, PyType>> {
        let ty = self
            .cell
            .get_or_try_init(py, || create_type_object::<T>(py, module))?
            .bind(py);
        if self.attributes.get().is_some() {
            // The common case, on every type check: no thread-local lookup.
            return Ok(ty);
        }
        let key = self as *const Self as usize;
        if !ADDING_ATTRIBUTES.with_borrow(|adding| adding.contains(&key)) {
            ADDING_ATTRIBUTES.with_borrow_mut(|adding| adding.push(key));
            let added = self.attributes.get_or_try_init(py, || {
                add_class_attributes(ty, T::info(), (T::info().items)())
            });
            ADDING_ATTRIBUTES.with_borrow_mut(|adding| adding.retain(|&k| k != key));
            added?;
        }
        Ok(ty)
    }
}

impl<T> LazyTypeObject<T> {
    /// The type object if it was created, without attaching: for the
    /// garbage collector, which finds it created whenever an instance exists.
    pub(crate) fn get_created(&self) -> Option<*mut ffi::PyTypeObject> {
        self.cell.get().map(|ty| ty.as_ptr().cast())
    }
}

impl<T: PyClass> Default for LazyTypeObject<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// Leaks `items` so CPython can keep pointers to them.
fn leak<T>(items: Vec<T>) -> *mut T {
    Box::leak(items.into_boxed_slice()).as_mut_ptr()
}

fn slot(slot: c_int, pfunc: *mut c_void) -> ffi::PyType_Slot {
    ffi::PyType_Slot { slot, pfunc }
}

/// The `PyMethodDef` table (leaked; null-terminated).
fn method_table(items: &PyClassItems) -> *mut ffi::PyMethodDef {
    let mut table: Vec<ffi::PyMethodDef> = items
        .methods
        .iter()
        .map(|m| ffi::PyMethodDef {
            ml_name: m.name.as_ptr(),
            // SAFETY: CPython calls it with the signature `ml_flags` names.
            ml_meth: Some(unsafe {
                std::mem::transmute::<ffi::PyCFunctionFastWithKeywords, ffi::PyCFunction>(m.meth)
            }),
            ml_flags: ffi::METH_FASTCALL
                | ffi::METH_KEYWORDS
                | match m.kind {
                    MethodKind::Instance => 0,
                    MethodKind::Class => ffi::METH_CLASS,
                    MethodKind::Static => ffi::METH_STATIC,
                },
            ml_doc: m.doc.as_ptr(),
        })
        .collect();
    table.push(ffi::PyMethodDef::SENTINEL);
    leak(table)
}

/// The `PyGetSetDef` table (leaked; null-terminated), with `__dict__` if
/// `dict`.
fn getset_table<'a>(
    defs: impl IntoIterator<Item = &'a super::items::GetSetDef>,
    dict: bool,
) -> *mut ffi::PyGetSetDef {
    let mut table: Vec<ffi::PyGetSetDef> = defs
        .into_iter()
        .map(|g| ffi::PyGetSetDef {
            name: g.name.as_ptr(),
            get: g.get,
            set: g.set,
            doc: g.doc.as_ptr(),
            closure: std::ptr::null_mut(),
        })
        .collect();
    if dict {
        table.push(ffi::PyGetSetDef {
            name: c"__dict__".as_ptr(),
            get: Some(ffi::PyObject_GenericGetDict),
            set: Some(ffi::PyObject_GenericSetDict),
            doc: std::ptr::null(),
            closure: std::ptr::null_mut(),
        });
    }
    table.push(ffi::PyGetSetDef {
        name: std::ptr::null(),
        get: None,
        set: None,
        doc: std::ptr::null(),
        closure: std::ptr::null_mut(),
    });
    leak(table)
}

/// Whether instances are tracked by the collector: they hold a managed
/// `__dict__` or weak references (CPython keeps those in the GC header), or
/// the class reports references with `__traverse__`.
fn has_gc(info: &ClassInfo, items: &PyClassItems) -> bool {
    info.dict || info.weakref || items.slots.iter().any(|s| s.slot == ffi::Py_tp_traverse)
}

fn type_flags(info: &ClassInfo, items: &PyClassItems, has_new: bool) -> c_uint {
    let mut flags = ffi::Py_TPFLAGS_DEFAULT | ffi::Py_TPFLAGS_IMMUTABLETYPE;
    for (enabled, flag) in [
        (info.subclass, ffi::Py_TPFLAGS_BASETYPE),
        (info.dict, ffi::Py_TPFLAGS_MANAGED_DICT),
        (info.weakref, ffi::Py_TPFLAGS_MANAGED_WEAKREF),
        (info.sequence, ffi::Py_TPFLAGS_SEQUENCE),
        (info.mapping, ffi::Py_TPFLAGS_MAPPING),
        (has_gc(info, items), ffi::Py_TPFLAGS_HAVE_GC),
        (!has_new, ffi::Py_TPFLAGS_DISALLOW_INSTANTIATION),
    ] {
        if enabled {
            flags |= flag;
        }
    }
    flags as c_uint
}

/// Builds the spec and calls `PyType_FromMetaclass`.
///
/// The spec's name is qualified, `module.Name`, so that CPython sets the
/// type's `__module__` from it (an unqualified name makes it warn "builtin
/// type Name has no `__module__` attribute"): the class's own `module`, else
/// `module_hint` (the module it is being added to), else `builtins`, as for
/// a class created before any module adds it.
fn create_type_object<T: PyClass>(
    py: Python<'_>,
    module_hint: Option<&str>,
) -> PyResult<Py<PyType>> {
    let info = T::info();
    let items = (info.items)();
    // One block never fills a slot twice; two blocks may.
    let twice = (1..items.slots.len()).find(|&i| {
        items.slots[..i]
            .iter()
            .any(|earlier| earlier.slot == items.slots[i].slot)
    });
    if let Some(def) = twice.map(|i| &items.slots[i]) {
        return Err(crate::exceptions::PyTypeError::new_err(format!(
            "class '{}' fills type slot {} from two #[pymethods] blocks; \
             define the methods of one slot (such as `__add__` and `__radd__`) in one block",
            info.name, def.slot
        )));
    }
    let mut slots = vec![
        slot(ffi::Py_tp_dealloc, info.dealloc as *mut c_void),
        slot(ffi::Py_tp_doc, class_doc(info, items).cast_mut().cast()),
        slot(ffi::Py_tp_methods, method_table(items).cast()),
        slot(
            ffi::Py_tp_getset,
            getset_table(info.field_getsets.iter().chain(items.getsets), info.dict).cast(),
        ),
    ];
    let gc = has_gc(info, items);
    // A collected class's `tp_clear` calls its `__clear__` itself.
    let all_slots = info.extra_slots.iter().chain(items.slots);
    let all_slots = all_slots.filter(|s| !(gc && s.slot == ffi::Py_tp_clear));
    slots.extend(all_slots.map(|s| slot(s.slot, s.func as *mut c_void)));
    if gc {
        if !items.slots.iter().any(|s| s.slot == ffi::Py_tp_traverse) {
            slots.push(slot(
                ffi::Py_tp_traverse,
                super::gc::default_traverse::<T> as *mut c_void,
            ));
        }
        slots.push(slot(ffi::Py_tp_clear, super::gc::clear::<T> as *mut c_void));
    }
    let has_slot = |wanted| items.slots.iter().any(|s| s.slot == wanted);
    if info.sequence && has_slot(ffi::Py_mp_subscript) && !has_slot(ffi::Py_sq_item) {
        slots.push(slot(ffi::Py_sq_item, sequence_item as *mut c_void));
    }
    let has_new = has_slot(ffi::Py_tp_new);
    slots.push(slot(0, std::ptr::null_mut()));
    let module = info.module.or(module_hint).unwrap_or("builtins");
    let qualified = format!("{module}.{}", info.name);
    let name = CString::new(qualified)
        .map_err(|_| crate::exceptions::PyValueError::new_err("class name contains NUL"))?;
    let mut spec = ffi::PyType_Spec {
        name: Box::leak(name.into_boxed_c_str()).as_ptr(),
        basicsize: c_int::try_from(info.basicsize).expect("instance size fits in a C int"),
        itemsize: 0,
        flags: type_flags(info, items, has_new),
        slots: leak(slots),
    };
    let base = <T::BaseType as PyClassBaseType>::base_type_object(py)?;
    let base = base.as_ref().map_or(std::ptr::null_mut(), |b| b.as_ptr());
    // SAFETY: the spec and everything it points to are leaked (CPython may
    // keep pointers into them); `base` is null or a type.
    let ty = unsafe {
        Bound::from_owned_ptr_or_err(
            py,
            ffi::PyType_FromMetaclass(std::ptr::null_mut(), std::ptr::null_mut(), &mut spec, base),
        )?
    };
    // SAFETY: `PyType_FromMetaclass` returns a type.
    let ty = unsafe { ty.downcast_into_unchecked::<PyType>() };
    // `__init__` runs from `type.__call__`, which vectorcall would bypass.
    let has_init = items.slots.iter().any(|s| s.slot == ffi::Py_tp_init);
    if let Some(vectorcall) = items.new_vectorcall.filter(|_| !has_init) {
        // SAFETY: the type is new and unpublished; CPython calls
        // `tp_vectorcall` of a type object when the type is called (it is
        // not inherited by subclasses, which go through `tp_new`).
        unsafe { (*ty.as_ptr().cast::<ffi::PyTypeObject>()).tp_vectorcall = Some(vectorcall) };
    }
    // SAFETY: the class is new and published only when this returns.
    unsafe { crate::immortal::immortalize_class(&ty) };
    Ok(ty.unbind())
}

/// `sq_item` of a `sequence` class: its `__getitem__` with the index as an
/// int, so that iteration and sequence patterns work as on a Python
/// sequence.
unsafe extern "C" fn sequence_item(
    object: *mut ffi::PyObject,
    index: ffi::Py_ssize_t,
) -> *mut ffi::PyObject {
    // SAFETY: CPython calls `sq_item` with a live object on an attached
    // thread; `key` is a new reference (or null with an exception set),
    // released after the lookup, which goes to `mp_subscript` first.
    unsafe {
        let key = ffi::PyLong_FromSsize_t(index);
        if key.is_null() {
            return std::ptr::null_mut();
        }
        let item = ffi::PyObject_GetItem(object, key);
        ffi::Py_DECREF(key);
        item
    }
}

/// The docstring, led by `Name(params)\n--\n\n` when the class has a
/// constructor, so `inspect.signature(Class)` works.
fn class_doc(info: &ClassInfo, items: &PyClassItems) -> *const std::ffi::c_char {
    let Some(parameters) = items.new_text_signature else {
        return info.doc.as_ptr();
    };
    let doc = info.doc.to_string_lossy();
    let text = format!("{}({parameters})\n--\n\n{doc}", info.name);
    let text = CString::new(text).unwrap_or_else(|_| info.doc.to_owned());
    Box::leak(text.into_boxed_c_str()).as_ptr()
}

/// Sets `#[classattr]` values in the (immutable) type's dict.
fn add_class_attributes(
    ty: &Bound<'_, PyType>,
    info: &ClassInfo,
    items: &PyClassItems,
) -> PyResult<()> {
    for attr in info.extra_class_attrs.iter().chain(items.class_attrs) {
        ty.set_class_attribute(attr.name, (attr.make)(ty)?)?;
    }
    Ok(())
}

/// Sets `__module__` on a class that did not name its module, as it is
/// added to `module`, and on the classes of its variants (an enum with
/// data), which follow it.
pub(crate) fn set_module_name(
    ty: &Bound<'_, PyType>,
    info: &ClassInfo,
    module: &str,
) -> PyResult<()> {
    let name = crate::types::PyString::new(ty.py(), module).into_any();
    ty.set_class_attribute("__module__", name.clone())?;
    for attr in info.extra_class_attrs {
        let value = ty.getattr(attr.name)?;
        if let Ok(variant) = value.downcast::<PyType>() {
            if variant.is_subclass(ty) {
                variant.set_class_attribute("__module__", name.clone())?;
            }
        }
    }
    Ok(())
}

/// A variant of a `#[pyclass]` enum with data: a subclass of the enum's
/// class, made by `#[pyclass]`.
pub struct VariantSpec {
    /// The variant's Python name (the attribute of the enum's class).
    pub name: &'static str,
    /// Its fields in order: `__match_args__`, and the names of the getters
    /// and of the constructor's parameters.
    pub fields: &'static [&'static str],
    /// The field getters.
    pub getsets: &'static [super::items::GetSetDef],
    /// The constructor.
    pub new: ffi::newfunc,
    /// More slots: `__len__` and `__getitem__` of a tuple variant.
    pub slots: &'static [super::items::SlotDef],
    /// The docstring.
    pub doc: &'static CStr,
}

impl VariantSpec {
    /// Creates the variant's class, a subclass of `base` (the enum's class)
    /// in the same module; its instances have the enum's layout.
    ///
    /// # Errors
    /// If CPython cannot create the type.
    pub fn create_type(&'static self, base: &Bound<'_, PyType>) -> PyResult<Py<PyType>> {
        let py = base.py();
        let module: String = base.getattr("__module__")?.extract()?;
        let name = CString::new(format!("{module}.{}", self.name))
            .map_err(|_| crate::exceptions::PyValueError::new_err("variant name contains NUL"))?;
        let mut slots = vec![
            slot(ffi::Py_tp_new, self.new as *mut c_void),
            slot(ffi::Py_tp_doc, self.doc.as_ptr().cast_mut().cast()),
            slot(ffi::Py_tp_getset, getset_table(self.getsets, false).cast()),
        ];
        slots.extend(
            self.slots
                .iter()
                .map(|s| slot(s.slot, s.func as *mut c_void)),
        );
        slots.push(slot(0, std::ptr::null_mut()));
        let flags = ffi::Py_TPFLAGS_DEFAULT | ffi::Py_TPFLAGS_IMMUTABLETYPE;
        let mut spec = ffi::PyType_Spec {
            name: Box::leak(name.into_boxed_c_str()).as_ptr(),
            // Inherited: a variant's instances are the enum's.
            basicsize: 0,
            itemsize: 0,
            flags: flags as c_uint,
            slots: leak(slots),
        };
        // SAFETY: the spec and everything it points to are leaked; `base`
        // is a type that allows subclasses.
        let ty = unsafe {
            Bound::from_owned_ptr_or_err(
                py,
                ffi::PyType_FromMetaclass(
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                    &mut spec,
                    base.as_ptr(),
                ),
            )?
        };
        // SAFETY: `PyType_FromMetaclass` returns a type.
        let ty = unsafe { ty.downcast_into_unchecked::<PyType>() };
        let match_args = crate::types::PyTuple::new(py, self.fields.iter().copied())?;
        ty.set_class_attribute("__match_args__", match_args.into_any())?;
        // SAFETY: the class is new and published only when this returns.
        unsafe { crate::immortal::immortalize_class(&ty) };
        Ok(ty.unbind())
    }
}
