//! Parsing attribute arguments (`#[pyclass(mutable, name = "P")]`,
//! `#[pyo3(get, set)]`) into a flat list of options, which each model then
//! interprets. Unknown or misplaced options are reported by the models.

use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Expr, Ident, LitStr, Token};

use crate::model::signature::SignatureSpec;

/// One option of an attribute.
pub enum AttrOption {
    /// A bare word: `mutable`, `get`, `subclass`.
    Flag(Ident),
    /// `key = "string"`.
    Str(Ident, LitStr),
    /// `key = path::To::Type` or another expression.
    Expr(Ident, Expr),
    /// `signature = (a, b = 1, /, *, c)`.
    Signature(Ident, SignatureSpec),
}

impl AttrOption {
    /// The option's name.
    pub fn key(&self) -> &Ident {
        match self {
            AttrOption::Flag(key)
            | AttrOption::Str(key, _)
            | AttrOption::Expr(key, _)
            | AttrOption::Signature(key, _) => key,
        }
    }
}

impl Parse for AttrOption {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let key: Ident = input.call(syn::ext::IdentExt::parse_any)?;
        if !input.peek(Token![=]) {
            return Ok(AttrOption::Flag(key));
        }
        input.parse::<Token![=]>()?;
        if key == "signature" {
            return Ok(AttrOption::Signature(key, input.parse()?));
        }
        if input.peek(LitStr) {
            return Ok(AttrOption::Str(key, input.parse()?));
        }
        Ok(AttrOption::Expr(key, input.parse()?))
    }
}

/// A comma-separated list of options.
pub struct AttrOptions(pub Vec<AttrOption>);

impl Parse for AttrOptions {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let options = Punctuated::<AttrOption, Token![,]>::parse_terminated(input)?;
        Ok(AttrOptions(options.into_iter().collect()))
    }
}

/// Removes every `#[pyo3(...)]` attribute (PyO3's spelling, the one the
/// guide uses) and every `#[py(...)]` (pyo3-ft's older spelling, still
/// accepted) from `attrs` and parses their options.
pub fn take_py_attrs(attrs: &mut Vec<syn::Attribute>) -> syn::Result<Vec<AttrOption>> {
    let mut options = Vec::new();
    let mut result = Ok(());
    attrs.retain(|attr| {
        if !attr.path().is_ident("pyo3") && !attr.path().is_ident("py") {
            return true;
        }
        match attr.parse_args::<AttrOptions>() {
            Ok(parsed) => options.extend(parsed.0),
            Err(err) => result = Err(err),
        }
        false
    });
    result.map(|()| options)
}

/// Removes a marker attribute like `#[new]`; returns it if it was there.
pub fn take_marker(attrs: &mut Vec<syn::Attribute>, name: &str) -> Option<syn::Attribute> {
    let index = attrs.iter().position(|attr| attr.path().is_ident(name))?;
    Some(attrs.remove(index))
}

/// The text of the `///` doc comments, one line per attribute, with the
/// one leading space rustdoc adds removed.
pub fn doc_text(attrs: &[syn::Attribute]) -> String {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|attr| attr.path().is_ident("doc"))
        .filter_map(|attr| match &attr.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(text),
                    ..
                }) => Some(text.value()),
                _ => None,
            },
            _ => None,
        })
        .map(|line| line.strip_prefix(' ').map(str::to_owned).unwrap_or(line))
        .collect();
    lines.join("\n")
}
