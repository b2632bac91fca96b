//! The model of a `#[pymethods]` impl block: what each method becomes.

use syn::{ImplItem, ImplItemFn, ItemImpl, Type};

use crate::attrs::{take_marker, take_py_attrs, AttrOption};
use crate::ctxt::Ctxt;
use syn::visit_mut::VisitMut;

use crate::model::function::{FnModel, FnOptions, ParamKind, Receiver};

/// The slot family of a magic method.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Dunder {
    /// `(self) -> object`: `__repr__`, `__neg__`, ... with its slot number name.
    Unary(&'static str),
    /// `__next__`: `None` ends the iteration.
    Next,
    Hash,
    Bool,
    Len,
    GetItem,
    SetItem,
    DelItem,
    Contains,
    Call,
    /// `__richcmp__(other, op)`.
    RichCmp,
    /// `__eq__`, `__lt__`, ...: the `CompareOp` variant name.
    Compare(&'static str),
    /// A binary operator: slot name, and whether this is the reflected form.
    Binary(&'static str, bool),
    Traverse,
    Clear,
}

/// The magic methods pyo3-ft maps onto type slots.
pub fn dunder(name: &str) -> Option<Dunder> {
    let unary = [
        ("__repr__", "Py_tp_repr"),
        ("__str__", "Py_tp_str"),
        ("__iter__", "Py_tp_iter"),
        ("__neg__", "Py_nb_negative"),
        ("__pos__", "Py_nb_positive"),
        ("__abs__", "Py_nb_absolute"),
        ("__invert__", "Py_nb_invert"),
        ("__int__", "Py_nb_int"),
        ("__float__", "Py_nb_float"),
        ("__index__", "Py_nb_index"),
    ];
    let binary = [
        ("add", "Py_nb_add"),
        ("sub", "Py_nb_subtract"),
        ("mul", "Py_nb_multiply"),
        ("matmul", "Py_nb_matrix_multiply"),
        ("truediv", "Py_nb_true_divide"),
        ("floordiv", "Py_nb_floor_divide"),
        ("mod", "Py_nb_remainder"),
        ("divmod", "Py_nb_divmod"),
        ("lshift", "Py_nb_lshift"),
        ("rshift", "Py_nb_rshift"),
        ("and", "Py_nb_and"),
        ("or", "Py_nb_or"),
        ("xor", "Py_nb_xor"),
    ];
    let compare = [
        ("__eq__", "Eq"),
        ("__ne__", "Ne"),
        ("__lt__", "Lt"),
        ("__le__", "Le"),
        ("__gt__", "Gt"),
        ("__ge__", "Ge"),
    ];
    if let Some((_, slot)) = unary.iter().find(|(n, _)| *n == name) {
        return Some(Dunder::Unary(slot));
    }
    if let Some((_, op)) = compare.iter().find(|(n, _)| *n == name) {
        return Some(Dunder::Compare(op));
    }
    for (op, slot) in binary {
        if name == format!("__{op}__") {
            return Some(Dunder::Binary(slot, false));
        }
        if name == format!("__r{op}__") {
            return Some(Dunder::Binary(slot, true));
        }
    }
    Some(match name {
        "__next__" => Dunder::Next,
        "__hash__" => Dunder::Hash,
        "__bool__" => Dunder::Bool,
        "__len__" => Dunder::Len,
        "__getitem__" => Dunder::GetItem,
        "__setitem__" => Dunder::SetItem,
        "__delitem__" => Dunder::DelItem,
        "__contains__" => Dunder::Contains,
        "__call__" => Dunder::Call,
        "__richcmp__" => Dunder::RichCmp,
        "__traverse__" => Dunder::Traverse,
        "__clear__" => Dunder::Clear,
        _ => return None,
    })
}

/// What one method of the block becomes.
pub enum MethodRole {
    /// A regular method.
    Instance,
    /// `#[new]`.
    New,
    /// `#[getter]`, with the property name.
    Getter(String),
    /// `#[setter]`, with the property name.
    Setter(String),
    /// `#[classmethod]`.
    ClassMethod,
    /// `#[staticmethod]`.
    StaticMethod,
    /// `#[classattr]`, with the attribute name.
    ClassAttr(String),
    /// A magic method.
    Slot(Dunder),
}

/// One method.
pub struct MethodModel {
    pub role: MethodRole,
    pub function: FnModel,
    /// The original signature, for validation.
    pub sig: syn::Signature,
}

/// A `#[pymethods]` block.
pub struct MethodsModel {
    pub self_ty: Type,
    pub class_name: String,
    pub methods: Vec<MethodModel>,
}

/// The role markers a method may carry.
const MARKERS: &[&str] = &[
    "new",
    "getter",
    "setter",
    "classmethod",
    "staticmethod",
    "classattr",
];

/// `get_x` / `set_x` name the property `x`.
fn property_name(function: &ImplItemFn, prefix: &str) -> String {
    let name = function.sig.ident.to_string();
    name.strip_prefix(prefix).map(str::to_owned).unwrap_or(name)
}

fn method_model(cx: &Ctxt, function: &mut ImplItemFn) -> MethodModel {
    let mut found: Vec<(&str, syn::Attribute)> = MARKERS
        .iter()
        .filter_map(|&name| take_marker(&mut function.attrs, name).map(|attr| (name, attr)))
        .collect();
    if found.len() > 1 {
        cx.error_spanned_by(&found[1].1, "a method can have only one of #[new], #[getter], #[setter], #[classmethod], #[staticmethod], #[classattr]");
    }
    let options = take_py_attrs(&mut function.attrs).unwrap_or_else(|err| {
        cx.syn_error(err);
        Vec::new()
    });
    let options = FnOptions::from_options(cx, options, |_: &AttrOption| false);
    let rename = options.name.as_ref().map(syn::LitStr::value);
    let marker = found.pop();
    let role = match marker.as_ref().map(|(name, _)| *name) {
        Some("new") => MethodRole::New,
        Some("getter") => MethodRole::Getter(
            rename
                .clone()
                .unwrap_or_else(|| property_name(function, "get_")),
        ),
        Some("setter") => MethodRole::Setter(
            rename
                .clone()
                .unwrap_or_else(|| property_name(function, "set_")),
        ),
        Some("classmethod") => MethodRole::ClassMethod,
        Some("staticmethod") => MethodRole::StaticMethod,
        Some("classattr") => MethodRole::ClassAttr(
            rename
                .clone()
                .unwrap_or_else(|| function.sig.ident.to_string()),
        ),
        _ => match dunder(&function.sig.ident.to_string()) {
            Some(slot) => MethodRole::Slot(slot),
            None => MethodRole::Instance,
        },
    };
    let mut model = FnModel::new(cx, &function.sig, &function.attrs, options);
    if matches!(role, MethodRole::ClassMethod) {
        mark_cls(&mut model);
    }
    MethodModel {
        role,
        function: model,
        sig: function.sig.clone(),
    }
}

/// The first argument of a class method receives the class, not a Python
/// argument: remove it from the Python signature.
fn mark_cls(model: &mut FnModel) {
    let Some(first) = model
        .params
        .iter()
        .position(|p| matches!(p.kind, ParamKind::Arg(_)))
    else {
        return;
    };
    let ParamKind::Arg(slot) = model.params[first].kind else {
        return;
    };
    model.params[first].kind = ParamKind::Cls;
    if slot < model.signature.positional.len() {
        model.signature.positional.remove(slot);
        model.signature.positional_only = model.signature.positional_only.saturating_sub(1);
    }
    for param in &mut model.params {
        if let ParamKind::Arg(s) = &mut param.kind {
            if *s > slot {
                *s -= 1;
            }
        }
    }
}

/// Replaces `Self` in parameter types by the class type: the generated
/// wrappers are free functions, where `Self` means nothing.
fn replace_self(model: &mut FnModel, self_ty: &Type) {
    struct Replace<'a>(&'a Type);
    impl VisitMut for Replace<'_> {
        fn visit_type_mut(&mut self, ty: &mut Type) {
            if let Type::Path(path) = ty {
                if path.qself.is_none() && path.path.is_ident("Self") {
                    *ty = self.0.clone();
                    return;
                }
            }
            syn::visit_mut::visit_type_mut(self, ty);
        }
    }
    let mut replace = Replace(self_ty);
    for param in &mut model.params {
        replace.visit_type_mut(&mut param.ty);
    }
    if let Receiver::Typed(ty) = &mut model.receiver {
        replace.visit_type_mut(ty);
    }
}

impl MethodsModel {
    /// Builds the model and strips the marker attributes from `item`.
    pub fn new(cx: &Ctxt, item: &mut ItemImpl) -> Self {
        let class_name = match &*item.self_ty {
            Type::Path(path) => path
                .path
                .segments
                .last()
                .map(|s| s.ident.to_string())
                .unwrap_or_default(),
            other => {
                cx.error_spanned_by(other, "`#[pymethods]` goes on `impl YourClass { ... }`");
                String::new()
            }
        };
        if let Some((_, trait_path, _)) = &item.trait_ {
            cx.error_spanned_by(
                trait_path,
                "`#[pymethods]` goes on an inherent impl block, not a trait impl",
            );
        }
        if !item.generics.params.is_empty() {
            cx.error_spanned_by(
                &item.generics,
                "`#[pymethods]` cannot be generic: Python classes are concrete types",
            );
        }
        let methods = item
            .items
            .iter_mut()
            .filter_map(|entry| match entry {
                ImplItem::Fn(function) => {
                    let mut method = method_model(cx, function);
                    replace_self(&mut method.function, &item.self_ty);
                    Some(method)
                }
                _ => None,
            })
            .collect();
        MethodsModel {
            self_ty: (*item.self_ty).clone(),
            class_name,
            methods,
        }
    }
}
