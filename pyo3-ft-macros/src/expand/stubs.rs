//! The type-stub records (`pyo3_ft::impl_::stubs`): constant descriptions
//! of signatures, classes and members, registered with `inventory`, whose
//! annotations come from the Rust types' `INPUT_TYPE` / `OUTPUT_TYPE`.
//! Nothing here runs on a call.

use proc_macro2::TokenStream;
use quote::quote;
use syn::visit_mut::VisitMut;
use syn::{ReturnType, Type};

use super::args::{conversion, Conversion};
use super::text_signature::render_default;
use crate::model::function::{FnModel, ParamKind, SigParam};

/// `::pyo3_ft::stubs::TypeHint`.
pub fn hint_path() -> TokenStream {
    quote!(::pyo3_ft::stubs::TypeHint)
}

/// `ty` with every lifetime `'static`, so that a static can name it.
fn static_type(ty: &Type) -> Type {
    struct Static;
    impl VisitMut for Static {
        fn visit_lifetime_mut(&mut self, lifetime: &mut syn::Lifetime) {
            *lifetime = syn::Lifetime::new("'static", lifetime.span());
        }
        fn visit_type_reference_mut(&mut self, reference: &mut syn::TypeReference) {
            if reference.lifetime.is_none() {
                reference.lifetime = Some(syn::parse_quote!('static));
            }
            syn::visit_mut::visit_type_reference_mut(self, reference);
        }
    }
    let mut ty = ty.clone();
    Static.visit_type_mut(&mut ty);
    ty
}

/// Whether `ty` cannot be named in a static (`impl Trait`, `_`).
fn unnameable(ty: &Type) -> bool {
    struct Find(bool);
    impl VisitMut for Find {
        fn visit_type_mut(&mut self, ty: &mut Type) {
            if matches!(ty, Type::ImplTrait(_) | Type::Infer(_)) {
                self.0 = true;
            }
            syn::visit_mut::visit_type_mut(self, ty);
        }
    }
    let mut find = Find(false);
    find.visit_type_mut(&mut ty.clone());
    find.0
}

/// The annotation an argument of type `ty` accepts.
pub fn input_hint(ty: &Type, from_py_with: bool) -> TokenStream {
    let hint = hint_path();
    if unnameable(ty) {
        return quote!(#hint::ANY);
    }
    let ty = static_type(ty);
    match conversion(&ty, from_py_with) {
        Conversion::With => quote!(#hint::ANY),
        Conversion::Holder(target) => {
            quote!(<#target as ::pyo3_ft::impl_::ArgHolder<'static, 'static>>::INPUT_TYPE)
        }
        Conversion::OptionalHolder(target) => quote!(#hint::Union(&[
            <#target as ::pyo3_ft::impl_::ArgHolder<'static, 'static>>::INPUT_TYPE,
            #hint::NONE,
        ])),
        Conversion::Value => {
            quote!(<#ty as ::pyo3_ft::FromPyObject<'static, 'static>>::INPUT_TYPE)
        }
    }
}

/// The annotation of what a value of type `ty` converts to.
pub fn output_hint(ty: &Type) -> TokenStream {
    if unnameable(ty) {
        let hint = hint_path();
        return quote!(#hint::ANY);
    }
    let ty = static_type(ty);
    quote!(<#ty as ::pyo3_ft::impl_::IntoPyReturn<'static>>::OUTPUT_TYPE)
}

/// The annotation of what a function returns.
pub fn return_hint(output: &ReturnType) -> TokenStream {
    match output {
        ReturnType::Default => {
            let hint = hint_path();
            quote!(#hint::NONE)
        }
        ReturnType::Type(_, ty) => output_hint(ty),
    }
}

/// The annotation of what calling `model` returns: an `async fn` returns
/// an awaitable of its output.
pub fn call_return_hint(model: &FnModel) -> TokenStream {
    let output = return_hint(&model.output);
    if !model.is_async {
        return output;
    }
    let hint = hint_path();
    quote!(#hint::Subscript("collections.abc.Awaitable", &[#output]))
}

/// One `ParamStub`.
fn param(
    model: &FnModel,
    name: &syn::Ident,
    kind: TokenStream,
    default: Option<&syn::Expr>,
) -> TokenStream {
    let hint = hint_path();
    let rust = model.params.iter().find(|p| p.ident == *name);
    let hint = match rust {
        Some(p) if matches!(p.kind, ParamKind::Arg(_)) => {
            input_hint(&p.ty, p.from_py_with.is_some())
        }
        _ => quote!(#hint::ANY),
    };
    let default = match default {
        Some(expr) => {
            let text = render_default(expr);
            quote!(::std::option::Option::Some(#text))
        }
        None => quote!(::std::option::Option::None),
    };
    let name = name.to_string();
    quote! {
        ::pyo3_ft::impl_::stubs::ParamStub {
            name: #name,
            kind: ::pyo3_ft::impl_::stubs::ParamKind::#kind,
            hint: #hint,
            default: #default,
        }
    }
}

/// The `SignatureStub` of `model` with `returns`; `positional_only` makes
/// every positional parameter positional-only (a slot's).
pub fn signature(model: &FnModel, returns: TokenStream, positional_only: bool) -> TokenStream {
    let sig = &model.signature;
    let mut params = Vec::new();
    let positional = |p: &SigParam, index: usize| {
        let kind = if positional_only || index < sig.positional_only {
            quote!(PositionalOnly)
        } else {
            quote!(Positional)
        };
        param(model, &p.name, kind, p.default.as_ref())
    };
    params.extend(
        sig.positional
            .iter()
            .enumerate()
            .map(|(i, p)| positional(p, i)),
    );
    params.extend(
        sig.varargs
            .iter()
            .map(|name| param(model, name, quote!(VarArgs), None)),
    );
    params.extend(
        sig.keyword_only
            .iter()
            .map(|p| param(model, &p.name, quote!(KeywordOnly), p.default.as_ref())),
    );
    params.extend(
        sig.varkwargs
            .iter()
            .map(|name| param(model, name, quote!(VarKwargs), None)),
    );
    quote! {
        ::pyo3_ft::impl_::stubs::SignatureStub { params: &[#(#params),*], returns: #returns }
    }
}

/// A `MemberStub::Method` of kind `kind` (`Instance`, `Class`, `Static`).
pub fn method(name: &str, kind: TokenStream, signature: TokenStream) -> TokenStream {
    quote! {
        ::pyo3_ft::impl_::stubs::MemberStub::Method {
            name: #name,
            kind: ::pyo3_ft::pyclass::MethodKind::#kind,
            signature: #signature,
        }
    }
}

/// A `MemberStub` variant with a name and a hint (`Getter`, `Setter`,
/// `ClassAttr`).
pub fn named(variant: TokenStream, name: &str, hint: TokenStream) -> TokenStream {
    quote!(::pyo3_ft::impl_::stubs::MemberStub::#variant { name: #name, hint: #hint })
}

/// A method `name(self, other: other, /) -> returns` of a class's own
/// (derived comparisons and hashing, an enum's `__int__`).
pub fn derived_method(name: &str, other: Option<TokenStream>, returns: TokenStream) -> TokenStream {
    let params = other.into_iter().map(|hint| {
        quote!(::pyo3_ft::impl_::stubs::ParamStub {
            name: "other",
            kind: ::pyo3_ft::impl_::stubs::ParamKind::PositionalOnly,
            hint: #hint,
            default: ::std::option::Option::None,
        })
    });
    let signature = quote! {
        ::pyo3_ft::impl_::stubs::SignatureStub { params: &[#(#params)*], returns: #returns }
    };
    method(name, quote!(Instance), signature)
}

/// The `FunctionStub` of a `#[pyfunction]` whose definition is `__DEF`.
pub fn function(model: &FnModel) -> TokenStream {
    let signature = signature(model, call_return_hint(model), false);
    quote! {
        ::pyo3_ft::inventory::submit! {
            ::pyo3_ft::impl_::stubs::FunctionStub { def: &__DEF, signature: #signature }
        }
    }
}
