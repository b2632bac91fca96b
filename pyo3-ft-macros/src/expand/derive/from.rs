//! `#[derive(FromPyObject)]`: an `extract` that reads each field from the
//! object's attributes, items or tuple items; an enum tries its variants in
//! order and, if none matches, raises a `TypeError` listing why each failed.

use proc_macro2::{Ident, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{parse_quote, Lifetime};

use super::{cases, impl_generics, Case};
use crate::model::derive::{Body, DeriveModel, FieldDefault, NamedField, Shape, Source, Variant};

/// The `FromPyObject` impl of the model's type.
pub fn expand(model: &DeriveModel) -> TokenStream {
    let ident = &model.ident;
    let py: Lifetime = parse_quote!('py);
    let borrow: Lifetime = model
        .borrow_lifetime()
        .cloned()
        .unwrap_or_else(|| parse_quote!('__a));
    let generics = impl_generics(
        model,
        &[&borrow, &py],
        |param| parse_quote!(#param: for<'__b> ::pyo3_ft::conversion::FromPyObject<'__b, #py>),
    );
    let (impl_generics, _, where_clause) = generics.split_for_impl();
    let (_, ty_generics, _) = model.generics.split_for_impl();
    let body = match &model.body {
        Body::Struct(_) => case_body(&cases(model)[0]),
        Body::Enum(variants) => enum_body(model, variants),
    };
    quote! {
        #[automatically_derived]
        impl #impl_generics ::pyo3_ft::conversion::FromPyObject<#borrow, #py> for #ident #ty_generics #where_clause {
            fn extract(
                __object: ::pyo3_ft::Borrowed<#borrow, #py, ::pyo3_ft::types::PyAny>,
            ) -> ::pyo3_ft::PyResult<Self> {
                #body
            }
        }
    }
}

/// Tries each variant in order; the first that extracts wins.
fn enum_body(model: &DeriveModel, variants: &[Variant]) -> TokenStream {
    let attempts = cases(model).into_iter().map(|case| {
        let body = case_body(&case);
        quote! {
            match (move || -> ::pyo3_ft::PyResult<Self> { #body })() {
                ::std::result::Result::Ok(__value) => return ::std::result::Result::Ok(__value),
                ::std::result::Result::Err(__err) => __err,
            }
        }
    });
    let name = model.ident.to_string();
    let described = variants.iter().map(|variant| {
        let ident = variant.ident.to_string();
        let annotation = &variant.annotation;
        quote!((#ident, #annotation))
    });
    quote! {
        let __errors = [#(#attempts),*];
        ::std::result::Result::Err(::pyo3_ft::impl_::derive::enum_error(
            __object.py(),
            #name,
            &[#(#described),*],
            __errors,
        ))
    }
}

/// An expression of type `PyResult<Self>` that extracts one constructor.
fn case_body(case: &Case) -> TokenStream {
    let Case { path, name, shape } = case;
    match shape {
        Shape::Named(fields) => {
            let fields = fields.iter().map(|field| named_field(field, name));
            quote! {
                let __py = __object.py();
                ::std::result::Result::Ok(#path { #(#fields),* })
            }
        }
        Shape::Tuple(types) => {
            let len = types.len();
            let items = types.iter().enumerate().map(|(index, ty)| {
                let field = format!("{name}.{index}");
                quote_spanned! {ty.span()=>
                    ::pyo3_ft::impl_::derive::tuple_item(__tuple, #index, #field)?
                }
            });
            quote! {
                let __tuple = ::pyo3_ft::impl_::derive::tuple(__object, #len, #name)?;
                ::std::result::Result::Ok(#path(#(#items),*))
            }
        }
        Shape::Newtype(ty) => {
            let extract = quote_spanned! {ty.span()=>
                ::pyo3_ft::conversion::FromPyObject::extract(__object)
            };
            quote!(#extract.map(#path))
        }
        Shape::Unit(python_name) => {
            quote! {
                ::pyo3_ft::impl_::derive::unit_variant(&__object, #python_name)?;
                ::std::result::Result::Ok(#path)
            }
        }
    }
}

/// `ident: <read and extract the field>?`, spanned at the field's type so a
/// type that cannot be extracted is reported there.
fn named_field(field: &NamedField, owner: &str) -> TokenStream {
    let NamedField {
        ident,
        ty,
        source,
        python_name,
        default,
    } = field;
    let label = format!("{owner}.{}", syn::ext::IdentExt::unraw(ident));
    let helper = match (source, default.is_some()) {
        (Source::Attribute, false) => "attribute",
        (Source::Attribute, true) => "attribute_or",
        (Source::Item, false) => "item",
        (Source::Item, true) => "item_or",
    };
    let helper = Ident::new(helper, ty.span());
    let default = default.as_ref().map(|default| match default {
        FieldDefault::Trait => quote!(, ::std::default::Default::default),
        FieldDefault::Expr(expr) => quote!(, || #expr),
    });
    let read = quote_spanned! {ty.span()=>
        ::pyo3_ft::impl_::derive::#helper(&__object, ::pyo3_ft::intern!(__py, #python_name), #label #default)?
    };
    quote!(#ident: #read)
}
