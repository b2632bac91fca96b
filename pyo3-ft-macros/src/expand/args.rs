//! Argument extraction shared by functions, methods and constructors: the
//! `FunctionDescription`, the parse call, and one local per Rust parameter.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::visit_mut::VisitMut;
use syn::{Ident, Type};

use crate::model::function::{FnModel, ParamKind};
use crate::validate::is_borrowed_text;

/// How the C caller passes arguments.
pub enum Convention {
    /// `METH_FASTCALL | METH_KEYWORDS`: `__args`, `__nargs`, `__kwnames`.
    Fastcall,
    /// `tp_new`: `__args` (tuple) and `__kwargs` (dict or null).
    TupleDict,
}

/// Code that parses the arguments and binds one local per Rust parameter
/// (in order), plus the list of those locals for the call.
pub struct Extraction {
    pub body: TokenStream,
    pub call_args: Vec<TokenStream>,
}

fn description(model: &FnModel, func_name: &str) -> TokenStream {
    let sig = &model.signature;
    let positional = sig.positional.iter().map(|p| p.name.to_string());
    let positional_only = sig.positional_only;
    let required_positional = sig.required_positional();
    let keyword_only = sig.keyword_only.iter().map(|p| {
        let name = p.name.to_string();
        let required = p.default.is_none();
        quote!(::pyo3_ft::impl_::KeywordOnly { name: #name, required: #required })
    });
    let varargs = sig.varargs.is_some();
    let varkwargs = sig.varkwargs.is_some();
    quote! {
        const __DESCRIPTION: ::pyo3_ft::impl_::FunctionDescription = ::pyo3_ft::impl_::FunctionDescription {
            func_name: #func_name,
            positional: &[#(#positional),*],
            positional_only: #positional_only,
            required_positional: #required_positional,
            keyword_only: &[#(#keyword_only),*],
            varargs: #varargs,
            varkwargs: #varkwargs,
        };
    }
}

/// `ty` with every named lifetime but `'static` replaced by `'_`: the
/// wrapper has no lifetime parameters of its own.
pub fn elide_lifetimes(ty: &Type) -> Type {
    struct Elide;
    impl VisitMut for Elide {
        fn visit_lifetime_mut(&mut self, lifetime: &mut syn::Lifetime) {
            if lifetime.ident != "static" {
                *lifetime = syn::Lifetime::new("'_", lifetime.span());
            }
        }
    }
    let mut ty = ty.clone();
    Elide.visit_type_mut(&mut ty);
    ty
}

/// `T` of an `Option<&T>` parameter (`&str` and `&[u8]` excepted, which
/// convert by value): `None` is `None`, anything else borrows through a
/// holder.
fn option_of_reference(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(inner @ Type::Reference(reference))
            if reference.mutability.is_none() && !is_borrowed_text(inner) =>
        {
            Some(&reference.elem)
        }
        _ => None,
    }
}

/// How an argument converts.
pub enum Conversion<'a> {
    /// `&T`: through a holder of `T` (`ArgHolder`).
    Holder(&'a Type),
    /// `Option<&T>`: `None`, or through a holder of `T`.
    OptionalHolder(&'a Type),
    /// By value (`FromPyObject`).
    Value,
    /// `from_py_with = path`.
    With,
}

/// How a parameter of type `ty` converts (`with`: it has `from_py_with`).
pub fn conversion(ty: &Type, with: bool) -> Conversion<'_> {
    match ty {
        _ if with => Conversion::With,
        Type::Reference(reference) if !is_borrowed_text(ty) => Conversion::Holder(&reference.elem),
        _ => match option_of_reference(ty) {
            Some(target) => Conversion::OptionalHolder(target),
            None => Conversion::Value,
        },
    }
}

/// The local for one parameter.
fn bind_param(model: &FnModel, index: usize, local: &Ident) -> (TokenStream, TokenStream) {
    let param = &model.params[index];
    let ty = &elide_lifetimes(&param.ty);
    match &param.kind {
        ParamKind::Python => (quote!(let #local = py;), quote!(#local)),
        ParamKind::Varargs => (
            quote! {
                let #local: #ty = ::pyo3_ft::impl_::args::FromVarargs::from_varargs(
                    __extras.varargs.as_ref().expect("the signature has *args"));
            },
            quote!(#local),
        ),
        ParamKind::Varkwargs => (
            quote!(let #local: #ty = ::pyo3_ft::impl_::args::FromVarkwargs::from_varkwargs(&__extras.varkwargs);),
            quote!(#local),
        ),
        ParamKind::Cls => (quote!(let #local = &__cls;), quote!(#local)),
        ParamKind::Arg(slot) => {
            let name = model.signature.slot(*slot).name.to_string();
            let missing = match &model.signature.slot(*slot).default {
                Some(default) => quote!(#default),
                None => {
                    quote!(return ::std::result::Result::Err(::pyo3_ft::impl_::missing_argument(#name)))
                }
            };
            let extract = match &param.from_py_with {
                Some(path) => {
                    quote!(::pyo3_ft::impl_::extract_argument_with(__object, #name, #path)?)
                }
                None => quote!(::pyo3_ft::impl_::extract_argument(__object, #name)?),
            };
            match conversion(ty, param.from_py_with.is_some()) {
                Conversion::Holder(target) => {
                    let Type::Reference(reference) = ty else {
                        unreachable!("a holder is for a reference")
                    };
                    let holder = format_ident!("{}_holder", local);
                    let (mutability, deref) = match reference.mutability {
                        Some(_) => (quote!(mut), quote!(&mut *#holder)),
                        None => (quote!(), quote!(&*#holder)),
                    };
                    let bind = quote! {
                        let #mutability #holder = ::pyo3_ft::impl_::extract_holder::<#target>(
                            ::pyo3_ft::impl_::required(__slots[#slot], #name)?, #name)?;
                        let #local: #ty = #deref;
                    };
                    (bind, quote!(#local))
                }
                Conversion::OptionalHolder(target) => {
                    let holder = format_ident!("{}_holder", local);
                    let bind = quote! {
                        let #holder = match __slots[#slot] {
                            ::std::option::Option::Some(__object) if !__object.is_none() => ::std::option::Option::Some(
                                ::pyo3_ft::impl_::extract_holder::<#target>(__object, #name)?),
                            _ => ::std::option::Option::None,
                        };
                        let #local: #ty = #holder.as_deref();
                    };
                    (bind, quote!(#local))
                }
                Conversion::Value | Conversion::With => {
                    let bind = quote! {
                        let #local: #ty = match __slots[#slot] {
                            ::std::option::Option::Some(__object) => #extract,
                            ::std::option::Option::None => #missing,
                        };
                    };
                    (bind, quote!(#local))
                }
            }
        }
        ParamKind::Unmapped => (quote!(), quote!(#local)),
    }
}

/// One local per Rust parameter (reading `__slots`, `__extras`, `py`,
/// `__cls`), and the expressions to pass them in order.
pub fn bind_params(model: &FnModel) -> (TokenStream, Vec<TokenStream>) {
    let mut binds = Vec::new();
    let mut call_args = Vec::new();
    for index in 0..model.params.len() {
        let local = format_ident!("__arg{}", index);
        let (bind, arg) = bind_param(model, index, &local);
        binds.push(bind);
        call_args.push(arg);
    }
    (quote!(#(#binds)*), call_args)
}

/// Parsing plus one local per parameter; `func_name` is how errors name
/// the function (`greet` or `Point.norm`).
pub fn extraction(model: &FnModel, func_name: &str, convention: Convention) -> Extraction {
    let slots = model.signature.slots();
    let description = description(model, func_name);
    let (holder, parse) = match convention {
        Convention::Fastcall => (
            quote!(),
            quote! {
                // SAFETY: CPython passes a valid vectorcall argument array,
                // which the caller owns for the call.
                unsafe { __DESCRIPTION.extract_fastcall(py, __args, __nargs, __kwnames, &mut __slots) }?
            },
        ),
        Convention::TupleDict => (
            // Declared before `__slots`, so it outlives the borrows in them.
            quote! {
                let mut __keyword_values = ::pyo3_ft::impl_::KeywordValues::new();
            },
            quote! {
                // SAFETY: CPython passes a tuple and a dict or null, which the
                // caller keeps alive for the call.
                unsafe { __DESCRIPTION.extract_tuple_dict(py, __args, __kwargs, &mut __keyword_values, &mut __slots) }?
            },
        ),
    };
    let (binds, call_args) = bind_params(model);
    let body = quote! {
        #description
        #holder
        let mut __slots: [::std::option::Option<::pyo3_ft::Borrowed<'_, '_, ::pyo3_ft::types::PyAny>>; #slots] = [::std::option::Option::None; #slots];
        #[allow(unused_variables)]
        let __extras = #parse;
        #binds
    };
    Extraction { body, call_args }
}
