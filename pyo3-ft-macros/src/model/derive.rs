//! The model of a `#[derive(FromPyObject)]` / `#[derive(IntoPyObject)]`
//! input: a struct or enum, the shape of each variant, and where each named
//! field lives on the Python side. Building it checks every `#[pyo3_ft(...)]`
//! option and the shape rules; violations go to the [`Ctxt`].
//!
//! Options, and where they go:
//!
//! | option | on |
//! |---|---|
//! | `item` | a struct with named fields, an enum, an enum variant, a named field |
//! | `item = "key"` | a named field |
//! | `attribute`, `attribute = "name"` | a named field |
//! | `default`, `default = expr` | a named field |
//! | `annotation = "text"` | an enum variant |

use std::fmt;

use syn::ext::IdentExt;
use syn::{
    Attribute, Data, DeriveInput, Expr, Fields, GenericParam, Generics, Ident, LitStr, Type,
};

use crate::attrs::{AttrOption, AttrOptions};
use crate::ctxt::Ctxt;

/// Which derive is running: the rules differ slightly.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum DeriveKind {
    /// Python → Rust.
    FromPyObject,
    /// Rust → Python.
    IntoPyObject,
}

impl fmt::Display for DeriveKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DeriveKind::FromPyObject => "FromPyObject",
            DeriveKind::IntoPyObject => "IntoPyObject",
        })
    }
}

/// A derive input.
pub struct DeriveModel {
    /// The type's name.
    pub ident: Ident,
    /// The type's generics, as declared.
    pub generics: Generics,
    pub body: Body,
}

/// A struct's single shape, or an enum's variants.
pub enum Body {
    Struct(Shape),
    Enum(Vec<Variant>),
}

/// One enum variant.
pub struct Variant {
    pub ident: Ident,
    /// How the variant is described in the error of a failed extraction.
    pub annotation: String,
    pub shape: Shape,
}

/// The fields of a struct or variant.
pub enum Shape {
    /// `{ a: A, b: B }`: a Python object's attributes or a mapping's items.
    Named(Vec<NamedField>),
    /// `(A, B, ...)` with two or more fields: a Python tuple.
    Tuple(Vec<Type>),
    /// `(A)`: transparent, the Python object is the field's.
    Newtype(Type),
    /// A unit variant: the Python `str` of its name, given here.
    Unit(String),
}

/// One named field.
pub struct NamedField {
    pub ident: Ident,
    pub ty: Type,
    pub source: Source,
    /// The attribute name or item key.
    pub python_name: String,
    /// What to use when the attribute or key is missing.
    pub default: Option<FieldDefault>,
}

/// Where a named field is read from.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `getattr(obj, name)`.
    Attribute,
    /// `obj[key]`.
    Item,
}

/// `default` (the type's `Default`) or `default = expr`.
pub enum FieldDefault {
    Trait,
    Expr(Expr),
}

/// One `#[pyo3_ft(...)]` option, with its value checked for form.
enum DeriveOption {
    Attribute(Ident, Option<LitStr>),
    Item(Ident, Option<LitStr>),
    Default(Ident, Option<Expr>),
    Annotation(Ident, LitStr),
}

impl DeriveOption {
    fn key(&self) -> &Ident {
        match self {
            DeriveOption::Attribute(key, _)
            | DeriveOption::Item(key, _)
            | DeriveOption::Default(key, _)
            | DeriveOption::Annotation(key, _) => key,
        }
    }

    /// Where the option may go, for the message about a misplaced one.
    fn home(&self) -> &'static str {
        match self {
            DeriveOption::Attribute(..) | DeriveOption::Default(..) => "a named field",
            DeriveOption::Item(_, Some(_)) => "a named field (on a struct, write `item`)",
            DeriveOption::Item(_, None) => {
                "a named field, a struct with named fields, an enum or an enum variant"
            }
            DeriveOption::Annotation(..) => "an enum variant",
        }
    }
}

/// The options of every `#[pyo3_ft(...)]` attribute in `attrs`, parsed and
/// checked for form; duplicates are reported.
fn options(cx: &Ctxt, attrs: &[Attribute]) -> Vec<DeriveOption> {
    let mut parsed: Vec<DeriveOption> = Vec::new();
    for attr in attrs.iter().filter(|attr| attr.path().is_ident("pyo3_ft")) {
        let options = match attr.parse_args::<AttrOptions>() {
            Ok(options) => options.0,
            Err(err) => {
                cx.syn_error(err);
                continue;
            }
        };
        for option in options.into_iter().filter_map(|o| typed_option(cx, o)) {
            if parsed.iter().any(|seen| seen.key() == option.key()) {
                cx.error_spanned_by(option.key(), format!("duplicate option `{}`", option.key()));
            } else {
                parsed.push(option);
            }
        }
    }
    parsed
}

/// Checks the form of one option's value.
fn typed_option(cx: &Ctxt, option: AttrOption) -> Option<DeriveOption> {
    let key = option.key().to_string();
    let typed = match (key.as_str(), option) {
        ("attribute", AttrOption::Flag(k)) => DeriveOption::Attribute(k, None),
        ("attribute", AttrOption::Str(k, name)) => DeriveOption::Attribute(k, Some(name)),
        ("item", AttrOption::Flag(k)) => DeriveOption::Item(k, None),
        ("item", AttrOption::Str(k, name)) => DeriveOption::Item(k, Some(name)),
        ("default", AttrOption::Flag(k)) => DeriveOption::Default(k, None),
        ("default", AttrOption::Expr(k, expr)) => DeriveOption::Default(k, Some(expr)),
        ("default", AttrOption::Str(k, text)) => {
            DeriveOption::Default(k, Some(syn::parse_quote!(#text)))
        }
        ("annotation", AttrOption::Str(k, text)) => DeriveOption::Annotation(k, text),
        (known @ ("attribute" | "item" | "annotation"), other) => {
            let form = match known {
                "annotation" => "`annotation = \"text\"`",
                "item" => "`item` or `item = \"key\"`",
                _ => "`attribute` or `attribute = \"name\"`",
            };
            cx.error_spanned_by(other.key(), format!("expected {form}"));
            return None;
        }
        (_, other) => {
            cx.error_spanned_by(
                other.key(),
                format!(
                    "unknown `pyo3_ft` option `{key}`; expected `attribute`, `item`, `default` or `annotation`"
                ),
            );
            return None;
        }
    };
    Some(typed)
}

/// Reports an option that does not belong on `place`.
fn misplaced(cx: &Ctxt, option: &DeriveOption, place: &str) {
    cx.error_spanned_by(
        option.key(),
        format!(
            "`{}` does not apply to {place}; it goes on {}",
            option.key(),
            option.home()
        ),
    );
}

/// Reads the `item` flag of a struct, enum or variant; other options are
/// misplaced there. `annotation` is returned for variants.
fn container_options(
    cx: &Ctxt,
    attrs: &[Attribute],
    place: &str,
    named: bool,
    variant: bool,
) -> (bool, Option<String>) {
    let mut item = false;
    let mut annotation = None;
    for option in options(cx, attrs) {
        match option {
            DeriveOption::Item(_, None) if named => item = true,
            DeriveOption::Annotation(_, text) if variant => annotation = Some(text.value()),
            other => misplaced(cx, &other, place),
        }
    }
    (item, annotation)
}

impl DeriveModel {
    /// Builds the model; `None` (with the error reported) for a union.
    pub fn new(cx: &Ctxt, input: &DeriveInput, kind: DeriveKind) -> Option<Self> {
        let body = match &input.data {
            Data::Struct(data) => {
                let named = matches!(data.fields, Fields::Named(_));
                let place = shape_name(&data.fields, "struct");
                let (item, _) = container_options(cx, &input.attrs, &place, named, false);
                if data.fields.is_empty() {
                    cx.error_spanned_by(
                        &input.ident,
                        format!("cannot derive `{kind}` for a struct with no fields; there is nothing to convert"),
                    );
                }
                Body::Struct(Shape::new(cx, &data.fields, item, kind, &input.ident))
            }
            Data::Enum(data) => {
                let (item, _) = container_options(cx, &input.attrs, "an enum", true, false);
                if data.variants.is_empty() && kind == DeriveKind::FromPyObject {
                    cx.error_spanned_by(
                        &input.ident,
                        "cannot derive `FromPyObject` for an enum with no variants: no value could be extracted",
                    );
                }
                Body::Enum(
                    data.variants
                        .iter()
                        .map(|v| Variant::new(cx, v, item, kind))
                        .collect(),
                )
            }
            Data::Union(data) => {
                cx.error_spanned_by(
                    data.union_token,
                    format!("cannot derive `{kind}` for a union; use a struct or an enum"),
                );
                return None;
            }
        };
        if kind == DeriveKind::FromPyObject {
            check_lifetimes(cx, &input.generics);
        }
        Some(DeriveModel {
            ident: input.ident.clone(),
            generics: input.generics.clone(),
            body,
        })
    }

    /// The user's lifetime that extraction borrows for: the one lifetime
    /// parameter that is not `'py`, if there is one.
    pub fn borrow_lifetime(&self) -> Option<&syn::Lifetime> {
        self.generics
            .lifetimes()
            .map(|param| &param.lifetime)
            .find(|lifetime| lifetime.ident != "py")
    }
}

/// `FromPyObject` borrows for one lifetime: besides `'py`, at most one
/// lifetime parameter can be it.
fn check_lifetimes(cx: &Ctxt, generics: &Generics) {
    let others = generics
        .params
        .iter()
        .filter(|param| matches!(param, GenericParam::Lifetime(l) if l.lifetime.ident != "py"));
    for extra in others.skip(1) {
        cx.error_spanned_by(
            extra,
            "`FromPyObject` can be derived with at most one lifetime besides `'py`: the one the extracted value borrows for",
        );
    }
}

impl Variant {
    fn new(cx: &Ctxt, variant: &syn::Variant, enum_item: bool, kind: DeriveKind) -> Self {
        let named = matches!(variant.fields, Fields::Named(_));
        let place = shape_name(&variant.fields, "variant");
        let (item, annotation) = container_options(cx, &variant.attrs, &place, named, true);
        if matches!(variant.fields, Fields::Named(_) | Fields::Unnamed(_))
            && variant.fields.is_empty()
        {
            cx.error_spanned_by(
                &variant.ident,
                format!("cannot derive `{kind}` for a variant with empty braces or parentheses; write a unit variant"),
            );
        }
        let shape = Shape::new(cx, &variant.fields, enum_item || item, kind, &variant.ident);
        let default_annotation = match &shape {
            Shape::Unit(name) => format!("\"{name}\""),
            _ => variant.ident.unraw().to_string(),
        };
        Variant {
            ident: variant.ident.clone(),
            annotation: annotation.unwrap_or(default_annotation),
            shape,
        }
    }
}

impl Shape {
    /// `item`: named fields are read as items unless a field says otherwise.
    /// `ident` names the struct or variant.
    fn new(cx: &Ctxt, fields: &Fields, item: bool, kind: DeriveKind, ident: &Ident) -> Self {
        match fields {
            Fields::Named(named) => Shape::Named(
                named
                    .named
                    .iter()
                    .map(|field| NamedField::new(cx, field, item, kind))
                    .collect(),
            ),
            Fields::Unnamed(unnamed) => {
                for field in &unnamed.unnamed {
                    for option in options(cx, &field.attrs) {
                        misplaced(cx, &option, "a tuple field");
                    }
                }
                let mut types: Vec<Type> = unnamed.unnamed.iter().map(|f| f.ty.clone()).collect();
                match types.len() {
                    1 => Shape::Newtype(types.remove(0)),
                    _ => Shape::Tuple(types),
                }
            }
            Fields::Unit => Shape::Unit(ident.unraw().to_string()),
        }
    }
}

impl NamedField {
    fn new(cx: &Ctxt, field: &syn::Field, item: bool, kind: DeriveKind) -> Self {
        let ident = field.ident.clone().expect("named fields have names");
        let mut source = None;
        let mut default = None;
        for option in options(cx, &field.attrs) {
            match option {
                DeriveOption::Attribute(key, name) => {
                    set_source(cx, &mut source, Source::Attribute, &key, name)
                }
                DeriveOption::Item(key, name) => {
                    set_source(cx, &mut source, Source::Item, &key, name)
                }
                DeriveOption::Default(_, expr) => {
                    default = Some(expr.map_or(FieldDefault::Trait, FieldDefault::Expr))
                }
                other @ DeriveOption::Annotation(..) => misplaced(cx, &other, "a field"),
            }
        }
        if kind == DeriveKind::FromPyObject {
            check_owned(cx, &field.ty);
        }
        let inherited = if item {
            Source::Item
        } else {
            Source::Attribute
        };
        let (source, name) = source.unwrap_or((inherited, None));
        NamedField {
            python_name: name.map_or_else(|| ident.unraw().to_string(), |n| n.value()),
            ident,
            ty: field.ty.clone(),
            source,
            default,
        }
    }
}

/// Records a field's `attribute` or `item` option; a field takes one.
fn set_source(
    cx: &Ctxt,
    slot: &mut Option<(Source, Option<LitStr>)>,
    source: Source,
    key: &Ident,
    name: Option<LitStr>,
) {
    if slot.is_some() {
        cx.error_spanned_by(
            key,
            "a field is read either as an attribute or as an item, not both",
        );
    }
    *slot = Some((source, name));
}

/// A named field is extracted from a temporary (the attribute's or item's
/// value), so its type cannot borrow from the Python object.
fn check_owned(cx: &Ctxt, ty: &Type) {
    if matches!(ty, Type::Reference(_)) {
        cx.error_spanned_by(
            ty,
            "a field read from an attribute or item cannot borrow from it (the value is a temporary); use an owned type such as `String` or `Bound<'py, PyAny>`",
        );
    }
}

/// How errors name a struct or variant with these fields: `a tuple struct`.
fn shape_name(fields: &Fields, what: &str) -> String {
    match fields {
        Fields::Named(_) => format!("a {what}"),
        Fields::Unnamed(_) => format!("a tuple {what}"),
        Fields::Unit => format!("a unit {what}"),
    }
}
