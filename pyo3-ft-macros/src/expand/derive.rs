//! `#[derive(FromPyObject)]` and `#[derive(IntoPyObject)]` expansion, one
//! module each; this module holds what they share: the impl's generics and
//! the list of constructors (the struct, or each variant).

pub mod from;
pub mod into;

use proc_macro2::TokenStream;
use quote::quote;
use syn::{parse_quote, GenericParam, Generics, Lifetime};

use crate::model::derive::{Body, DeriveModel, Shape};

/// One constructor: the struct itself, or one enum variant.
pub struct Case<'m> {
    /// `Self` or `Self::Variant`, for building and matching.
    pub path: TokenStream,
    /// `Point` or `Shape::Circle`, for error messages.
    pub name: String,
    pub shape: &'m Shape,
}

/// The constructors of `model`, in declaration order.
pub fn cases(model: &DeriveModel) -> Vec<Case<'_>> {
    match &model.body {
        Body::Struct(shape) => vec![Case {
            path: quote!(Self),
            name: model.ident.to_string(),
            shape,
        }],
        Body::Enum(variants) => variants
            .iter()
            .map(|variant| {
                let ident = &variant.ident;
                Case {
                    path: quote!(Self::#ident),
                    name: format!("{}::{}", model.ident, ident),
                    shape: &variant.shape,
                }
            })
            .collect(),
    }
}

/// The impl's generics: the user's, preceded by those of `lifetimes` the
/// user did not declare, with every type parameter `T` bounded by
/// `bound(T)`.
pub fn impl_generics(
    model: &DeriveModel,
    lifetimes: &[&Lifetime],
    bound: impl Fn(&syn::Ident) -> syn::WherePredicate,
) -> Generics {
    let mut generics = model.generics.clone();
    let declared: Vec<Lifetime> = generics.lifetimes().map(|l| l.lifetime.clone()).collect();
    let missing = lifetimes.iter().filter(|l| !declared.contains(l));
    for (index, lifetime) in missing.enumerate() {
        generics
            .params
            .insert(index, GenericParam::Lifetime(parse_quote!(#lifetime)));
    }
    let predicates: Vec<_> = model
        .generics
        .type_params()
        .map(|param| bound(&param.ident))
        .collect();
    generics.make_where_clause().predicates.extend(predicates);
    generics
}
