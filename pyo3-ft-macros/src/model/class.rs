//! The model of a `#[pyclass]` struct or C-like enum.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Fields, Ident, Item, Path, Type};

use crate::attrs::{doc_text, take_py_attrs, AttrOption};
use crate::ctxt::Ctxt;

/// The storage model chosen in the attribute.
#[derive(Clone, Copy)]
pub enum Storage {
    /// Default: `Send + Sync`, `&self` only.
    Frozen,
    /// `mutable`: behind a framework `RwLock`.
    Mutable,
    /// `unsendable`: pinned to its creating thread.
    Unsendable,
}

/// A field with `#[py(get)]` and/or `#[py(set)]`.
pub struct FieldModel {
    /// `self.<member>`: a name or a tuple index.
    pub member: syn::Member,
    pub ty: Type,
    pub python_name: String,
    pub get: Option<Span>,
    pub set: Option<Span>,
    pub doc: String,
}

/// What the class wraps.
pub enum ClassKind {
    /// A struct: its fields (all of them, for the `Send + Sync` check).
    Struct { field_types: Vec<Type> },
    /// A fieldless enum: its variants.
    Enum { variants: Vec<Ident> },
}

/// A `#[pyclass]`.
pub struct ClassModel {
    pub ident: Ident,
    pub python_name: String,
    pub module: Option<String>,
    pub doc: String,
    pub storage: Storage,
    pub subclass: bool,
    pub extends: Option<Path>,
    pub dict: bool,
    pub weakref: bool,
    pub eq: Option<Span>,
    pub ord: Option<Span>,
    pub hash: Option<Span>,
    pub fields: Vec<FieldModel>,
    pub kind: ClassKind,
    /// Where generics were declared, if any (an error).
    pub generics: Option<Span>,
}

impl ClassModel {
    /// Builds the model and strips `#[py(...)]` from the item's fields.
    pub fn new(cx: &Ctxt, item: &mut Item, options: Vec<AttrOption>) -> Option<Self> {
        let (ident, attrs, generics, kind, fields) = match item {
            Item::Struct(item) => {
                let fields = field_models(cx, &mut item.fields);
                let field_types = item.fields.iter().map(|f| f.ty.clone()).collect();
                (
                    item.ident.clone(),
                    item.attrs.clone(),
                    &item.generics,
                    ClassKind::Struct { field_types },
                    fields,
                )
            }
            Item::Enum(item) => {
                let variants = enum_variants(cx, item);
                (
                    item.ident.clone(),
                    item.attrs.clone(),
                    &item.generics,
                    ClassKind::Enum { variants },
                    Vec::new(),
                )
            }
            other => {
                cx.error_spanned_by(other, "`#[pyclass]` goes on a struct or a fieldless enum");
                return None;
            }
        };
        let generics = (!generics.params.is_empty()).then(|| generics.span());
        let mut model = ClassModel {
            python_name: ident.to_string(),
            ident,
            module: None,
            doc: doc_text(&attrs),
            storage: Storage::Frozen,
            subclass: false,
            extends: None,
            dict: false,
            weakref: false,
            eq: None,
            ord: None,
            hash: None,
            fields,
            kind,
            generics,
        };
        for option in options {
            model.apply_option(cx, option);
        }
        Some(model)
    }

    fn apply_option(&mut self, cx: &Ctxt, option: AttrOption) {
        let storage_conflict = |cx: &Ctxt, key: &Ident| {
            cx.error_spanned_by(
                key,
                "choose one storage model: `mutable` or `unsendable` (or neither, for the default)",
            )
        };
        match option {
            AttrOption::Flag(key) if key == "mutable" => match self.storage {
                Storage::Frozen => self.storage = Storage::Mutable,
                _ => storage_conflict(cx, &key),
            },
            AttrOption::Flag(key) if key == "unsendable" => match self.storage {
                Storage::Frozen => self.storage = Storage::Unsendable,
                _ => storage_conflict(cx, &key),
            },
            AttrOption::Flag(key) if key == "subclass" => self.subclass = true,
            AttrOption::Flag(key) if key == "dict" => self.dict = true,
            AttrOption::Flag(key) if key == "weakref" => self.weakref = true,
            AttrOption::Flag(key) if key == "eq" => self.eq = Some(key.span()),
            AttrOption::Flag(key) if key == "ord" => self.ord = Some(key.span()),
            AttrOption::Flag(key) if key == "hash" => self.hash = Some(key.span()),
            AttrOption::Str(key, value) if key == "name" => self.python_name = value.value(),
            AttrOption::Str(key, value) if key == "module" => self.module = Some(value.value()),
            AttrOption::Expr(key, syn::Expr::Path(path)) if key == "extends" => self.extends = Some(path.path),
            other => cx.error_spanned_by(
                other.key(),
                format!(
                    "unknown `#[pyclass]` option `{}`; expected one of: mutable, unsendable, subclass, \
                     dict, weakref, eq, ord, hash, name = \"...\", module = \"...\", extends = Base",
                    other.key()
                ),
            ),
        }
    }
}

/// The `#[py(get, set, name = "...")]` fields, with the attributes removed.
fn field_models(cx: &Ctxt, fields: &mut Fields) -> Vec<FieldModel> {
    let mut models = Vec::new();
    for (index, field) in fields.iter_mut().enumerate() {
        let options = match take_py_attrs(&mut field.attrs) {
            Ok(options) => options,
            Err(err) => {
                cx.syn_error(err);
                continue;
            }
        };
        if options.is_empty() {
            continue;
        }
        let member = match &field.ident {
            Some(ident) => syn::Member::Named(ident.clone()),
            None => syn::Member::Unnamed(index.into()),
        };
        let mut model = FieldModel {
            python_name: field
                .ident
                .as_ref()
                .map_or_else(|| format!("_{index}"), |i| i.to_string()),
            member,
            ty: field.ty.clone(),
            get: None,
            set: None,
            doc: doc_text(&field.attrs),
        };
        for option in options {
            match option {
                AttrOption::Flag(key) if key == "get" => model.get = Some(key.span()),
                AttrOption::Flag(key) if key == "set" => model.set = Some(key.span()),
                AttrOption::Str(key, name) if key == "name" => model.python_name = name.value(),
                other => cx.error_spanned_by(
                    other.key(),
                    format!(
                        "unknown field option `{}`; expected `get`, `set` or `name = \"...\"`",
                        other.key()
                    ),
                ),
            }
        }
        models.push(model);
    }
    models
}

/// The variants of a C-like enum; variants with fields are errors.
fn enum_variants(cx: &Ctxt, item: &syn::ItemEnum) -> Vec<Ident> {
    if item.variants.is_empty() {
        cx.error_spanned_by(
            &item.ident,
            "a `#[pyclass]` enum needs at least one variant",
        );
    }
    item.variants
        .iter()
        .filter_map(|variant| match variant.fields {
            Fields::Unit => Some(variant.ident.clone()),
            _ => {
                cx.error_spanned_by(
                    &variant.fields,
                    "`#[pyclass]` enums must be C-like: variants without fields",
                );
                None
            }
        })
        .collect()
}
