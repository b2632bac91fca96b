//! The static records that `#[pyfunction]`, `#[pyclass]` and
//! `#[pymethods]` register with `inventory` for [`crate::stubs`]: names,
//! parameters and [`TypeHint`]s, all constant data that no call reads.

use std::any::TypeId;

use pyo3_ft_runtime::ffi;

use crate::impl_::PyFunctionDef;
use crate::instance::Bound;
use crate::pyclass::{MethodKind, PyClass};
use crate::python::Python;
use crate::stubs::TypeHint;
use crate::types::{PyModule, PyType};

/// How a parameter is passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// Before `/`.
    PositionalOnly,
    /// By position or keyword.
    Positional,
    /// `*args`: the hint is each item's.
    VarArgs,
    /// After `*` or `*args`.
    KeywordOnly,
    /// `**kwargs`: the hint is each value's.
    VarKwargs,
}

/// One parameter.
#[derive(Debug, Clone, Copy)]
pub struct ParamStub {
    pub name: &'static str,
    pub kind: ParamKind,
    pub hint: TypeHint,
    /// The default as Python source (`0`, `'!'`, `None`), or `...` when
    /// only Rust can spell it.
    pub default: Option<&'static str>,
}

/// Parameters (without `self` or `cls`) and the result.
#[derive(Debug, Clone, Copy)]
pub struct SignatureStub {
    pub params: &'static [ParamStub],
    pub returns: TypeHint,
}

/// A `#[pyfunction]`, found in a module by its function object.
pub struct FunctionStub {
    pub def: &'static PyFunctionDef,
    pub signature: SignatureStub,
}

inventory::collect!(FunctionStub);

/// One member of a class.
#[derive(Debug, Clone, Copy)]
pub enum MemberStub {
    /// A method (the signature's `returns` is the result).
    Method {
        name: &'static str,
        kind: MethodKind,
        signature: SignatureStub,
    },
    /// `#[new]`: the constructor's parameters.
    New(SignatureStub),
    /// A readable property.
    Getter { name: &'static str, hint: TypeHint },
    /// A writable property: the type it accepts.
    Setter { name: &'static str, hint: TypeHint },
    /// A class attribute.
    ClassAttr { name: &'static str, hint: TypeHint },
}

/// A `#[pyclass]`: its base and the members `#[pyclass]` itself defines
/// (fields, enum variants, derived comparisons).
pub struct ClassStub {
    class: fn() -> TypeId,
    type_object: for<'py> fn(Python<'py>) -> Option<&'py Bound<'py, PyType>>,
    pub base: Option<TypeHint>,
    pub members: &'static [MemberStub],
}

impl ClassStub {
    /// The record of class `T`.
    pub const fn new<T: PyClass>(base: Option<TypeHint>, members: &'static [MemberStub]) -> Self {
        ClassStub {
            class: TypeId::of::<T>,
            type_object: |py| T::lazy_type_object().get_if_created(py),
            base,
            members,
        }
    }

    /// Whether `ty` is this class's type object (never creates it).
    pub(crate) fn is(&self, ty: &Bound<'_, PyType>) -> bool {
        (self.type_object)(ty.py()).is_some_and(|own| own.is(ty))
    }

    /// The members of every `#[pymethods]` block of this class.
    pub(crate) fn method_members(&self) -> impl Iterator<Item = &'static MemberStub> + '_ {
        inventory::iter::<MethodsStub>
            .into_iter()
            .filter(|block| (block.class)() == (self.class)())
            .flat_map(|block| block.members)
    }
}

inventory::collect!(ClassStub);

/// The members of one `#[pymethods]` block.
pub struct MethodsStub {
    class: fn() -> TypeId,
    members: &'static [MemberStub],
}

impl MethodsStub {
    /// The members of a block of class `T`.
    pub const fn new<T: 'static>(members: &'static [MemberStub]) -> Self {
        MethodsStub {
            class: TypeId::of::<T>,
            members,
        }
    }
}

inventory::collect!(MethodsStub);

/// The body of the `pyo3_ft_stub_<name>` function `#[pymodule]` exports:
/// the stub of `module` as a str.
///
/// # Safety
/// The thread must be attached and `module` a live module object.
pub unsafe fn export(module: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: the caller's contract.
    unsafe {
        crate::impl_::trampoline(|py| {
            let module = Bound::from_borrowed_ptr(py, module).downcast_into::<PyModule>()?;
            let text = crate::stubs::module_stub(&module)?;
            crate::impl_::IntoPyReturn::into_py_return(text, py)
        })
    }
}
