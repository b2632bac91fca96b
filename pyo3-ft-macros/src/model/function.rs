//! The model of one wrapped Rust function: its Rust parameters and the
//! Python signature they map to. Shared by `#[pyfunction]` and methods.

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Expr, FnArg, Ident, Pat, Type};

use crate::attrs::{doc_text, take_py_attrs, AttrOption};
use crate::ctxt::Ctxt;
use crate::model::signature::{SignatureItem, SignatureSpec};

/// How the function receives `self`.
#[derive(Clone)]
pub enum Receiver {
    /// No `self`: a function, static method or constructor.
    None,
    /// `&self`.
    Shared(Span),
    /// `&mut self`.
    Exclusive(Span),
    /// `slf: PyRef<'_, Self>`, `PyRefMut<'_, Self>`, `Bound<'_, Self>` or
    /// `&Bound<'_, Self>`: a first parameter named `slf`, or of one of
    /// those types under any name.
    Typed(Box<Type>),
    /// `self` by value or another form we do not support.
    Unsupported(Span),
}

/// What a Rust parameter receives.
#[derive(Clone, PartialEq, Eq)]
pub enum ParamKind {
    /// `py: Python<'py>`.
    Python,
    /// A Python argument, stored in slot `usize` of the parsed arguments.
    Arg(usize),
    /// `*args`.
    Varargs,
    /// `**kwargs`.
    Varkwargs,
    /// The class, for `#[classmethod]` (`cls: &Bound<'_, PyType>`).
    Cls,
    /// Not yet mapped (an error is reported).
    Unmapped,
}

/// One Rust parameter.
pub struct RustParam {
    pub ident: Ident,
    pub ty: Type,
    pub kind: ParamKind,
    /// `#[pyo3(from_py_with = path)]`: converts the argument instead of
    /// `FromPyObject`.
    pub from_py_with: Option<Expr>,
}

/// One Python parameter.
pub struct SigParam {
    pub name: Ident,
    pub default: Option<Expr>,
}

/// The Python signature.
#[derive(Default)]
pub struct Signature {
    /// Parameters that may be passed by position.
    pub positional: Vec<SigParam>,
    /// How many of them are positional-only.
    pub positional_only: usize,
    /// Parameters that must be passed by keyword.
    pub keyword_only: Vec<SigParam>,
    pub varargs: Option<Ident>,
    pub varkwargs: Option<Ident>,
}

impl Signature {
    /// Number of parsed-argument slots.
    pub fn slots(&self) -> usize {
        self.positional.len() + self.keyword_only.len()
    }

    /// The parameter in slot `index`.
    pub fn slot(&self, index: usize) -> &SigParam {
        self.positional
            .get(index)
            .unwrap_or_else(|| &self.keyword_only[index - self.positional.len()])
    }

    /// How many positional parameters have no default.
    pub fn required_positional(&self) -> usize {
        self.positional
            .iter()
            .take_while(|p| p.default.is_none())
            .count()
    }
}

/// A wrapped function.
pub struct FnModel {
    pub rust_name: Ident,
    pub python_name: String,
    pub doc: String,
    /// `text_signature = "(...)"` (`Some(None)`: `text_signature = None`,
    /// no signature at all); `None` derives it from the signature.
    pub text_signature: Option<Option<String>>,
    pub receiver: Receiver,
    pub params: Vec<RustParam>,
    pub signature: Signature,
    /// The Rust return type, for the type stub.
    pub output: syn::ReturnType,
    /// `async fn`: Python gets an awaitable of the result.
    pub is_async: bool,
}

/// Options of `#[pyfunction(...)]` / `#[pyo3(...)]` on a function.
#[derive(Default)]
pub struct FnOptions {
    pub name: Option<syn::LitStr>,
    pub signature: Option<SignatureSpec>,
    pub text_signature: Option<Option<syn::LitStr>>,
}

/// What we say about a PyO3 option of functions that pyo3-ft does not
/// take, or `None` for a word PyO3 does not know either.
fn unsupported_fn_option(key: &str) -> Option<&'static str> {
    Some(match key {
        "pass_module" => "`pass_module` is not supported: take the module you need as an argument, or look it up with `PyModule::import`",
        "crate" => "`crate = \"...\"` is not needed: the generated code names `::pyo3_ft` itself, so a renamed dependency must keep the name `pyo3_ft`",
        "warn" => "`warn(...)` is not supported: raise the warning in the function body with `PyErr::warn`",
        "get" | "set" => "`get` and `set` go on fields of a `#[pyclass]` struct; a method becomes a property with `#[getter]` / `#[setter]`",
        "from_py_with" => "`from_py_with` goes on a parameter: `#[pyo3(from_py_with = path)] value: T`",
        _ => return None,
    })
}

impl FnOptions {
    /// Takes the function options out of `options`, reporting unknown ones
    /// unless `other` accepts them.
    pub fn from_options(
        cx: &Ctxt,
        options: Vec<AttrOption>,
        mut other: impl FnMut(&AttrOption) -> bool,
    ) -> Self {
        let mut parsed = FnOptions::default();
        for option in options {
            match option {
                AttrOption::Str(key, value) if key == "name" => parsed.name = Some(value),
                AttrOption::Signature(_, spec) => parsed.signature = Some(spec),
                AttrOption::Str(key, value) if key == "text_signature" => {
                    parsed.text_signature = Some(Some(value))
                }
                AttrOption::Expr(key, Expr::Path(path))
                    if key == "text_signature" && path.path.is_ident("None") =>
                {
                    parsed.text_signature = Some(None)
                }
                option if other(&option) => {}
                option => {
                    let key = option.key();
                    match unsupported_fn_option(&key.to_string()) {
                        Some(message) => cx.error_spanned_by(key, message),
                        None => cx.error_spanned_by(
                            key,
                            format!(
                                "unknown option `{key}`; expected `name = \"...\"`, `signature = (...)` or `text_signature = \"(...)\"`"
                            ),
                        ),
                    }
                }
            }
        }
        parsed
    }
}

/// Options of `#[pyo3(...)]` on one parameter.
fn param_options(cx: &Ctxt, attrs: &mut Vec<syn::Attribute>) -> Option<Expr> {
    let options = take_py_attrs(attrs).unwrap_or_else(|err| {
        cx.syn_error(err);
        Vec::new()
    });
    let mut from_py_with = None;
    for option in options {
        match option {
            AttrOption::Expr(key, path) if key == "from_py_with" => from_py_with = Some(path),
            AttrOption::Str(key, value) if key == "from_py_with" => cx.error_spanned_by(
                value,
                "write the function as a path: `from_py_with = my_module::extract`",
            ),
            option => {
                let key = option.key();
                let message = match key.to_string().as_str() {
                    "default" => "a parameter's default goes in the function's `signature = (name = value)`".to_owned(),
                    "cancel_handle" => "`cancel_handle` is not supported: `async fn` cannot be called from Python yet".to_owned(),
                    _ => format!("unknown parameter option `{key}`; expected `from_py_with = path`"),
                };
                cx.error_spanned_by(key, message);
            }
        }
    }
    from_py_with
}

/// `true` for a type whose last path segment is `name`.
pub fn is_type_named(ty: &Type, name: &str) -> bool {
    match ty {
        Type::Path(path) => path.path.segments.last().is_some_and(|s| s.ident == name),
        Type::Reference(reference) => is_type_named(&reference.elem, name),
        _ => false,
    }
}

/// A typed receiver as PyO3 spells it: `PyRef<'_, Self>`,
/// `PyRefMut<'_, Self>`, `Bound<'_, Self>`, `&Bound<'_, Self>` or
/// `Py<Self>`, with
/// `Self` or the class's own name.
fn is_receiver_type(ty: &Type, class: &str) -> bool {
    let ty = match ty {
        Type::Reference(reference) => &*reference.elem,
        ty => ty,
    };
    let Type::Path(path) = ty else {
        return false;
    };
    let Some(last) = path.path.segments.last() else {
        return false;
    };
    if !["PyRef", "PyRefMut", "Bound", "Py"]
        .iter()
        .any(|n| last.ident == n)
    {
        return false;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return false;
    };
    args.args.iter().any(|arg| match arg {
        syn::GenericArgument::Type(Type::Path(inner)) => inner
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "Self" || s.ident == class),
        _ => false,
    })
}

impl FnModel {
    /// Builds the model from a Rust signature, taking the `#[pyo3(...)]`
    /// attributes off its parameters; problems go to `cx`. `class` is the
    /// class of a method that takes `self`, whose first parameter may then
    /// be a typed receiver under any name.
    pub fn new(
        cx: &Ctxt,
        sig: &mut syn::Signature,
        attrs: &[syn::Attribute],
        options: FnOptions,
        class: Option<&str>,
    ) -> Self {
        let mut receiver = Receiver::None;
        let mut params = Vec::new();
        for input in &mut sig.inputs {
            let from_py_with = match input {
                FnArg::Typed(typed) => param_options(cx, &mut typed.attrs),
                FnArg::Receiver(_) => None,
            };
            match &*input {
                FnArg::Receiver(r) if r.reference.is_some() && r.mutability.is_some() => {
                    receiver = Receiver::Exclusive(r.span())
                }
                FnArg::Receiver(r) if r.reference.is_some() => {
                    receiver = Receiver::Shared(r.span())
                }
                FnArg::Receiver(r) => receiver = Receiver::Unsupported(r.span()),
                FnArg::Typed(typed) => match &*typed.pat {
                    Pat::Ident(pat)
                        if (pat.ident == "slf"
                            || class.is_some_and(|c| is_receiver_type(&typed.ty, c)))
                            && params.is_empty()
                            && matches!(receiver, Receiver::None) =>
                    {
                        receiver = Receiver::Typed(typed.ty.clone());
                    }
                    Pat::Ident(pat) => params.push(RustParam {
                        ident: pat.ident.clone(),
                        ty: (*typed.ty).clone(),
                        kind: if is_type_named(&typed.ty, "Python") {
                            ParamKind::Python
                        } else {
                            ParamKind::Unmapped
                        },
                        from_py_with,
                    }),
                    other => cx.error_spanned_by(
                        other,
                        "use a plain identifier for parameters of Python-callable functions",
                    ),
                },
            }
        }
        let python_name = options
            .name
            .as_ref()
            .map_or_else(|| sig.ident.unraw().to_string(), syn::LitStr::value);
        let mut model = FnModel {
            rust_name: sig.ident.clone(),
            python_name,
            doc: doc_text(attrs),
            text_signature: options
                .text_signature
                .map(|text| text.as_ref().map(syn::LitStr::value)),
            receiver,
            params,
            signature: Signature::default(),
            output: sig.output.clone(),
            is_async: sig.asyncness.is_some(),
        };
        match options.signature {
            Some(spec) => model.apply_signature(cx, spec),
            None => model.infer_signature(),
        }
        model
    }

    /// No `signature = ...`: every argument is positional-or-keyword, and
    /// trailing `Option<T>` arguments default to `None`.
    fn infer_signature(&mut self) {
        let args: Vec<usize> = (0..self.params.len())
            .filter(|&i| self.params[i].kind == ParamKind::Unmapped)
            .collect();
        let optional_from = args
            .iter()
            .rposition(|&i| !is_type_named(&self.params[i].ty, "Option"))
            .map_or(0, |last_required| last_required + 1);
        for (position, &index) in args.iter().enumerate() {
            let param = &mut self.params[index];
            param.kind = ParamKind::Arg(position);
            let default = (position >= optional_from).then(|| syn::parse_quote!(None));
            self.signature.positional.push(SigParam {
                name: param.ident.clone(),
                default,
            });
        }
    }

    /// Maps each item of `signature = (...)` onto a Rust parameter.
    fn apply_signature(&mut self, cx: &Ctxt, spec: SignatureSpec) {
        let mut keyword_only = false;
        for item in spec.items {
            match item {
                SignatureItem::Param { name, default } => {
                    let sig = SigParam { name, default };
                    if keyword_only {
                        self.signature.keyword_only.push(sig);
                    } else {
                        self.signature.positional.push(sig);
                    }
                }
                SignatureItem::PositionalOnlyEnd(slash) => {
                    if keyword_only || self.signature.positional_only > 0 {
                        cx.error_spanned_by(
                            slash,
                            "`/` must come once, before `*`, `*args` and keyword-only parameters",
                        );
                    }
                    self.signature.positional_only = self.signature.positional.len();
                }
                SignatureItem::KeywordOnlyStart(star) => {
                    if keyword_only {
                        cx.error_spanned_by(
                            star,
                            "`*` may only appear once, and not after `*args`",
                        );
                    }
                    keyword_only = true;
                }
                SignatureItem::Varargs(name) => {
                    if keyword_only {
                        cx.error_spanned_by(
                            &name,
                            "`*args` must come before keyword-only parameters and at most once",
                        );
                    }
                    keyword_only = true;
                    self.map_special(cx, &name, ParamKind::Varargs);
                    self.signature.varargs = Some(name);
                }
                SignatureItem::Varkwargs(name) => {
                    self.map_special(cx, &name, ParamKind::Varkwargs);
                    self.signature.varkwargs = Some(name);
                }
            }
        }
        for (slot, name) in
            (0..self.signature.slots()).map(|i| (i, self.signature.slot(i).name.clone()))
        {
            match self.params.iter_mut().find(|p| p.ident == name) {
                Some(param) if param.kind == ParamKind::Unmapped => {
                    param.kind = ParamKind::Arg(slot)
                }
                Some(_) => cx.error_spanned_by(
                    &name,
                    format!("parameter `{name}` appears twice in the signature"),
                ),
                None => cx.error_spanned_by(
                    &name,
                    format!(
                        "the signature names `{name}`, which is not a parameter of `fn {}`",
                        self.rust_name
                    ),
                ),
            }
        }
        for param in self.params.iter().filter(|p| p.kind == ParamKind::Unmapped) {
            cx.error_spanned_by(
                &param.ident,
                format!("parameter `{}` is missing from the signature", param.ident),
            );
        }
    }

    fn map_special(&mut self, cx: &Ctxt, name: &Ident, kind: ParamKind) {
        match self.params.iter_mut().find(|p| p.ident == *name) {
            Some(param) => param.kind = kind,
            None => cx.error_spanned_by(
                name,
                format!(
                    "the signature names `{name}`, which is not a parameter of `fn {}`",
                    self.rust_name
                ),
            ),
        }
    }
}
