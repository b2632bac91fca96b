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
    /// `__next__`; `optional` when it returns an `Option`, whose `None`
    /// ends the iteration.
    Next {
        optional: bool,
    },
    /// `__anext__`; `optional` when it returns an `Option`, whose `None`
    /// raises `StopAsyncIteration`.
    ANext {
        optional: bool,
    },
    Hash,
    Bool,
    Len,
    GetItem,
    SetItem,
    DelItem,
    Contains,
    Call,
    /// `__init__(self, ...)`, run after `#[new]`.
    Init,
    /// `__getattribute__(self, name)`: every attribute lookup.
    GetAttribute,
    /// `__getattr__(self, name)`: lookups the normal ones do not find.
    GetAttr,
    SetAttr,
    DelAttr,
    /// `__richcmp__(other, op)`.
    RichCmp,
    /// `__eq__`, `__lt__`, ...: the `CompareOp` variant name.
    Compare(&'static str),
    /// A binary operator: slot name, and whether this is the reflected form.
    Binary(&'static str, bool),
    /// `__pow__` / `__rpow__` (reflected): the ternary `nb_power`.
    Pow(bool),
    /// An in-place operator (`__iadd__`, ...; `__ipow__` is ternary): its
    /// slot name.
    InPlace(&'static str),
    Traverse,
    Clear,
    /// `__getbuffer__`: `(&self) -> &[E]` (the safe form) or
    /// `(slf, view, flags) -> PyResult<()>` (PyO3's raw form).
    GetBuffer,
    /// `__releasebuffer__(slf, view)`.
    ReleaseBuffer,
}

/// The binary operators: the name between the underscores, and the slot.
const BINARY: &[(&str, &str)] = &[
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

/// The slot of `pow()`, the binary operator that takes a third operand
/// (the modulo).
pub const POWER_SLOT: &str = "Py_nb_power";

/// The slot of `**=`, ternary like `pow()`.
pub const IN_PLACE_POWER_SLOT: &str = "Py_nb_inplace_power";

/// The in-place operators and their slots.
const IN_PLACE: &[(&str, &str)] = &[
    ("__iadd__", "Py_nb_inplace_add"),
    ("__isub__", "Py_nb_inplace_subtract"),
    ("__imul__", "Py_nb_inplace_multiply"),
    ("__imatmul__", "Py_nb_inplace_matrix_multiply"),
    ("__itruediv__", "Py_nb_inplace_true_divide"),
    ("__ifloordiv__", "Py_nb_inplace_floor_divide"),
    ("__imod__", "Py_nb_inplace_remainder"),
    ("__ilshift__", "Py_nb_inplace_lshift"),
    ("__irshift__", "Py_nb_inplace_rshift"),
    ("__iand__", "Py_nb_inplace_and"),
    ("__ior__", "Py_nb_inplace_or"),
    ("__ixor__", "Py_nb_inplace_xor"),
    ("__ipow__", IN_PLACE_POWER_SLOT),
];

/// Magic methods Python looks up by name on the type (`copy.copy`,
/// `pickle`, `with`, `format()`, ...): they stay plain methods.
const PLAIN_DUNDERS: &[&str] = &[
    "__format__",
    "__reduce__",
    "__reduce_ex__",
    "__getstate__",
    "__setstate__",
    "__getnewargs__",
    "__getnewargs_ex__",
    "__copy__",
    "__deepcopy__",
    "__sizeof__",
    "__dir__",
    "__reversed__",
    "__round__",
    "__trunc__",
    "__floor__",
    "__ceil__",
    "__complex__",
    "__bytes__",
    "__fspath__",
    "__length_hint__",
    "__enter__",
    "__exit__",
    "__aenter__",
    "__aexit__",
    "__class_getitem__",
    "__missing__",
    "__instancecheck__",
    "__subclasscheck__",
];

/// The magic methods pyo3-ft maps onto type slots; `returns_option` tells
/// `__next__` and `__anext__` how to end.
pub fn dunder(name: &str, returns_option: bool) -> Option<Dunder> {
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
        ("__await__", "Py_am_await"),
        ("__aiter__", "Py_am_aiter"),
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
    if let Some((_, slot)) = IN_PLACE.iter().find(|(n, _)| *n == name) {
        return Some(Dunder::InPlace(slot));
    }
    for (op, slot) in BINARY {
        if name == format!("__{op}__") {
            return Some(Dunder::Binary(slot, false));
        }
        if name == format!("__r{op}__") {
            return Some(Dunder::Binary(slot, true));
        }
    }
    Some(match name {
        "__next__" => Dunder::Next {
            optional: returns_option,
        },
        "__anext__" => Dunder::ANext {
            optional: returns_option,
        },
        "__pow__" => Dunder::Pow(false),
        "__rpow__" => Dunder::Pow(true),
        "__hash__" => Dunder::Hash,
        "__bool__" => Dunder::Bool,
        "__len__" => Dunder::Len,
        "__getitem__" => Dunder::GetItem,
        "__setitem__" => Dunder::SetItem,
        "__delitem__" => Dunder::DelItem,
        "__contains__" => Dunder::Contains,
        "__call__" => Dunder::Call,
        "__init__" => Dunder::Init,
        "__getattribute__" => Dunder::GetAttribute,
        "__getattr__" => Dunder::GetAttr,
        "__setattr__" => Dunder::SetAttr,
        "__delattr__" => Dunder::DelAttr,
        "__richcmp__" => Dunder::RichCmp,
        "__traverse__" => Dunder::Traverse,
        "__clear__" => Dunder::Clear,
        "__getbuffer__" => Dunder::GetBuffer,
        "__releasebuffer__" => Dunder::ReleaseBuffer,
        _ => return None,
    })
}

/// `true` for `__name__`-shaped names.
fn is_dunder_name(name: &str) -> bool {
    name.len() > 4 && name.starts_with("__") && name.ends_with("__")
}

/// Why a magic method pyo3-ft does not map is an error, for the ones whose
/// reason is more than "unknown".
fn unsupported_dunder(name: &str) -> String {
    match name {
        "__del__" => "`__del__` is not supported: implement `Drop` for the class; it runs when the object is freed".to_owned(),
        "__new__" => "write the constructor as a method marked `#[new]`".to_owned(),
        "__get__" | "__set__" | "__delete__" | "__set_name__" => format!("`{name}` (the descriptor protocol) is not supported"),
        "__buffer__" | "__release_buffer__" => format!("`{name}` is the buffer protocol's Python-level name; in Rust, write `__getbuffer__` (and `__releasebuffer__` if needed)"),
        _ => format!(
            "`{name}` is not a magic method pyo3-ft knows, so Python would never call it; \
             check the spelling, or give the method a name without the double underscores"
        ),
    }
}

/// Whether a return type is `Option<T>`, `PyResult<Option<T>>` or
/// `Result<Option<T>, E>`.
fn returns_option(output: &syn::ReturnType) -> bool {
    let syn::ReturnType::Type(_, ty) = output else {
        return false;
    };
    let Type::Path(path) = &**ty else {
        return false;
    };
    let Some(last) = path.path.segments.last() else {
        return false;
    };
    if last.ident == "Option" {
        return true;
    }
    if last.ident != "PyResult" && last.ident != "Result" {
        return false;
    }
    match &last.arguments {
        syn::PathArguments::AngleBracketed(args) => matches!(
            args.args.first(),
            Some(syn::GenericArgument::Type(Type::Path(inner)))
                if inner.path.segments.last().is_some_and(|s| s.ident == "Option")
        ),
        _ => false,
    }
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
    /// `#[deleter]`, with the property name.
    Deleter(String),
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

/// A `#[classattr] const NAME: T = ...;` item.
pub struct ConstAttr {
    pub ident: syn::Ident,
    pub ty: Type,
    pub python_name: String,
}

/// A `#[pymethods]` block.
pub struct MethodsModel {
    pub self_ty: Type,
    pub class_name: String,
    pub methods: Vec<MethodModel>,
    pub consts: Vec<ConstAttr>,
}

/// A `const` item marked `#[classattr]`, its markers removed; `None` for
/// an unmarked one.
fn const_attr(cx: &Ctxt, item: &mut syn::ImplItemConst) -> Option<ConstAttr> {
    take_marker(&mut item.attrs, "classattr")?;
    let options = take_py_attrs(&mut item.attrs).unwrap_or_else(|err| {
        cx.syn_error(err);
        Vec::new()
    });
    let mut python_name = item.ident.to_string();
    for option in options {
        match option {
            AttrOption::Str(key, name) if key == "name" => python_name = name.value(),
            option => cx.error_spanned_by(
                option.key(),
                format!(
                    "unknown option `{}` on a class attribute; expected `name = \"...\"`",
                    option.key()
                ),
            ),
        }
    }
    Some(ConstAttr {
        ident: item.ident.clone(),
        ty: item.ty.clone(),
        python_name,
    })
}

/// The role markers a method may carry.
const MARKERS: &[&str] = &[
    "new",
    "getter",
    "setter",
    "deleter",
    "classmethod",
    "staticmethod",
    "classattr",
];

/// `get_x` / `set_x` name the property `x`.
fn property_name(function: &ImplItemFn, prefix: &str) -> String {
    let name = function.sig.ident.to_string();
    name.strip_prefix(prefix).map(str::to_owned).unwrap_or(name)
}

fn method_model(cx: &Ctxt, function: &mut ImplItemFn, class: &str) -> MethodModel {
    let mut found: Vec<(&str, syn::Attribute)> = MARKERS
        .iter()
        .filter_map(|&name| take_marker(&mut function.attrs, name).map(|attr| (name, attr)))
        .collect();
    // `#[new]` with `#[classmethod]` is a constructor that receives the
    // class (a subclass, when Python code subclasses it).
    let new_with_cls = found.len() == 2 && found[0].0 == "new" && found[1].0 == "classmethod";
    if new_with_cls {
        found.pop();
    } else if found.len() > 1 {
        cx.error_spanned_by(&found[1].1, "a method can have only one of #[new], #[getter], #[setter], #[deleter], #[classmethod], #[staticmethod], #[classattr] (or #[new] with #[classmethod])");
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
        Some("deleter") => MethodRole::Deleter(rename.clone().unwrap_or_else(|| {
            let name = property_name(function, "delete_");
            name.strip_prefix("del_").map(str::to_owned).unwrap_or(name)
        })),
        Some("classmethod") => MethodRole::ClassMethod,
        Some("staticmethod") => MethodRole::StaticMethod,
        Some("classattr") => MethodRole::ClassAttr(
            rename
                .clone()
                .unwrap_or_else(|| function.sig.ident.to_string()),
        ),
        _ => {
            // As in PyO3, the Python name decides: `#[pyo3(name = "__repr__")]`
            // makes any method the repr.
            let name = rename
                .clone()
                .unwrap_or_else(|| function.sig.ident.to_string());
            match dunder(&name, returns_option(&function.sig.output)) {
                Some(slot) => MethodRole::Slot(slot),
                None if is_dunder_name(&name) && !PLAIN_DUNDERS.contains(&name.as_str()) => {
                    cx.error_spanned_by(&function.sig.ident, unsupported_dunder(&name));
                    MethodRole::Instance
                }
                None => MethodRole::Instance,
            }
        }
    };
    let takes_self = matches!(
        role,
        MethodRole::Instance
            | MethodRole::Getter(_)
            | MethodRole::Setter(_)
            | MethodRole::Deleter(_)
            | MethodRole::Slot(_)
    );
    let attrs = function.attrs.clone();
    let mut model = FnModel::new(
        cx,
        &mut function.sig,
        &attrs,
        options,
        takes_self.then_some(class),
    );
    if matches!(role, MethodRole::ClassMethod) || new_with_cls {
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
    if let syn::ReturnType::Type(_, ty) = &mut model.output {
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
        let mut methods = Vec::new();
        let mut consts = Vec::new();
        for entry in &mut item.items {
            match entry {
                ImplItem::Fn(function) => {
                    let mut method = method_model(cx, function, &class_name);
                    replace_self(&mut method.function, &item.self_ty);
                    methods.push(method);
                }
                ImplItem::Const(constant) => consts.extend(const_attr(cx, constant)),
                _ => {}
            }
        }
        MethodsModel {
            self_ty: (*item.self_ty).clone(),
            class_name,
            methods,
            consts,
        }
    }
}
