//! `#[pyclass]` support: Rust values inside Python objects.
//!
//! A class picks one of three storage models in its attribute, and the
//! compiler checks the choice:
//!
//! | attribute | the value must be | `&self` methods | `&mut self` methods | from other threads |
//! |---|---|---|---|---|
//! | `#[pyclass]` | `Send + Sync` | no lock at all | not allowed | shared freely |
//! | `#[pyclass(mutable)]` | `Send + Sync` | share a lock | exclusive; others wait detached | shared, serialized |
//! | `#[pyclass(unsendable)]` | anything | checked thread | checked thread | `RuntimeError` |

pub(crate) mod gc;
mod guards;
mod init;
mod items;
mod layout;
mod native_base;
mod storage;
mod type_object;

pub use gc::{PyTraverseError, PyVisit};
pub use guards::{PyRef, PyRefMut};
pub use init::PyClassInitializer;
pub use init::PyObjectInit;
pub use items::{
    ClassAttrDef, ClassItems, GetSetDef, MethodDef, MethodKind, MethodsBlock, PyClassItems, SlotDef,
};
pub use layout::tp_dealloc;
pub use layout::PyClassObject;
pub use storage::{ClassStorage, ClassStorageMut, Frozen, Mutable, Unsendable};
pub(crate) use type_object::set_module_name;
pub use type_object::{ClassInfo, LazyTypeObject, VariantSpec};

use crate::err::PyResult;
use crate::instance::{Bound, Py};
use crate::python::Python;
use crate::type_info::PyTypeInfo;

/// A Rust type exposed as a Python class. Implemented by `#[pyclass]`.
pub trait PyClass: PyTypeInfo + Sized + 'static {
    /// The storage model (see the module docs).
    type Storage: ClassStorage<Self>;
    /// The base class: [`PyAny`](crate::types::PyAny) for `object`, or
    /// another `#[pyclass(subclass)]`.
    type BaseType: PyClassBaseType;

    /// Static facts about the class, for creating its type object.
    fn info() -> &'static ClassInfo;

    /// The class's type object storage.
    fn lazy_type_object() -> &'static LazyTypeObject<Self>;

    /// The class of a new instance holding `self`: the class itself, or,
    /// for an enum with data, the class of `self`'s variant. Instances are
    /// created only if it is a subclass of the class (checked).
    ///
    /// # Errors
    /// If a type object cannot be created.
    #[doc(hidden)]
    fn instance_type<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, crate::types::PyType>> {
        Ok(Self::lazy_type_object().get_or_try_init(py)?.clone())
    }
}

/// What a `#[pyclass]` can extend.
///
/// # Safety
/// `Layout` must be the exact C layout of instances of the base type.
pub unsafe trait PyClassBaseType: Sized {
    /// The instance layout that a subclass's layout starts with.
    type Layout;
    /// What a subclass's initializer carries for this base.
    type Initializer: init::PyObjectInit;

    /// Drops the base's Rust contents of `object` (nothing for `object`).
    ///
    /// # Safety
    /// `object` must be an initialized instance being deallocated.
    unsafe fn drop_contents(object: *mut pyo3_ft_runtime::ffi::PyObject);

    /// The base's type object (null for `object`, meaning the default).
    fn base_type_object(py: Python<'_>) -> PyResult<Option<Bound<'_, crate::types::PyType>>>;

    /// Allocates an instance of `subtype` with the base's part initialized:
    /// `tp_alloc` for `object`; a builtin base's own `tp_new` (so that, say,
    /// an exception's `args` is a tuple).
    ///
    /// # Safety
    /// `subtype` must be a subtype of the base, on an attached thread.
    unsafe fn allocate(
        py: Python<'_>,
        subtype: *mut pyo3_ft_runtime::ffi::PyTypeObject,
    ) -> PyResult<*mut pyo3_ft_runtime::ffi::PyObject>;

    /// Releases an instance whose Rust contents were dropped: `tp_free` for
    /// `object`; a builtin base's own `tp_dealloc`, which clears its part
    /// and frees the memory.
    ///
    /// # Safety
    /// `object` must be an instance being deallocated, its Rust contents
    /// already dropped; it is gone when this returns.
    unsafe fn deallocate(object: *mut pyo3_ft_runtime::ffi::PyObject);
}

impl<T: PyClass> Py<T> {
    /// The Rust value of a default (`Send + Sync`, lock-free; PyO3's
    /// `frozen`) class, without attaching: the reference keeps the object
    /// alive and the value is never mutated.
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::pyclass;
    ///
    /// #[pyclass]
    /// struct Point {
    ///     x: i64,
    /// }
    ///
    /// let point: Py<Point> = Python::attach(|py| Py::new(py, Point { x: 3 })).unwrap();
    /// std::thread::spawn(move || assert_eq!(point.get().x, 3)).join().unwrap();
    /// ```
    pub fn get(&self) -> &T
    where
        T: PyClass<Storage = Frozen<T>>,
    {
        // SAFETY: `self` owns a reference to an initialized instance of `T`,
        // alive while the returned reference (tied to `self`) is used;
        // frozen contents are never mutated, and `T: Sync` (the default
        // storage requires it) lets any thread read them.
        unsafe { (*PyClassObject::<T>::contents(self.as_ptr())).get() }
    }

    /// Creates a new instance of `T` holding `value` (or an initializer
    /// for a class with a Rust base).
    ///
    /// # Errors
    /// If the class's type object cannot be created or allocation fails.
    pub fn new(py: Python<'_>, value: impl Into<PyClassInitializer<T>>) -> PyResult<Py<T>> {
        Bound::new(py, value).map(Bound::unbind)
    }
}

impl<'py, T: PyClass> Bound<'py, T> {
    /// Creates a new instance of `T` holding `value`.
    ///
    /// # Errors
    /// If the class's type object cannot be created or allocation fails.
    pub fn new(
        py: Python<'py>,
        value: impl Into<PyClassInitializer<T>>,
    ) -> PyResult<Bound<'py, T>> {
        let class = T::lazy_type_object().get_or_try_init(py)?;
        let value = value.into();
        let ty = value.value().instance_type(py)?;
        if !ty.is_subclass(class) {
            return Err(crate::exceptions::PyTypeError::new_err(format!(
                "cannot create a '{}' instance as '{}', not a subclass of it",
                T::NAME,
                ty.qualname_lossy()
            )));
        }
        // SAFETY: `ty` is `T`'s type object or a subclass of it (checked).
        unsafe { value.create_object(py, ty.as_ptr().cast()) }
    }

    /// Shares the Rust value: `&self` access, checked as the storage model
    /// requires (`mutable`: waits detached for a writer; `unsendable`:
    /// checks the thread).
    pub fn try_borrow(&self) -> PyResult<PyRef<'py, T>> {
        PyRef::borrow(self, "")
    }

    /// Like [`Bound::try_borrow`], panicking on error.
    pub fn borrow(&self) -> PyRef<'py, T> {
        self.try_borrow().expect("cannot borrow the pyclass value")
    }

    /// Exclusive access (`mutable` and `unsendable` classes only).
    pub fn try_borrow_mut(&self) -> PyResult<PyRefMut<'py, T>>
    where
        T::Storage: ClassStorageMut<T>,
    {
        PyRefMut::borrow(self, "")
    }

    /// Like [`Bound::try_borrow_mut`], panicking on error.
    pub fn borrow_mut(&self) -> PyRefMut<'py, T>
    where
        T::Storage: ClassStorageMut<T>,
    {
        self.try_borrow_mut()
            .expect("cannot borrow the pyclass value mutably")
    }

    /// The Rust value of a default (`Send + Sync`, lock-free) class.
    pub fn get(&self) -> &T
    where
        T: PyClass<Storage = Frozen<T>>,
    {
        // SAFETY: `self` is an initialized instance of `T` and stays alive
        // while the reference is used; frozen contents are never mutated.
        unsafe { (*PyClassObject::<T>::contents(self.as_ptr())).get() }
    }
}
