//! [`TypeHint`]: the Python annotation of a Rust type, built in constants
//! and written out when a stub is rendered.

use std::collections::BTreeSet;

/// A Python type annotation, as constant data: what a Rust type accepts
/// as an argument ([`FromPyObject::INPUT_TYPE`](crate::FromPyObject::INPUT_TYPE))
/// or gives as a result ([`IntoPyObject::OUTPUT_TYPE`](crate::IntoPyObject::OUTPUT_TYPE)).
///
/// Only stub rendering reads it; calls never do.
///
/// ```
/// use pyo3_ft::stubs::TypeHint;
/// use pyo3_ft::{FromPyObject, IntoPyObject};
///
/// assert_eq!(<Vec<i64> as IntoPyObject>::OUTPUT_TYPE.to_string(), "list[int]");
/// assert_eq!(
///     <Vec<i64> as FromPyObject>::INPUT_TYPE.to_string(),
///     "collections.abc.Iterable[int]"
/// );
/// assert_eq!(<Option<String> as IntoPyObject>::OUTPUT_TYPE.to_string(), "str | None");
/// assert_eq!(TypeHint::ANY.to_string(), "typing.Any");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeHint {
    /// A type Python names as it is: `int`, `None`, `typing.Any`,
    /// `datetime.date`. The module of a dotted name is imported.
    Name(&'static str),
    /// A generic type and its arguments: `list[int]`, `dict[str, int]`.
    Subscript(&'static str, &'static [TypeHint]),
    /// Any one of the types: `int | None`.
    Union(&'static [TypeHint]),
    /// A `#[pyclass]`, by its Python name: the stub of the module that
    /// holds it names it, any other stub says `typing.Any`.
    Class(&'static str),
}

impl TypeHint {
    /// `typing.Any`: the type is unknown, or anything goes.
    pub const ANY: TypeHint = TypeHint::Name("typing.Any");

    /// `None`.
    pub const NONE: TypeHint = TypeHint::Name("None");

    /// `...`, as in `tuple[int, ...]`.
    pub const ELLIPSIS: TypeHint = TypeHint::Name("...");

    /// The annotation of the builtin type Python calls `name` (its
    /// `__name__`): generic ones get `typing.Any` arguments; a name that
    /// is not a builtin's gives `typing.Any`.
    pub const fn builtin(name: &str) -> TypeHint {
        const ANY1: &[TypeHint] = &[TypeHint::ANY];
        const ANY2: &[TypeHint] = &[TypeHint::ANY, TypeHint::ANY];
        const TABLE: &[(&str, TypeHint)] = &[
            ("bool", TypeHint::Name("bool")),
            ("bytearray", TypeHint::Name("bytearray")),
            ("bytes", TypeHint::Name("bytes")),
            ("complex", TypeHint::Name("complex")),
            ("float", TypeHint::Name("float")),
            ("int", TypeHint::Name("int")),
            ("memoryview", TypeHint::Name("memoryview")),
            (
                "slice",
                TypeHint::Subscript("slice", &[TypeHint::ANY, TypeHint::ANY, TypeHint::ANY]),
            ),
            ("str", TypeHint::Name("str")),
            ("NoneType", TypeHint::NONE),
            ("module", TypeHint::Name("types.ModuleType")),
            (
                "builtin_function_or_method",
                TypeHint::Name("types.BuiltinFunctionType"),
            ),
            (
                "iterator",
                TypeHint::Subscript("collections.abc.Iterator", ANY1),
            ),
            ("list", TypeHint::Subscript("list", ANY1)),
            ("set", TypeHint::Subscript("set", ANY1)),
            ("frozenset", TypeHint::Subscript("frozenset", ANY1)),
            ("type", TypeHint::Subscript("type", ANY1)),
            ("dict", TypeHint::Subscript("dict", ANY2)),
            (
                "tuple",
                TypeHint::Subscript("tuple", &[TypeHint::ANY, TypeHint::ELLIPSIS]),
            ),
        ];
        let mut index = 0;
        while index < TABLE.len() {
            if str_eq(TABLE[index].0, name) {
                return TABLE[index].1;
            }
            index += 1;
        }
        TypeHint::ANY
    }

    /// Writes the annotation; `classes` are the class names the stub
    /// defines, and the modules of dotted names go into `imports`.
    pub(crate) fn write(
        &self,
        classes: &BTreeSet<String>,
        imports: &mut BTreeSet<String>,
        out: &mut String,
    ) {
        match self {
            TypeHint::Name(name) => write_name(name, imports, out),
            TypeHint::Class(name) if classes.contains(*name) => out.push_str(name),
            TypeHint::Class(_) => TypeHint::ANY.write(classes, imports, out),
            TypeHint::Subscript(name, args) => {
                write_name(name, imports, out);
                out.push('[');
                for (index, arg) in args.iter().enumerate() {
                    if index > 0 {
                        out.push_str(", ");
                    }
                    arg.write(classes, imports, out);
                }
                out.push(']');
            }
            TypeHint::Union(_) => {
                let mut members: Vec<String> = Vec::new();
                self.union_members(classes, imports, &mut members);
                out.push_str(&members.join(" | "));
            }
        }
    }

    /// The members of a union, nested unions flattened, each once.
    fn union_members(
        &self,
        classes: &BTreeSet<String>,
        imports: &mut BTreeSet<String>,
        members: &mut Vec<String>,
    ) {
        match self {
            TypeHint::Union(types) => {
                for member in *types {
                    member.union_members(classes, imports, members);
                }
            }
            other => {
                let mut text = String::new();
                other.write(classes, imports, &mut text);
                if !members.contains(&text) {
                    members.push(text);
                }
            }
        }
    }
}

/// Renders as the stub of a module that defines no classes would.
impl std::fmt::Display for TypeHint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut out = String::new();
        self.write(&BTreeSet::new(), &mut BTreeSet::new(), &mut out);
        f.write_str(&out)
    }
}

/// `name`, importing its module if it is dotted (`typing.Any`).
fn write_name(name: &str, imports: &mut BTreeSet<String>, out: &mut String) {
    if let Some((module, _)) = name.rsplit_once('.') {
        if !module.is_empty() && module.split('.').all(is_identifier) {
            imports.insert(module.to_owned());
        }
    }
    out.push_str(name);
}

/// Whether `text` is a Python identifier (ASCII is enough for module names).
pub(crate) fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// `a == b`, usable in constants.
const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut index = 0;
    while index < a.len() {
        if a[index] != b[index] {
            return false;
        }
        index += 1;
    }
    true
}
