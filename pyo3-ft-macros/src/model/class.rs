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

/// A field with `#[py(get)]` and/or `#[py(set)]` (or all fields, with
/// `get_all` / `set_all`).
pub struct FieldModel {
    /// `self.<member>`: a name or a tuple index.
    pub member: syn::Member,
    pub ty: Type,
    pub python_name: String,
    /// Whether `name = "..."` set the Python name (`rename_all` skips it).
    pub named: bool,
    pub get: Option<Span>,
    pub set: Option<Span>,
    pub doc: String,
}

/// What the class wraps.
pub enum ClassKind {
    /// A struct: its fields (all of them, for the `Send + Sync` check),
    /// and the names of its named fields (for `str = "..."`).
    Struct {
        field_types: Vec<Type>,
        field_names: Vec<Ident>,
    },
    /// An enum: C-like (every variant a unit), or complex (every variant
    /// has braces or parentheses, and each becomes a subclass).
    Enum {
        variants: Vec<VariantModel>,
        complex: bool,
    },
}

/// The fields of an enum variant.
pub enum VariantFields {
    /// `Red`: a C-like variant.
    Unit,
    /// `Circle { radius: f64 }` (possibly empty).
    Named(Vec<(Ident, Type)>),
    /// `Pair(i32, i32)` (possibly empty).
    Tuple(Vec<Type>),
}

/// One variant of a `#[pyclass]` enum.
pub struct VariantModel {
    pub ident: Ident,
    pub python_name: String,
    /// Whether `#[pyo3(name = "...")]` set the Python name.
    pub named: bool,
    pub fields: VariantFields,
}

/// `#[pyclass(str)]` (from `Display`) or `#[pyclass(str = "...")]` (a
/// format string over the fields).
pub enum StrOption {
    Display(Span),
    Format(syn::LitStr),
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
    /// `frozen`: PyO3's spelling of the default storage.
    pub frozen: Option<Span>,
    pub get_all: Option<Span>,
    pub set_all: Option<Span>,
    pub str: Option<StrOption>,
    pub rename_all: Option<RenameRule>,
    /// `sequence` / `mapping`: the type flags `match` statements read.
    pub sequence: bool,
    pub mapping: bool,
    /// `from_py_object`: `FromPyObject` by cloning the value.
    pub from_py_object: bool,
    /// `eq_int`: a C-like enum compares equal to its discriminant.
    pub eq_int: Option<Span>,
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
                let field_names = item.fields.iter().filter_map(|f| f.ident.clone()).collect();
                (
                    item.ident.clone(),
                    item.attrs.clone(),
                    &item.generics,
                    ClassKind::Struct {
                        field_types,
                        field_names,
                    },
                    fields,
                )
            }
            Item::Enum(item) => {
                let (variants, complex) = enum_variants(cx, item);
                (
                    item.ident.clone(),
                    item.attrs.clone(),
                    &item.generics,
                    ClassKind::Enum { variants, complex },
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
            frozen: None,
            get_all: None,
            set_all: None,
            str: None,
            rename_all: None,
            sequence: false,
            mapping: false,
            from_py_object: false,
            eq_int: None,
            kind,
            generics,
        };
        for option in options {
            model.apply_option(cx, option);
        }
        model.settle_fields(cx);
        Some(model)
    }

    fn apply_option(&mut self, cx: &Ctxt, option: AttrOption) {
        let storage_conflict = |cx: &Ctxt, key: &Ident| {
            cx.error_spanned_by(
                key,
                "choose one storage model: `mutable` or `unsendable` (or neither, for the default, which is PyO3's `frozen`)",
            )
        };
        match option {
            AttrOption::Flag(key) if key == "mutable" => match self.storage {
                Storage::Frozen if self.frozen.is_none() => self.storage = Storage::Mutable,
                _ => storage_conflict(cx, &key),
            },
            AttrOption::Flag(key) if key == "unsendable" => match self.storage {
                Storage::Frozen if self.frozen.is_none() => self.storage = Storage::Unsendable,
                _ => storage_conflict(cx, &key),
            },
            AttrOption::Flag(key) if key == "frozen" => match self.storage {
                Storage::Frozen => self.frozen = Some(key.span()),
                _ => storage_conflict(cx, &key),
            },
            AttrOption::Flag(key) if key == "get_all" => self.get_all = Some(key.span()),
            AttrOption::Flag(key) if key == "set_all" => self.set_all = Some(key.span()),
            AttrOption::Flag(key) if key == "str" => self.str = Some(StrOption::Display(key.span())),
            AttrOption::Str(key, format) if key == "str" => self.str = Some(StrOption::Format(format)),
            AttrOption::Str(key, rule) if key == "rename_all" => match RenameRule::parse(&rule.value()) {
                Some(rule) => self.rename_all = Some(rule),
                None => cx.error_spanned_by(
                    rule,
                    format!("unknown `rename_all` rule; expected one of: {}", RenameRule::NAMES.join(", ")),
                ),
            },
            AttrOption::Flag(key) if key == "sequence" => self.sequence = true,
            AttrOption::Flag(key) if key == "mapping" => self.mapping = true,
            AttrOption::Flag(key) if key == "from_py_object" => self.from_py_object = true,
            AttrOption::Flag(key) if key == "eq_int" => self.eq_int = Some(key.span()),
            AttrOption::Flag(key) if key == "skip_from_py_object" => {}
            // Type objects are always immutable.
            AttrOption::Flag(key) if key == "immutable_type" => {}
            AttrOption::Expr(key, _) if key == "freelist" => cx.error_spanned_by(
                &key,
                "`freelist` is not supported: a free list shared between threads needs a lock, \
                 and CPython's allocator already keeps per-thread free blocks",
            ),
            AttrOption::Str(key, _) if key == "crate" => cx.error_spanned_by(
                &key,
                "`crate = \"...\"` is not supported: generated code names `::pyo3_ft`",
            ),
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
                    "unknown `#[pyclass]` option `{}`; expected one of: mutable, unsendable, frozen, subclass, \
                     dict, weakref, eq, ord, hash, str, get_all, set_all, sequence, mapping, from_py_object, \
                     name = \"...\", module = \"...\", rename_all = \"...\", str = \"...\", extends = Base",
                    other.key()
                ),
            ),
        }
    }

    /// Applies `get_all`, `set_all` and `rename_all` to the fields, then
    /// keeps those exposed to Python.
    fn settle_fields(&mut self, cx: &Ctxt) {
        if let (Some(span), ClassKind::Struct { .. }) = (self.get_all.or(self.set_all), &self.kind)
        {
            if self
                .fields
                .iter()
                .any(|f| matches!(f.member, syn::Member::Unnamed(_)))
            {
                cx.syn_error(syn::Error::new(
                    span,
                    "`get_all` and `set_all` need named fields; mark tuple fields with `#[pyo3(get)]`",
                ));
            }
        }
        for field in &mut self.fields {
            field.get = field.get.or(self.get_all);
            if !matches!(self.storage, Storage::Frozen) {
                // On a default class, `set_all` is an error (see `validate`).
                field.set = field.set.or(self.set_all);
            }
            if let (Some(rule), false) = (self.rename_all, field.named) {
                field.python_name = rule.apply(&field.python_name);
            }
        }
        self.fields.retain(|f| f.get.is_some() || f.set.is_some());
        if let (ClassKind::Enum { variants, .. }, Some(rule)) = (&mut self.kind, self.rename_all) {
            for variant in variants.iter_mut().filter(|v| !v.named) {
                variant.python_name = rule.apply(&variant.python_name);
            }
        }
    }
}

/// A `rename_all = "..."` rule, from a Rust `snake_case` name.
#[derive(Clone, Copy)]
pub enum RenameRule {
    CamelCase,
    KebabCase,
    Lowercase,
    PascalCase,
    ScreamingKebabCase,
    ScreamingSnakeCase,
    SnakeCase,
    Uppercase,
}

impl RenameRule {
    const NAMES: [&'static str; 8] = [
        "camelCase",
        "kebab-case",
        "lowercase",
        "PascalCase",
        "SCREAMING-KEBAB-CASE",
        "SCREAMING_SNAKE_CASE",
        "snake_case",
        "UPPERCASE",
    ];

    fn parse(name: &str) -> Option<Self> {
        use RenameRule::*;
        let rules = [
            CamelCase,
            KebabCase,
            Lowercase,
            PascalCase,
            ScreamingKebabCase,
            ScreamingSnakeCase,
            SnakeCase,
            Uppercase,
        ];
        Self::NAMES
            .iter()
            .position(|n| *n == name)
            .map(|i| rules[i])
    }

    /// `name` (`snake_case` or `PascalCase`) under this rule.
    pub fn apply(self, name: &str) -> String {
        let words = words(name);
        let capitalized = |w: &String| {
            let mut chars = w.chars();
            chars
                .next()
                .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
        };
        match self {
            RenameRule::CamelCase => words
                .iter()
                .enumerate()
                .map(|(i, w)| if i == 0 { w.clone() } else { capitalized(w) })
                .collect(),
            RenameRule::PascalCase => words.iter().map(capitalized).collect(),
            RenameRule::KebabCase => words.join("-"),
            RenameRule::SnakeCase => words.join("_"),
            RenameRule::ScreamingKebabCase => words.join("-").to_uppercase(),
            RenameRule::ScreamingSnakeCase => words.join("_").to_uppercase(),
            RenameRule::Lowercase => words.concat(),
            RenameRule::Uppercase => words.concat().to_uppercase(),
        }
    }
}

/// The lowercase words of a `snake_case` or `PascalCase` name.
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    for c in name.chars() {
        if (c == '_' || c.is_uppercase()) && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        if c != '_' {
            current.extend(c.to_lowercase());
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
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
        let member = match &field.ident {
            Some(ident) => syn::Member::Named(ident.clone()),
            None => syn::Member::Unnamed(index.into()),
        };
        let mut model = FieldModel {
            python_name: field
                .ident
                .as_ref()
                .map_or_else(|| format!("_{index}"), |i| i.to_string()),
            named: false,
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
                AttrOption::Str(key, name) if key == "name" => {
                    model.python_name = name.value();
                    model.named = true;
                }
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

/// The variants of an enum, with their `#[pyo3(name = "...")]` removed,
/// and whether the enum is complex. A complex enum writes every variant
/// with braces or parentheses (a bare unit variant among them is an error:
/// each variant is a class, constructed by calling it).
fn enum_variants(cx: &Ctxt, item: &mut syn::ItemEnum) -> (Vec<VariantModel>, bool) {
    if item.variants.is_empty() {
        cx.error_spanned_by(
            &item.ident,
            "a `#[pyclass]` enum needs at least one variant",
        );
    }
    let complex = item
        .variants
        .iter()
        .any(|v| !matches!(v.fields, Fields::Unit));
    let mut variants = Vec::new();
    for variant in item.variants.iter_mut() {
        let mut model = VariantModel {
            ident: variant.ident.clone(),
            python_name: variant.ident.to_string(),
            named: false,
            fields: match &variant.fields {
                Fields::Unit => VariantFields::Unit,
                Fields::Named(fields) => VariantFields::Named(
                    fields
                        .named
                        .iter()
                        .map(|f| (f.ident.clone().expect("named"), f.ty.clone()))
                        .collect(),
                ),
                Fields::Unnamed(fields) => {
                    VariantFields::Tuple(fields.unnamed.iter().map(|f| f.ty.clone()).collect())
                }
            },
        };
        if complex && matches!(model.fields, VariantFields::Unit) {
            cx.error_spanned_by(
                &variant.ident,
                format!(
                    "in an enum with data variants, write a unit variant as `{0} {{}}` or `{0}()`: \
                     each variant is a Python class, constructed by calling it",
                    variant.ident
                ),
            );
        }
        match take_py_attrs(&mut variant.attrs) {
            Ok(options) => {
                for option in options {
                    match option {
                        AttrOption::Str(key, name) if key == "name" => {
                            model.python_name = name.value();
                            model.named = true;
                        }
                        other => cx.error_spanned_by(
                            other.key(),
                            format!(
                                "unknown variant option `{}`; expected `name = \"...\"`",
                                other.key()
                            ),
                        ),
                    }
                }
            }
            Err(err) => cx.syn_error(err),
        }
        variants.push(model);
    }
    (variants, complex)
}
