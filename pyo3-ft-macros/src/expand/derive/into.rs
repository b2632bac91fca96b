//! `#[derive(IntoPyObject)]`: named fields become a `dict` keyed by their
//! Python names, tuple fields a `tuple`, a newtype its field's object, and a
//! unit variant the `str` of its name. Fields are converted by value.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{parse_quote, Lifetime, Type};

use super::{cases, impl_generics, Case};
use crate::model::derive::{DeriveModel, Shape};

/// The `IntoPyObject` impl of the model's type.
pub fn expand(model: &DeriveModel) -> TokenStream {
    let ident = &model.ident;
    let py: Lifetime = parse_quote!('py);
    let generics = impl_generics(
        model,
        &[&py],
        |param| parse_quote!(#param: ::pyo3_ft::conversion::IntoPyObject<#py>),
    );
    let (impl_generics, _, where_clause) = generics.split_for_impl();
    let (_, ty_generics, _) = model.generics.split_for_impl();
    let arms = cases(model).into_iter().map(|case| arm(&case));
    quote! {
        #[automatically_derived]
        impl #impl_generics ::pyo3_ft::conversion::IntoPyObject<#py> for #ident #ty_generics #where_clause {
            fn into_pyobject(
                self,
                __py: ::pyo3_ft::Python<#py>,
            ) -> ::pyo3_ft::PyResult<::pyo3_ft::Bound<#py, ::pyo3_ft::types::PyAny>> {
                match self {
                    #(#arms)*
                }
            }
        }
    }
}

/// The match arm that converts one constructor.
fn arm(case: &Case) -> TokenStream {
    let path = &case.path;
    match case.shape {
        Shape::Named(fields) => {
            let bindings: Vec<Ident> = (0..fields.len()).map(|i| format_ident!("__f{i}")).collect();
            let idents = fields.iter().map(|field| &field.ident);
            let inserts = fields.iter().zip(&bindings).map(|(field, binding)| {
                let key = &field.python_name;
                let value = convert(binding, &field.ty);
                quote!(__dict.set_item(::pyo3_ft::intern!(__py, #key), #value?)?;)
            });
            quote! {
                #path { #(#idents: #bindings),* } => {
                    let __dict = ::pyo3_ft::types::PyDict::new(__py);
                    #(#inserts)*
                    ::std::result::Result::Ok(__dict.into_any())
                }
            }
        }
        Shape::Tuple(types) => {
            let bindings: Vec<Ident> = (0..types.len()).map(|i| format_ident!("__f{i}")).collect();
            let items = bindings
                .iter()
                .zip(types)
                .map(|(binding, ty)| convert(binding, ty));
            quote! {
                #path(#(#bindings),*) => ::pyo3_ft::types::PyTuple::new(__py, [#(#items?),*])
                    .map(::pyo3_ft::Bound::into_any),
            }
        }
        Shape::Newtype(ty) => {
            let value = convert(&format_ident!("__f0"), ty);
            quote!(#path(__f0) => #value,)
        }
        Shape::Unit(name) => quote! {
            #path => ::std::result::Result::Ok(::pyo3_ft::intern!(__py, #name).clone().into_any()),
        },
    }
}

/// `binding.into_pyobject(py)`, spanned at the field's type so a type that
/// cannot be converted is reported there.
fn convert(binding: &Ident, ty: &Type) -> TokenStream {
    let binding = Ident::new(&binding.to_string(), ty.span());
    quote_spanned! {ty.span()=>
        ::pyo3_ft::conversion::IntoPyObject::into_pyobject(#binding, __py)
    }
}
