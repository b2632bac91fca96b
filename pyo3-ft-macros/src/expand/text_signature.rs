//! `__text_signature__`: the first docstring line CPython turns into
//! `inspect.signature()`, e.g. `greet(name, /, *, punctuation='!')`.

use syn::{Expr, Lit, UnOp};

use crate::model::function::{FnModel, SigParam, Signature};

/// Python source for a default, when it is a literal Python understands;
/// `...` otherwise (the value exists, but only Rust can spell it).
pub fn render_default(expr: &Expr) -> String {
    match expr {
        Expr::Lit(lit) => match &lit.lit {
            Lit::Str(s) => python_str_repr(&s.value()),
            Lit::Int(i) => i.base10_digits().to_owned(),
            Lit::Float(f) => f.base10_digits().to_owned(),
            Lit::Bool(b) => if b.value { "True" } else { "False" }.to_owned(),
            _ => "...".to_owned(),
        },
        Expr::Path(path) if path.path.is_ident("None") => "None".to_owned(),
        Expr::Unary(unary) if matches!(unary.op, UnOp::Neg(_)) => match render_default(&unary.expr)
        {
            inner if inner != "..." => format!("-{inner}"),
            _ => "...".to_owned(),
        },
        Expr::MethodCall(call)
            if call.args.is_empty()
                && ["to_owned", "to_string", "into"]
                    .contains(&call.method.to_string().as_str()) =>
        {
            render_default(&call.receiver)
        }
        _ => "...".to_owned(),
    }
}

/// `repr()` of a str, with single quotes as Python prefers.
fn python_str_repr(text: &str) -> String {
    let mut out = String::from("'");
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

fn param(p: &SigParam) -> String {
    match &p.default {
        Some(default) => format!("{}={}", p.name, render_default(default)),
        None => p.name.to_string(),
    }
}

/// The parameter list, with `first` (e.g. `$self`) in front.
pub fn parameters(signature: &Signature, first: Option<&str>) -> String {
    let mut parts: Vec<String> = first.map(str::to_owned).into_iter().collect();
    for (index, p) in signature.positional.iter().enumerate() {
        parts.push(param(p));
        if index + 1 == signature.positional_only {
            parts.push("/".to_owned());
        }
    }
    if first.is_some() && signature.positional_only == 0 && signature.positional.is_empty() {
        parts.push("/".to_owned());
    }
    match &signature.varargs {
        Some(name) => parts.push(format!("*{name}")),
        None if !signature.keyword_only.is_empty() => parts.push("*".to_owned()),
        None => {}
    }
    parts.extend(signature.keyword_only.iter().map(param));
    if let Some(name) = &signature.varkwargs {
        parts.push(format!("**{name}"));
    }
    parts.join(", ")
}

/// The docstring CPython expects: `name(params)\n--\n\n` then the text,
/// `params` derived from the signature (with `first`, e.g. `$self`, in
/// front) or given as `text_signature = "(...)"`; `text_signature = None`
/// leaves the text alone.
pub fn docstring(f: &FnModel, first: Option<&str>) -> String {
    let (name, doc) = (&f.python_name, &f.doc);
    match &f.text_signature {
        None => format!("{name}({})\n--\n\n{doc}", parameters(&f.signature, first)),
        Some(Some(text)) => format!("{name}{text}\n--\n\n{doc}"),
        Some(None) => doc.clone(),
    }
}
