//! The `signature = (...)` option: Python's parameter list syntax.

use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Expr, Ident, Token};

/// One item of a signature as written.
pub enum SignatureItem {
    /// `name` or `name = default`.
    Param { name: Ident, default: Option<Expr> },
    /// `/`: the parameters before it are positional-only.
    PositionalOnlyEnd(Token![/]),
    /// `*`: the parameters after it are keyword-only.
    KeywordOnlyStart(Token![*]),
    /// `*args`.
    Varargs(Ident),
    /// `**kwargs`.
    Varkwargs(Ident),
}

impl Parse for SignatureItem {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.peek(Token![/]) {
            return Ok(SignatureItem::PositionalOnlyEnd(input.parse()?));
        }
        if input.peek(Token![*]) && input.peek2(Token![*]) {
            input.parse::<Token![*]>()?;
            input.parse::<Token![*]>()?;
            return Ok(SignatureItem::Varkwargs(input.parse()?));
        }
        if input.peek(Token![*]) {
            let star: Token![*] = input.parse()?;
            if input.peek(Ident) {
                return Ok(SignatureItem::Varargs(input.parse()?));
            }
            return Ok(SignatureItem::KeywordOnlyStart(star));
        }
        let name: Ident = input.parse()?;
        let default = if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            Some(input.parse()?)
        } else {
            None
        };
        Ok(SignatureItem::Param { name, default })
    }
}

/// A parsed `signature = (...)`.
pub struct SignatureSpec {
    /// The items in order.
    pub items: Vec<SignatureItem>,
}

impl Parse for SignatureSpec {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let content;
        syn::parenthesized!(content in input);
        let items = Punctuated::<SignatureItem, Token![,]>::parse_terminated(&content)?;
        Ok(SignatureSpec {
            items: items.into_iter().collect(),
        })
    }
}
