//! Static descriptions of a class's methods, properties, slots and class
//! attributes, made by `#[pymethods]` and `#[pyclass]`.

use std::any::TypeId;
use std::ffi::{c_int, CStr};
use std::sync::atomic::{AtomicPtr, Ordering};

use pyo3_ft_runtime::ffi;

use crate::err::PyResult;
use crate::instance::Bound;
use crate::types::{PyAny, PyType};

/// How a method binds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodKind {
    /// An instance method.
    Instance,
    /// `#[classmethod]`.
    Class,
    /// `#[staticmethod]`.
    Static,
}

/// One method (`METH_FASTCALL | METH_KEYWORDS`).
#[derive(Clone, Copy)]
pub struct MethodDef {
    pub name: &'static CStr,
    pub meth: ffi::PyCFunctionFastWithKeywords,
    pub kind: MethodKind,
    pub doc: &'static CStr,
}

/// One property.
#[derive(Clone, Copy)]
pub struct GetSetDef {
    pub name: &'static CStr,
    pub get: Option<ffi::getter>,
    pub set: Option<ffi::setter>,
    pub doc: &'static CStr,
}

/// One type slot, its function pointer type-erased.
#[derive(Clone, Copy)]
pub struct SlotDef {
    pub slot: c_int,
    pub func: unsafe extern "C" fn(),
}

/// One class attribute (`#[classattr]`, or an enum variant), made from
/// the new type object.
#[derive(Clone, Copy)]
pub struct ClassAttrDef {
    pub name: &'static str,
    pub make: for<'py> fn(&Bound<'py, PyType>) -> PyResult<Bound<'py, PyAny>>,
}

/// Everything one `#[pymethods]` block defines, or the merged items of
/// every block of a class.
#[derive(Clone, Copy)]
pub struct PyClassItems {
    pub methods: &'static [MethodDef],
    pub getsets: &'static [GetSetDef],
    pub slots: &'static [SlotDef],
    pub class_attrs: &'static [ClassAttrDef],
    /// The parameters of `#[new]`, for the class's `__text_signature__`.
    pub new_text_signature: Option<&'static str>,
    /// `#[new]` as a vectorcall function: `Class(...)` skips building an
    /// argument tuple.
    pub new_vectorcall: Option<ffi::vectorcallfunc>,
}

impl PyClassItems {
    /// A class without `#[pymethods]`.
    pub const EMPTY: PyClassItems = PyClassItems {
        methods: &[],
        getsets: &[],
        slots: &[],
        class_attrs: &[],
        new_text_signature: None,
        new_vectorcall: None,
    };

    /// The items of several blocks as one. One block is returned as it is;
    /// the tables of several are concatenated into leaked tables (once per
    /// class), and a property whose getter and setter live in different
    /// blocks becomes one property.
    fn merge(blocks: &[&'static PyClassItems]) -> PyClassItems {
        match blocks {
            [] => return PyClassItems::EMPTY,
            [one] => return **one,
            _ => {}
        }
        fn concat<T: Copy>(tables: impl Iterator<Item = &'static [T]>) -> &'static [T] {
            Vec::leak(tables.flatten().copied().collect())
        }
        let mut getsets: Vec<GetSetDef> = Vec::new();
        for def in blocks.iter().flat_map(|b| b.getsets) {
            match getsets.iter_mut().find(|g| g.name == def.name) {
                Some(merged) => {
                    merged.get = merged.get.or(def.get);
                    merged.set = merged.set.or(def.set);
                    if merged.doc.is_empty() {
                        merged.doc = def.doc;
                    }
                }
                None => getsets.push(*def),
            }
        }
        PyClassItems {
            methods: concat(blocks.iter().map(|b| b.methods)),
            getsets: Vec::leak(getsets),
            slots: concat(blocks.iter().map(|b| b.slots)),
            class_attrs: concat(blocks.iter().map(|b| b.class_attrs)),
            new_text_signature: blocks.iter().find_map(|b| b.new_text_signature),
            new_vectorcall: blocks.iter().find_map(|b| b.new_vectorcall),
        }
    }
}

/// One `#[pymethods]` block, registered with `inventory` under the class
/// it belongs to, so that a class may have any number of blocks. Made by
/// the macro; not for direct use.
#[doc(hidden)]
pub struct MethodsBlock {
    class: fn() -> TypeId,
    items: &'static PyClassItems,
}

impl MethodsBlock {
    /// The block `items` of class `T`.
    pub const fn new<T: 'static>(items: &'static PyClassItems) -> Self {
        MethodsBlock {
            class: TypeId::of::<T>,
            items,
        }
    }
}

inventory::collect!(MethodsBlock);

/// The merged items of every `#[pymethods]` block of one class, gathered
/// on first use; `#[pyclass]` keeps one in a static.
///
/// Gathering never waits: two threads that race both merge, one result is
/// kept (a class's type object is created once, under its own lock, so in
/// practice only that creation gathers). Made by the macro; not for direct
/// use.
#[doc(hidden)]
pub struct ClassItems {
    merged: AtomicPtr<PyClassItems>,
}

impl ClassItems {
    /// Nothing gathered yet.
    pub const fn new() -> Self {
        ClassItems {
            merged: AtomicPtr::new(std::ptr::null_mut()),
        }
    }

    /// The items of every block registered for `T`.
    pub fn get<T: 'static>(&'static self) -> &'static PyClassItems {
        let current = self.merged.load(Ordering::Acquire);
        if !current.is_null() {
            // SAFETY: a non-null pointer was stored from `Box::into_raw`
            // below and is never freed.
            return unsafe { &*current };
        }
        let blocks: Vec<&'static PyClassItems> = inventory::iter::<MethodsBlock>
            .into_iter()
            .filter(|block| (block.class)() == TypeId::of::<T>())
            .map(|block| block.items)
            .collect();
        let merged = Box::into_raw(Box::new(PyClassItems::merge(&blocks)));
        match self.merged.compare_exchange(
            std::ptr::null_mut(),
            merged,
            Ordering::AcqRel,
            Ordering::Acquire,
        ) {
            // SAFETY: `merged` is now owned by the static and never freed.
            Ok(_) => unsafe { &*merged },
            Err(winner) => {
                // SAFETY: `merged` was not published; the winner's pointer
                // is never freed.
                unsafe {
                    drop(Box::from_raw(merged));
                    &*winner
                }
            }
        }
    }
}

impl Default for ClassItems {
    fn default() -> Self {
        Self::new()
    }
}
