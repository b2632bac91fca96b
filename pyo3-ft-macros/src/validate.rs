//! Rules a model must follow, checked before expansion. Each violation is
//! reported at the offending token, all at once.

use syn::Type;

use crate::ctxt::Ctxt;
use crate::model::function::{FnModel, ParamKind, Receiver};

/// Rules for any wrapped function's signature.
pub fn signature(cx: &Ctxt, model: &FnModel, sig: &syn::Signature) {
    if let Some(asyncness) = &sig.asyncness {
        cx.error_spanned_by(
            asyncness,
            "`async fn` cannot be called from Python yet; run async work on an executor instead",
        );
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

/// `#[pyfunction]` specifics.
pub fn pyfunction(cx: &Ctxt, model: &FnModel) {
    match model.receiver {
        Receiver::None => {}
        Receiver::Shared(span) | Receiver::Exclusive(span) | Receiver::Unsupported(span) => cx
            .syn_error(syn::Error::new(
                span,
                "`#[pyfunction]` cannot take `self`; put methods in a `#[pymethods]` impl block",
            )),
    }
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
        cx.error_spanned_by(
            &item.sig.ident,
            "a `#[pymodule]` function takes exactly one parameter: `m: &Bound<'_, PyModule>`",
        );
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
