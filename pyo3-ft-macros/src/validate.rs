//! Rules a model must follow, checked before expansion. Each violation is
//! reported at the offending token, all at once.

use syn::Type;

use crate::ctxt::Ctxt;
use crate::model::function::{FnModel, ParamKind, Receiver};

/// Rules for any wrapped function's signature.
pub fn signature(cx: &Ctxt, model: &FnModel, sig: &syn::Signature) {
    if sig.asyncness.is_some() {
        async_fn(cx, model);
    }
    for param in &sig.generics.params {
        if !matches!(param, syn::GenericParam::Lifetime(_)) {
            cx.error_spanned_by(param, "Python-callable functions cannot be generic over types; write one function per concrete type");
        }
    }
    if let Some(variadic) = &sig.variadic {
        cx.error_spanned_by(
            variadic,
            "C-variadic functions cannot be called from Python",
        );
    }
    let mut seen_default = None;
    for param in &model.signature.positional {
        match (&param.default, &seen_default) {
            (Some(_), _) => seen_default = Some(param.name.clone()),
            (None, Some(previous)) => cx.error_spanned_by(
                &param.name,
                format!("parameter `{}` without a default follows `{previous}`, which has one; give it a default or make it keyword-only (after `*`)", param.name),
            ),
            (None, None) => {}
        }
    }
    for param in &model.params {
        let ParamKind::Arg(slot) = param.kind else {
            continue;
        };
        if matches!(param.ty, Type::Reference(_))
            && !is_borrowed_text(&param.ty)
            && model.signature.slot(slot).default.is_some()
        {
            cx.error_spanned_by(
                &param.ty,
                "a reference parameter cannot have a default; take `Option<Bound<'_, T>>` instead",
            );
        }
    }
}

/// An `async fn`'s future outlives the call that creates it and runs on an
/// event loop: it takes owned arguments only, and `self` only as `&self` of
/// a default class (the future keeps a `Py<Self>`).
fn async_fn(cx: &Ctxt, model: &FnModel) {
    const OWNED: &str = "the future of an `async fn` outlives the Python call";
    match &model.receiver {
        Receiver::Exclusive(span) => cx.syn_error(syn::Error::new(
            *span,
            format!("an `async fn` cannot take `&mut self`: {OWNED}, and a lock held across `.await` would block every other caller; take `&self` on a default class and lock inside"),
        )),
        Receiver::Typed(ty) => cx.error_spanned_by(
            ty,
            format!("an `async fn` takes `self` only as `&self`: {OWNED}, so it keeps an owned `Py<Self>`"),
        ),
        _ => {}
    }
    for param in &model.params {
        let message = match param.kind {
            ParamKind::Python => format!("an `async fn` cannot take `py: Python`: {OWNED}; call `Python::attach` inside it where you need Python"),
            ParamKind::Cls => format!("an `async fn` cannot take the class: {OWNED}; take `Py<PyType>` from a synchronous method instead"),
            _ if matches!(param.ty, Type::Reference(_)) => format!("an `async fn` takes owned arguments (`String` for `&str`, `Py<T>` for `&Bound<T>`): {OWNED}"),
            _ => continue,
        };
        cx.error_spanned_by(&param.ty, message);
    }
}

/// `#[pyfunction]` specifics.
pub fn pyfunction(cx: &Ctxt, model: &FnModel) {
    let span = match &model.receiver {
        Receiver::None => return,
        Receiver::Shared(span) | Receiver::Exclusive(span) | Receiver::Unsupported(span) => *span,
        Receiver::Typed(ty) => syn::spanned::Spanned::span(ty),
    };
    cx.syn_error(syn::Error::new(
        span,
        "`#[pyfunction]` cannot take `self`; put methods in a `#[pymethods]` impl block",
    ));
}

/// `&str` and `&[u8]` are extracted by value (they borrow from the
/// argument), not through a holder.
pub fn is_borrowed_text(ty: &Type) -> bool {
    let Type::Reference(reference) = ty else {
        return false;
    };
    match &*reference.elem {
        Type::Path(path) => path.path.is_ident("str"),
        Type::Slice(slice) => matches!(&*slice.elem, Type::Path(p) if p.path.is_ident("u8")),
        _ => false,
    }
}

/// `#[pymodule]` takes `fn name(m: &Bound<'_, PyModule>) -> PyResult<()>`.
pub fn pymodule(cx: &Ctxt, item: &syn::ItemFn) {
    let inputs = &item.sig.inputs;
    if inputs.len() != 1 {
        let message =
            "a `#[pymodule]` function takes exactly one parameter: `m: &Bound<'_, PyModule>`";
        if inputs.is_empty() {
            cx.error_spanned_by(&item.sig.ident, message);
        } else {
            cx.error_spanned_by(inputs, message);
        }
    }
    if let Some(asyncness) = &item.sig.asyncness {
        cx.error_spanned_by(asyncness, "a `#[pymodule]` function cannot be `async`");
    }
    if !item.sig.generics.params.is_empty() {
        cx.error_spanned_by(
            &item.sig.generics,
            "a `#[pymodule]` function cannot be generic",
        );
    }
    if matches!(item.sig.output, syn::ReturnType::Default) {
        cx.error_spanned_by(
            &item.sig.ident,
            "a `#[pymodule]` function returns `PyResult<()>`",
        );
    }
}

/// Rules for the methods of a `#[pymethods]` block.
pub fn pymethods(cx: &Ctxt, model: &crate::model::methods::MethodsModel) {
    use crate::model::methods::{Dunder, MethodRole, IN_PLACE_POWER_SLOT};
    for method in &model.methods {
        let f = &method.function;
        signature(cx, f, &method.sig);
        let args = f
            .params
            .iter()
            .filter(|p| matches!(p.kind, ParamKind::Arg(_)))
            .count();
        let has_self = !matches!(f.receiver, Receiver::None);
        if let Receiver::Unsupported(span) = f.receiver {
            cx.syn_error(syn::Error::new(
                span,
                "take `&self` or `&mut self`; a method cannot consume the Python object's value",
            ));
        }
        let at = |message: &str| cx.error_spanned_by(&method.sig.ident, message);
        let plain = matches!(
            method.role,
            MethodRole::Instance | MethodRole::StaticMethod | MethodRole::ClassMethod
        );
        if let (Some(asyncness), false) = (&method.sig.asyncness, plain) {
            cx.error_spanned_by(
                asyncness,
                "only plain methods (instance, `#[staticmethod]`, `#[classmethod]`) may be `async fn`; magic methods, constructors and properties are called synchronously",
            );
        }
        // The receiver as written (`&self`, `slf: PyRef<'_, Self>`), for
        // errors about having one.
        let at_self = |message: &str| match method.sig.inputs.first() {
            Some(receiver) if has_self => cx.error_spanned_by(receiver, message),
            _ => at(message),
        };
        // The first Python argument, for errors about having too many.
        let extra_arg = |skip: usize| {
            f.params
                .iter()
                .filter(|p| matches!(p.kind, ParamKind::Arg(_)))
                .nth(skip)
                .map(|p| &p.ident)
        };
        match &method.role {
            MethodRole::Instance if !has_self => at("this method takes no `self`: mark it `#[staticmethod]`, or `#[classmethod]` with a `cls: &Bound<'_, PyType>` parameter"),
            MethodRole::New if has_self => {
                at_self("`#[new]` cannot take `self`: it creates the value, so return `Self` (or `PyResult<Self>`)")
            }
            MethodRole::StaticMethod if has_self => at_self("a `#[staticmethod]` cannot take `self`; remove the marker to make it a method"),
            MethodRole::ClassAttr(_) if has_self => at_self("a `#[classattr]` cannot take `self`: it is computed once, when the class is created"),
            MethodRole::ClassMethod if has_self => at_self("a `#[classmethod]` takes `cls: &Bound<'_, PyType>` instead of `self`"),
            MethodRole::ClassMethod if !f.params.iter().any(|p| p.kind == ParamKind::Cls) => {
                at("a `#[classmethod]` takes the class as its first parameter: `cls: &Bound<'_, PyType>`")
            }
            MethodRole::ClassAttr(_) if args > 0 => at("a `#[classattr]` takes no arguments (only `py: Python<'_>`)"),
            MethodRole::Getter(_) if !has_self || args > 0 => {
                let message = "a `#[getter]` takes `&self` and no other arguments";
                match extra_arg(0) {
                    Some(arg) if has_self => cx.error_spanned_by(arg, message),
                    _ => at(message),
                }
            }
            MethodRole::Setter(_) if !has_self || args != 1 => at("a `#[setter]` takes `&self` (or `&mut self`) and exactly one value"),
            MethodRole::Deleter(_) if !has_self || args != 0 => at("a `#[deleter]` takes `&self` (or `&mut self`) and no other arguments"),
            MethodRole::Slot(dunder) => {
                // `__pow__`, `__rpow__` and `__ipow__` take the modulo
                // (`pow(a, b, m)`) as an optional second argument.
                let ternary = matches!(dunder, Dunder::Pow(_) | Dunder::InPlace(IN_PLACE_POWER_SLOT));
                let expected = match dunder {
                    Dunder::Unary(_) | Dunder::Next { .. } | Dunder::ANext { .. } | Dunder::Hash | Dunder::Bool | Dunder::Len | Dunder::Clear => Some(0),
                    _ if ternary && args == 2 => None,
                    Dunder::GetItem | Dunder::DelItem | Dunder::Contains | Dunder::Compare(_) | Dunder::Binary(..) | Dunder::Pow(_) | Dunder::InPlace(_) | Dunder::Traverse
                    | Dunder::GetAttr | Dunder::GetAttribute | Dunder::DelAttr => Some(1),
                    Dunder::SetItem | Dunder::SetAttr | Dunder::RichCmp => Some(2),
                    Dunder::Call | Dunder::Init => None,
                    Dunder::GetBuffer if args == 0 || args == 2 => None,
                    Dunder::GetBuffer => Some(2),
                    Dunder::ReleaseBuffer => Some(1),
                };
                if matches!(dunder, Dunder::GetBuffer | Dunder::ReleaseBuffer) {
                    buffer_receiver(cx, method, *dunder, args);
                }
                if !has_self {
                    at("magic methods take `&self` (or `&mut self`)");
                } else if let Some(expected) = expected.filter(|&n| n != args) {
                    let name = &f.python_name;
                    let count = match expected {
                        0 => "no arguments".to_owned(),
                        1 => "1 argument".to_owned(),
                        n => format!("{n} arguments"),
                    };
                    let or_modulo = if ternary { " (and optionally a modulo)" } else { "" };
                    let message = if matches!(dunder, Dunder::GetBuffer) {
                        format!(
                            "`{name}` takes no arguments besides `self` and returns the slice to export, \
                             or (PyO3's raw form) two: `view: *mut ffi::Py_buffer, flags: c_int`"
                        )
                    } else {
                        format!("`{name}` takes {count}{or_modulo} besides `self`")
                    };
                    match extra_arg(expected) {
                        Some(arg) => cx.error_spanned_by(arg, message),
                        None => at(&message),
                    }
                }
            }
            _ => {}
        }
    }
}

/// `__getbuffer__` and `__releasebuffer__` share the object while an
/// export lives: no exclusive receiver; the safe `__getbuffer__` (no
/// arguments) returns a borrow of `&self`.
fn buffer_receiver(
    cx: &Ctxt,
    method: &crate::model::methods::MethodModel,
    dunder: crate::model::methods::Dunder,
    args: usize,
) {
    use crate::model::methods::Dunder;
    let f = &method.function;
    let name = &f.python_name;
    let exclusive = match &f.receiver {
        Receiver::Exclusive(span) => Some(*span),
        Receiver::Typed(ty) => match &**ty {
            Type::Path(path)
                if path
                    .path
                    .segments
                    .last()
                    .is_some_and(|s| s.ident == "PyRefMut") =>
            {
                Some(syn::spanned::Spanned::span(ty))
            }
            _ => None,
        },
        _ => None,
    };
    if let Some(span) = exclusive {
        cx.syn_error(syn::Error::new(
            span,
            format!(
                "`{name}` cannot borrow the object exclusively: an export shares it; \
                 take `&self` or `slf: &Bound<'_, Self>`"
            ),
        ));
        return;
    }
    if dunder == Dunder::GetBuffer && args == 0 && !matches!(f.receiver, Receiver::Shared(_)) {
        cx.error_spanned_by(
            &method.sig.ident,
            "the safe `__getbuffer__` takes `&self` and returns the slice to export \
             (`fn __getbuffer__(&self) -> &[u8]`); the raw form takes \
             `(slf: &Bound<'_, Self>, view: *mut ffi::Py_buffer, flags: c_int)`",
        );
    }
}

/// Rules for a `#[pyclass]`.
pub fn pyclass(cx: &Ctxt, model: &crate::model::class::ClassModel) {
    use crate::model::class::{ClassKind, Storage};
    if let Some(span) = model.generics {
        cx.syn_error(syn::Error::new(
            span,
            "`#[pyclass]` cannot be generic: a Python class is one concrete type",
        ));
    }
    for field in &model.fields {
        if let (Some(span), Storage::Frozen) = (field.set, model.storage) {
            cx.syn_error(syn::Error::new(
                span,
                "`set` needs `#[pyclass(mutable)]` (or `unsendable`): a default class is shared between threads without a lock; \
                 keep the field in an atomic or `pyo3_ft::sync::Mutex` and write a `#[setter]` taking `&self`",
            ));
        }
    }
    if let (Some(span), Storage::Frozen) = (model.set_all, model.storage) {
        cx.syn_error(syn::Error::new(
            span,
            "`set_all` needs `#[pyclass(mutable)]` (or `unsendable`): a default class is PyO3's `frozen`, \
             shared between threads without a lock",
        ));
    }
    if let (Some(crate::model::class::StrOption::Format(format)), ClassKind::Enum { .. }) =
        (&model.str, &model.kind)
    {
        cx.error_spanned_by(
            format,
            "`str = \"...\"` formats struct fields; an enum takes `str` with a `Display` impl",
        );
    }
    if let Some(span) = model.eq_int {
        if !matches!(model.kind, ClassKind::Enum { complex: false, .. }) {
            cx.syn_error(syn::Error::new(
                span,
                "`eq_int` goes on a C-like enum (variants without fields)",
            ));
        } else if model.eq.is_none() {
            cx.syn_error(syn::Error::new(
                span,
                "`eq_int` needs `eq` too: `#[pyclass(eq, eq_int)]`",
            ));
        }
    }
    if let ClassKind::Enum { complex: true, .. } = &model.kind {
        if !matches!(model.storage, Storage::Frozen) {
            cx.error_spanned_by(
                &model.ident,
                "an enum with data variants uses the default storage (PyO3's `frozen`): \
                 each variant is its own Python class, so a value cannot change variant",
            );
        }
    }
    if let ClassKind::Enum { .. } = model.kind {
        if let Some(extends) = &model.extends {
            cx.error_spanned_by(extends, "a `#[pyclass]` enum cannot extend another class");
        }
    }
    if let Some(span) = model.hash {
        if model.eq.is_none() && model.ord.is_none() {
            cx.syn_error(syn::Error::new(
                span,
                "`hash` needs `eq` too: Python requires equal objects to have equal hashes",
            ));
        }
    }
}
