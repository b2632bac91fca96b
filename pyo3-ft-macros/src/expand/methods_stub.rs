//! The `MethodsStub` of a `#[pymethods]` block: each method, constructor,
//! property half and class attribute as the type stub shows it.

use proc_macro2::TokenStream;
use quote::quote;

use super::stubs::{
    self, call_return_hint, hint_path, input_hint, named, output_hint, return_hint, signature,
};
use crate::model::function::ParamKind;
use crate::model::methods::{Dunder, MethodModel, MethodRole, MethodsModel};

/// The annotation of a magic method's result: fixed by the protocol, or
/// the Rust return type's.
fn dunder_returns(method: &MethodModel, dunder: Dunder) -> TokenStream {
    let hint = hint_path();
    match dunder {
        Dunder::Hash | Dunder::Len => quote!(#hint::Name("int")),
        Dunder::Bool | Dunder::Contains => quote!(#hint::Name("bool")),
        Dunder::Init | Dunder::SetItem | Dunder::DelItem | Dunder::SetAttr | Dunder::DelAttr => {
            quote!(#hint::NONE)
        }
        Dunder::InPlace(_) => quote!(#hint::Name("typing.Self")),
        Dunder::Next { optional: true } | Dunder::ANext { optional: true } => quote!(#hint::ANY),
        _ => return_hint(&method.function.output),
    }
}

/// The stub of one magic method, or `None` for those a stub leaves out
/// (garbage collection hooks, `__richcmp__`, and the buffer slots, which
/// Python never calls by those names).
fn dunder(method: &MethodModel, dunder: Dunder) -> Option<TokenStream> {
    if matches!(
        dunder,
        Dunder::Traverse
            | Dunder::Clear
            | Dunder::RichCmp
            | Dunder::GetBuffer
            | Dunder::ReleaseBuffer
    ) {
        return None;
    }
    let f = &method.function;
    let returns = dunder_returns(method, dunder);
    let hint = hint_path();
    // `==` and `!=` take any object: one that does not convert compares
    // unequal (`NotImplemented`).
    let signature = match dunder {
        Dunder::Compare("Eq" | "Ne") => quote! {
            ::pyo3_ft::impl_::stubs::SignatureStub {
                params: &[::pyo3_ft::impl_::stubs::ParamStub {
                    name: "other",
                    kind: ::pyo3_ft::impl_::stubs::ParamKind::PositionalOnly,
                    hint: #hint::Name("object"),
                    default: ::std::option::Option::None,
                }],
                returns: #returns,
            }
        },
        // Called with a tuple and a dict: the full signature.
        Dunder::Init | Dunder::Call => signature(f, returns, false),
        _ => signature(f, returns, true),
    };
    Some(stubs::method(&f.python_name, quote!(Instance), signature))
}

/// The stub of one member, if the stub shows it.
fn member(method: &MethodModel) -> Option<TokenStream> {
    let f = &method.function;
    let hint = hint_path();
    Some(match &method.role {
        MethodRole::Instance => stubs::method(
            &f.python_name,
            quote!(Instance),
            signature(f, call_return_hint(f), false),
        ),
        MethodRole::ClassMethod => stubs::method(
            &f.python_name,
            quote!(Class),
            signature(f, call_return_hint(f), false),
        ),
        MethodRole::StaticMethod => stubs::method(
            &f.python_name,
            quote!(Static),
            signature(f, call_return_hint(f), false),
        ),
        MethodRole::New => {
            let signature = signature(f, quote!(#hint::ANY), false);
            quote!(::pyo3_ft::impl_::stubs::MemberStub::New(#signature))
        }
        MethodRole::Getter(name) => named(quote!(Getter), name, return_hint(&f.output)),
        MethodRole::Setter(name) => {
            let value = f
                .params
                .iter()
                .find(|p| matches!(p.kind, ParamKind::Arg(_)))?;
            named(
                quote!(Setter),
                name,
                input_hint(&value.ty, value.from_py_with.is_some()),
            )
        }
        MethodRole::Deleter(_) => return None,
        MethodRole::ClassAttr(name) => named(quote!(ClassAttr), name, return_hint(&f.output)),
        MethodRole::Slot(slot) => return dunder(method, *slot),
    })
}

/// The block's `inventory` submission.
pub fn expand(model: &MethodsModel) -> TokenStream {
    let self_ty = &model.self_ty;
    let mut members: Vec<TokenStream> = model.methods.iter().filter_map(member).collect();
    members.extend(
        model
            .consts
            .iter()
            .map(|c| named(quote!(ClassAttr), &c.python_name, output_hint(&c.ty))),
    );
    quote! {
        ::pyo3_ft::inventory::submit! {
            ::pyo3_ft::impl_::stubs::MethodsStub::new::<#self_ty>(&[#(#members),*])
        }
    }
}
