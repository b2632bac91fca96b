//! The model of a `#[pymodule]`: a function that fills the module, or
//! PyO3's declarative form, an inline `mod` whose items say what the module
//! holds.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Expr, Ident, Item, ItemFn, ItemMod, LitStr, UseTree};

use crate::attrs::{take_marker, AttrOption};
use crate::ctxt::Ctxt;

/// What the module's body is.
pub enum ModuleBody {
    /// `#[pymodule] fn name(m: &Bound<'_, PyModule>) -> PyResult<()>`.
    Function,
    /// `#[pymodule] mod name { ... }`.
    Declarative {
        /// Items the module adds (functions, classes, submodules,
        /// exceptions), each by the name it has in the `mod`.
        exports: Vec<Ident>,
        /// `#[pymodule_export] const NAME: T = ...;`.
        constants: Vec<Ident>,
        /// `#[pymodule_init] fn init(m: &Bound<'_, PyModule>) -> PyResult<()>`.
        init: Option<Ident>,
    },
}

/// A module initializer.
pub struct ModuleModel {
    /// The Rust name of the function or `mod`.
    pub rust_name: Ident,
    /// The module's Python name (`PyInit_<name>`).
    pub python_name: String,
    /// An expression for the docstring: `concat!(...)` of the doc
    /// attributes, which may be `include_str!(..)`.
    pub doc: TokenStream,
    /// `#[pymodule(gil_used)]` or `gil_used = true`: the module declares
    /// that it needs the GIL.
    pub gil_used: bool,
    /// `#[pymodule(submodule)]`, or a `#[pymodule] mod` nested in another:
    /// no `PyInit_` entry point.
    pub submodule: bool,
    pub body: ModuleBody,
}

impl ModuleModel {
    /// The model of the function form.
    pub fn from_fn(cx: &Ctxt, item: &ItemFn, options: Vec<AttrOption>) -> Self {
        ModuleModel::with_options(cx, &item.sig.ident, &item.attrs, options)
    }

    /// The model of the declarative form. Removes the `#[pymodule_export]`
    /// and `#[pymodule_init]` markers from the items, and marks nested
    /// `#[pymodule] mod`s as submodules.
    pub fn from_mod(cx: &Ctxt, item: &mut ItemMod, options: Vec<AttrOption>) -> Self {
        let mut model = ModuleModel::with_options(cx, &item.ident, &item.attrs, options);
        let Some((_, items)) = &mut item.content else {
            cx.error_spanned_by(
                &item.ident,
                "a `#[pymodule]` mod must have its items inline: `mod name { ... }`",
            );
            return model;
        };
        let mut exports = Vec::new();
        let mut constants = Vec::new();
        let mut init = None;
        for item in items.iter_mut() {
            collect_item(cx, item, &mut exports, &mut constants, &mut init);
        }
        model.body = ModuleBody::Declarative {
            exports,
            constants,
            init,
        };
        model
    }

    fn with_options(
        cx: &Ctxt,
        ident: &Ident,
        attrs: &[syn::Attribute],
        options: Vec<AttrOption>,
    ) -> Self {
        let mut name: Option<LitStr> = None;
        let mut gil_used = false;
        let mut submodule = false;
        for option in options {
            match option {
                AttrOption::Str(key, value) if key == "name" => name = Some(value),
                AttrOption::Flag(key) if key == "gil_used" => gil_used = true,
                AttrOption::Expr(
                    key,
                    Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Bool(value),
                        ..
                    }),
                ) if key == "gil_used" => gil_used = value.value,
                AttrOption::Flag(key) if key == "submodule" => submodule = true,
                AttrOption::Str(key, _) if key == "module" => cx.error_spanned_by(
                    &key,
                    "`module = \"...\"` is not needed: a submodule takes its parent's name \
                     when it is added (`parent.name`, registered in `sys.modules`)",
                ),
                other => cx.error_spanned_by(
                    other.key(),
                    format!(
                        "unknown `#[pymodule]` option `{}`; expected `name = \"...\"`, \
                         `gil_used = true` or `gil_used = false` (the default), or `submodule`",
                        other.key()
                    ),
                ),
            }
        }
        ModuleModel {
            rust_name: ident.clone(),
            python_name: name.map_or_else(|| ident.to_string(), |n| n.value()),
            doc: doc_expr(attrs),
            gil_used,
            submodule,
            body: ModuleBody::Function,
        }
    }
}

/// Whether `attrs` hold the attribute macro `name` (by the last segment of
/// its path, so `#[pyfunction]` and `#[pyo3_ft::pyfunction]` both count).
fn has_attr(attrs: &[syn::Attribute], name: &str) -> bool {
    attrs.iter().any(|attr| is_attr(attr, name))
}

fn is_attr(attr: &syn::Attribute, name: &str) -> bool {
    attr.path().segments.last().is_some_and(|s| s.ident == name)
}

/// Records what one item of a declarative module adds, removing its
/// `#[pymodule_export]` / `#[pymodule_init]` marker.
fn collect_item(
    cx: &Ctxt,
    item: &mut Item,
    exports: &mut Vec<Ident>,
    constants: &mut Vec<Ident>,
    init: &mut Option<Ident>,
) {
    let attrs = match item {
        Item::Use(item) => &mut item.attrs,
        Item::Const(item) => &mut item.attrs,
        Item::Fn(item) => &mut item.attrs,
        Item::Struct(item) => &mut item.attrs,
        Item::Enum(item) => &mut item.attrs,
        Item::Mod(item) => &mut item.attrs,
        _ => return,
    };
    let export = take_marker(attrs, "pymodule_export");
    let init_marker = take_marker(attrs, "pymodule_init");
    match (item, export, init_marker) {
        (Item::Use(item), Some(_), None) => use_names(cx, &item.tree, exports),
        (Item::Const(item), Some(_), None) => constants.push(item.ident.clone()),
        (Item::Fn(_), None, Some(marker)) if init.is_some() => {
            cx.error_spanned_by(marker, "a module has one `#[pymodule_init]` function")
        }
        (Item::Fn(item), None, Some(_)) => *init = Some(item.sig.ident.clone()),
        (_, Some(marker), _) => cx.error_spanned_by(
            marker,
            "`#[pymodule_export]` goes on a `use` or a `const`; \
             functions, classes and modules defined in the module are added without it",
        ),
        (_, None, Some(marker)) => {
            cx.error_spanned_by(marker, "`#[pymodule_init]` goes on a function")
        }
        (Item::Fn(item), None, None)
            if has_attr(&item.attrs, "pyfunction") || has_attr(&item.attrs, "pymodule") =>
        {
            exports.push(item.sig.ident.clone())
        }
        (Item::Struct(item), None, None) if has_attr(&item.attrs, "pyclass") => {
            exports.push(item.ident.clone())
        }
        (Item::Enum(item), None, None) if has_attr(&item.attrs, "pyclass") => {
            exports.push(item.ident.clone())
        }
        (Item::Mod(item), None, None) => {
            if let Some(attr) = item.attrs.iter_mut().find(|a| is_attr(a, "pymodule")) {
                mark_submodule(cx, attr);
                exports.push(item.ident.clone());
            }
        }
        _ => {}
    }
}

/// The names a `use` brings in; globs are errors.
fn use_names(cx: &Ctxt, tree: &UseTree, names: &mut Vec<Ident>) {
    match tree {
        UseTree::Path(path) => use_names(cx, &path.tree, names),
        UseTree::Name(name) => names.push(name.ident.clone()),
        UseTree::Rename(rename) => names.push(rename.rename.clone()),
        UseTree::Group(group) => {
            for tree in &group.items {
                use_names(cx, tree, names);
            }
        }
        UseTree::Glob(glob) => cx.error_spanned_by(
            glob,
            "`#[pymodule_export]` cannot export a glob; name each item",
        ),
    }
}

/// Adds the `submodule` option to a nested `#[pymodule]`: it gets no
/// `PyInit_` entry point of its own.
fn mark_submodule(cx: &Ctxt, attr: &mut syn::Attribute) {
    let path = attr.path().clone();
    let options = match &attr.meta {
        syn::Meta::Path(_) => quote!(submodule),
        syn::Meta::List(list) => {
            let tokens = &list.tokens;
            quote!(submodule, #tokens)
        }
        syn::Meta::NameValue(nv) => {
            cx.error_spanned_by(nv, "expected `#[pymodule]` or `#[pymodule(...)]`");
            return;
        }
    };
    *attr = syn::parse_quote!(#[#path(#options)]);
}

/// `concat!` of the doc attributes' values, so that
/// `#[doc = include_str!("..")]` works; literal lines lose the one leading
/// space rustdoc adds, as in [`crate::attrs::doc_text`].
pub fn doc_expr(attrs: &[syn::Attribute]) -> TokenStream {
    let parts: Vec<TokenStream> = attrs
        .iter()
        .filter(|attr| attr.path().is_ident("doc"))
        .filter_map(|attr| match &attr.meta {
            syn::Meta::NameValue(nv) => Some(match &nv.value {
                Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(text),
                    ..
                }) => {
                    let line = text.value();
                    let line = line.strip_prefix(' ').unwrap_or(&line).to_owned();
                    quote!(#line)
                }
                other => quote!(#other),
            }),
            _ => None,
        })
        .collect();
    let mut joined = Vec::new();
    for (index, part) in parts.into_iter().enumerate() {
        if index > 0 {
            joined.push(quote!("\n"));
        }
        joined.push(part);
    }
    quote!(::std::concat!(#(#joined,)* "\0"))
}
