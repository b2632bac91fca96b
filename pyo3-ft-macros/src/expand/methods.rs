//! `#[pymethods]` expansion: a `PyClassItems` table of methods, properties,
//! class attributes and type slots, registered with `inventory` as a
//! `MethodsBlock` of the class; `#[pyclass]` merges every block.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::{ItemImpl, Type};

use super::args::{bind_params, elide_lifetimes, extraction, Convention, Extraction};
use super::c_str;
use super::class::slot_def;
use super::function::fastcall_wrapper;
use super::operators::{binary_slot, in_place_slot, richcmp_slot, Operators};
use super::text_signature::{docstring, parameters};
use crate::model::function::{FnModel, ParamKind, Receiver};
use crate::model::methods::{Dunder, MethodModel, MethodRole, MethodsModel, POWER_SLOT};

/// `PyObject` pointer type, spelled once.
pub(super) fn obj() -> TokenStream {
    quote!(*mut ::pyo3_ft::runtime::ffi::PyObject)
}

/// Binds `self` for a method of `self_ty` called with `__slf`: code, and
/// the argument to pass as the receiver.
pub(super) fn receiver(
    method: &MethodModel,
    self_ty: &Type,
    qualname: &str,
) -> (TokenStream, Option<TokenStream>) {
    let this = quote! {
        // SAFETY: CPython passes an instance of this class as `self`.
        let __this = unsafe { ::pyo3_ft::impl_::pyclass::slf::<#self_ty>(py, __slf) };
    };
    match &method.function.receiver {
        // The future keeps the object, and reads the value of a default
        // class without a guard (which could not cross an `.await`).
        Receiver::Shared(_) if method.function.is_async => (
            quote!(#this let __slf_owned = ::pyo3_ft::impl_::coroutine::owned_slf(&__this);),
            Some(quote!(::pyo3_ft::Py::get(&__slf_owned))),
        ),
        Receiver::Shared(_) => (
            quote!(#this let __guard = ::pyo3_ft::impl_::pyclass::borrow_slf(&__this, #qualname)?;),
            Some(quote!(&*__guard)),
        ),
        // Spanned at `&mut self`, so a class without `mutable` gets its error there.
        Receiver::Exclusive(span) => (
            quote_spanned!(*span=> #this let mut __guard = ::pyo3_ft::impl_::pyclass::borrow_slf_mut(&__this, #qualname)?;),
            Some(quote!(&mut *__guard)),
        ),
        Receiver::Typed(ty) if matches!(**ty, Type::Reference(_)) => (this, Some(quote!(&*__this))),
        Receiver::Typed(ty) => {
            let ty = elide_lifetimes(ty);
            (
                quote!(#this let __slf_arg: #ty = ::pyo3_ft::impl_::pyclass::FromSlf::from_slf(&__this, #qualname)?;),
                Some(quote!(__slf_arg)),
            )
        }
        Receiver::None | Receiver::Unsupported(_) => (quote!(), None),
    }
}

/// `<Type>::method(receiver, args...)`.
pub(super) fn call(
    method: &MethodModel,
    self_ty: &Type,
    self_arg: Option<TokenStream>,
    args: Vec<TokenStream>,
) -> TokenStream {
    let ident = &method.function.rust_name;
    let args = self_arg.into_iter().chain(args);
    quote!(<#self_ty>::#ident(#(#args),*))
}

/// A slot function: C parameters, return type, body statements ending in
/// a `PyResult` of the C return value, and how to convert the result.
pub(super) fn slot_fn(
    name: &str,
    params: TokenStream,
    ret: TokenStream,
    body: TokenStream,
) -> TokenStream {
    let ident = format_ident!("__{}", name);
    quote!({
        unsafe extern "C" fn #ident(#params) -> #ret {
            // SAFETY: CPython calls type slots with an instance of the class.
            unsafe { ::pyo3_ft::impl_::trampoline(|py| { #body }) }
        }
        #ident
    })
}

/// `__slots` holding the given raw arguments, for `bind_params`.
fn slots_from(args: &[TokenStream]) -> TokenStream {
    let n = args.len();
    quote! {
        #[allow(unused_variables)]
        let __slots: [::std::option::Option<::pyo3_ft::Borrowed<'_, '_, ::pyo3_ft::types::PyAny>>; #n] =
            [#(::std::option::Option::Some(unsafe { ::pyo3_ft::Borrowed::from_ptr(py, #args) })),*];
        #[allow(unused_variables)]
        let __extras = ::pyo3_ft::impl_::args::Extras::none();
    }
}

/// Receiver, arguments from `raw_args`, the call; the result in `__result`.
fn slot_call(
    method: &MethodModel,
    self_ty: &Type,
    qualname: &str,
    raw_args: &[TokenStream],
) -> TokenStream {
    let (bind_self, self_arg) = receiver(method, self_ty, qualname);
    let slots = slots_from(raw_args);
    let (binds, args) = bind_params(&method.function);
    let call = call(method, self_ty, self_arg, args);
    quote! {
        #bind_self
        #slots
        #binds
        let __result = #call;
    }
}

/// The collected pieces of one `#[pymethods]` block.
#[derive(Default)]
struct Items {
    methods: Vec<TokenStream>,
    /// Each property: getter, setter and deleter (method indices), doc.
    getsets: BTreeMap<String, Property>,
    slots: Vec<TokenStream>,
    class_attrs: Vec<TokenStream>,
    new_signature: Option<String>,
    new_vectorcall: Option<TokenStream>,
    operators: Operators,
    setitem: Option<usize>,
    delitem: Option<usize>,
    getattribute: Option<usize>,
    getattr: Option<usize>,
    setattr: Option<usize>,
    delattr: Option<usize>,
    getbuffer: Option<usize>,
    releasebuffer: Option<usize>,
}

/// The methods of one property, by index.
#[derive(Default)]
struct Property {
    get: Option<usize>,
    set: Option<usize>,
    delete: Option<usize>,
}

fn method_def(method: &MethodModel, self_ty: &Type, class: &str) -> TokenStream {
    let f = &method.function;
    let qualname = format!("{class}.{}", f.python_name);
    let (binding, kind, first) = match method.role {
        MethodRole::ClassMethod => (
            // SAFETY: CPython passes the class as `self` of a class method.
            (
                quote!(let __cls = unsafe { ::pyo3_ft::impl_::pyclass::cls(py, __slf) };),
                None,
            ),
            quote!(Class),
            Some("$type"),
        ),
        MethodRole::StaticMethod => ((quote!(), None), quote!(Static), None),
        _ => (
            receiver(method, self_ty, &qualname),
            quote!(Instance),
            Some("$self"),
        ),
    };
    let ident = &f.rust_name;
    let wrapper = fastcall_wrapper(f, &qualname, quote!(<#self_ty>::#ident), binding);
    let name = c_str(&f.python_name);
    let doc = c_str(&docstring(f, first));
    quote! {
        ::pyo3_ft::pyclass::MethodDef {
            name: #name,
            meth: { #wrapper __wrap },
            kind: ::pyo3_ft::pyclass::MethodKind::#kind,
            doc: #doc,
        }
    }
}

/// `__cls` for a `#[new]` that is also a `#[classmethod]`: the class
/// being instantiated.
fn bind_cls(method: &MethodModel, ty: TokenStream) -> TokenStream {
    if !method
        .function
        .params
        .iter()
        .any(|p| p.kind == ParamKind::Cls)
    {
        return quote!();
    }
    quote! {
        // SAFETY: CPython passes the type being instantiated.
        let __cls = unsafe { ::pyo3_ft::impl_::pyclass::cls(py, #ty) };
    }
}

fn new_slot(method: &MethodModel, self_ty: &Type, class: &str) -> TokenStream {
    let f = &method.function;
    let Extraction { body, call_args } = extraction(f, class, Convention::TupleDict);
    let call = call(method, self_ty, None, call_args);
    let cls = bind_cls(method, quote!(__subtype.cast()));
    let o = obj();
    slot_def(
        "Py_tp_new",
        quote!(::pyo3_ft::runtime::ffi::newfunc),
        slot_fn(
            "new",
            quote!(__subtype: *mut ::pyo3_ft::runtime::ffi::PyTypeObject, __args: #o, __kwargs: #o),
            o.clone(),
            quote! {
                #cls
                #body
                let __result = #call;
                ::pyo3_ft::impl_::pyclass::new_object::<#self_ty>(py, __subtype, __result)
            },
        ),
    )
}

/// `#[new]` as the class's vectorcall function.
fn new_vectorcall(method: &MethodModel, self_ty: &Type, class: &str) -> TokenStream {
    let Extraction { body, call_args } = extraction(&method.function, class, Convention::Fastcall);
    let call = call(method, self_ty, None, call_args);
    let cls = bind_cls(method, quote!(__callable));
    let o = obj();
    slot_fn(
        "new_vectorcall",
        quote!(__callable: #o, __args: *const #o, __nargsf: usize, __kwnames: #o),
        o,
        quote! {
            let __nargs = ::pyo3_ft::runtime::ffi::PyVectorcall_NARGS(__nargsf);
            #cls
            #body
            let __result = #call;
            ::pyo3_ft::impl_::pyclass::new_object::<#self_ty>(py, __callable.cast(), __result)
        },
    )
}

fn getter(method: &MethodModel, self_ty: &Type, qualname: &str) -> TokenStream {
    let o = obj();
    let body = slot_call(method, self_ty, qualname, &[]);
    slot_fn(
        "get",
        quote!(__slf: #o, _closure: *mut ::std::ffi::c_void),
        o,
        quote!(#body ::pyo3_ft::impl_::IntoPyReturn::into_py_return(__result, py)),
    )
}

/// The setter of a property: `#[setter]` for a value, `#[deleter]` for
/// `del obj.name` (null); a missing half raises `AttributeError`.
fn setter(
    set: Option<&MethodModel>,
    delete: Option<&MethodModel>,
    self_ty: &Type,
    qualname: &str,
) -> TokenStream {
    let o = obj();
    let missing = |message: String| quote!(::std::result::Result::Err(::pyo3_ft::exceptions::PyAttributeError::new_err(#message)));
    let branch = |m: Option<&MethodModel>, raw: &[TokenStream], otherwise: String| match m {
        Some(m) => {
            let body = slot_call(m, self_ty, qualname, raw);
            quote!({ #body ::pyo3_ft::impl_::pyclass::IntoUnit::into_unit(__result) })
        }
        None => missing(otherwise),
    };
    let set_branch = branch(
        set,
        &[quote!(__value)],
        format!("attribute {qualname} is read-only"),
    );
    let delete_branch = branch(delete, &[], format!("cannot delete attribute {qualname}"));
    slot_fn(
        "set",
        quote!(__slf: #o, __value: #o, _closure: *mut ::std::ffi::c_void),
        quote!(::std::ffi::c_int),
        quote!(if __value.is_null() { #delete_branch } else { #set_branch }),
    )
}

fn class_attr(method: &MethodModel, self_ty: &Type, name: &str) -> TokenStream {
    let (binds, args) = bind_params(&method.function);
    let call = call(method, self_ty, None, args);
    class_attr_def(name, quote!(#binds let __result = #call;))
}

/// A `ClassAttrDef` whose value is `__result` after `body`.
fn class_attr_def(name: &str, body: TokenStream) -> TokenStream {
    quote! {
        ::pyo3_ft::pyclass::ClassAttrDef {
            name: #name,
            make: |ty| {
                let py = ty.py();
                #body
                let __object = ::pyo3_ft::impl_::IntoPyReturn::into_py_return(__result, py)?;
                // SAFETY: `into_py_return` returns an owned reference.
                ::std::result::Result::Ok(unsafe { ::pyo3_ft::Bound::from_owned_ptr(py, __object) })
            },
        }
    }
}

/// The C shape of a simple slot: its parameters, the raw arguments passed
/// to the Rust method, the C return type, and how `__result` converts.
struct Shape {
    c_type: TokenStream,
    params: TokenStream,
    raw: Vec<TokenStream>,
    ret: TokenStream,
    convert: TokenStream,
}

fn shape(dunder: Dunder) -> Option<Shape> {
    let o = obj();
    let ffi = quote!(::pyo3_ft::runtime::ffi);
    let int = quote!(::std::ffi::c_int);
    let unary = |convert: TokenStream, c_type: TokenStream, ret: TokenStream| Shape {
        c_type,
        params: quote!(__slf: #o),
        raw: vec![],
        ret,
        convert,
    };
    let into_object = quote!(::pyo3_ft::impl_::IntoPyReturn::into_py_return(__result, py));
    Some(match dunder {
        Dunder::Unary(_) => unary(into_object, quote!(#ffi::unaryfunc), o.clone()),
        Dunder::Next { optional } => unary(
            if optional {
                quote!(::pyo3_ft::impl_::pyclass::IntoIterNext::into_iter_next(
                    __result, py
                ))
            } else {
                into_object
            },
            quote!(#ffi::iternextfunc),
            o.clone(),
        ),
        Dunder::ANext { optional } => unary(
            if optional {
                quote!(::pyo3_ft::impl_::pyclass::IntoAsyncNext::into_async_next(
                    __result, py
                ))
            } else {
                into_object
            },
            quote!(#ffi::unaryfunc),
            o.clone(),
        ),
        Dunder::Hash => unary(
            quote!(::pyo3_ft::impl_::pyclass::IntoPyHash::into_py_hash(
                __result
            )),
            quote!(#ffi::hashfunc),
            quote!(#ffi::Py_hash_t),
        ),
        Dunder::Bool => unary(
            quote!(::pyo3_ft::impl_::pyclass::IntoPyBool::into_py_bool(
                __result
            )),
            quote!(#ffi::inquiry),
            int.clone(),
        ),
        Dunder::Clear => unary(
            quote!(::pyo3_ft::impl_::pyclass::IntoUnit::into_unit(__result)),
            quote!(#ffi::inquiry),
            int.clone(),
        ),
        Dunder::Len => unary(
            quote!(::pyo3_ft::impl_::pyclass::IntoPyLen::into_py_len(__result)),
            quote!(#ffi::lenfunc),
            quote!(#ffi::Py_ssize_t),
        ),
        Dunder::GetItem => Shape {
            c_type: quote!(#ffi::binaryfunc),
            params: quote!(__slf: #o, __arg: #o),
            raw: vec![quote!(__arg)],
            ret: o.clone(),
            convert: into_object,
        },
        Dunder::Contains => Shape {
            c_type: quote!(#ffi::objobjproc),
            params: quote!(__slf: #o, __arg: #o),
            raw: vec![quote!(__arg)],
            ret: int,
            convert: quote!(::pyo3_ft::impl_::pyclass::IntoPyBool::into_py_bool(
                __result
            )),
        },
        _ => return None,
    })
}

/// The slot names a simple dunder fills.
fn slot_names(dunder: Dunder) -> Vec<&'static str> {
    match dunder {
        Dunder::Unary(slot) => vec![slot],
        Dunder::Next { .. } => vec!["Py_tp_iternext"],
        Dunder::ANext { .. } => vec!["Py_am_anext"],
        Dunder::Hash => vec!["Py_tp_hash"],
        Dunder::Bool => vec!["Py_nb_bool"],
        Dunder::Clear => vec!["Py_tp_clear"],
        Dunder::Len => vec!["Py_mp_length", "Py_sq_length"],
        Dunder::GetItem => vec!["Py_mp_subscript"],
        Dunder::Contains => vec!["Py_sq_contains"],
        _ => vec![],
    }
}

fn simple_slot(
    method: &MethodModel,
    self_ty: &Type,
    qualname: &str,
    dunder: Dunder,
) -> Option<Vec<TokenStream>> {
    let Shape {
        c_type,
        params,
        raw,
        ret,
        convert,
    } = shape(dunder)?;
    let body = slot_call(method, self_ty, qualname, &raw);
    let func = slot_fn("slot", params, ret, quote!(#body #convert));
    Some(
        slot_names(dunder)
            .into_iter()
            .map(|slot| slot_def(slot, c_type.clone(), func.clone()))
            .collect(),
    )
}

/// `mp_ass_subscript` from `__setitem__` and/or `__delitem__`.
fn ass_subscript_slot(
    set: Option<&MethodModel>,
    del: Option<&MethodModel>,
    self_ty: &Type,
    class: &str,
) -> TokenStream {
    let unsupported = |what: &str| {
        let message = format!("'{class}' object does not support item {what}");
        quote!(::std::result::Result::Err(::pyo3_ft::exceptions::PyTypeError::new_err(#message)))
    };
    let branch = |m: Option<&MethodModel>, raw: &[TokenStream], what: &str| match m {
        Some(m) => {
            let body = slot_call(
                m,
                self_ty,
                &format!("{class}.{}", m.function.python_name),
                raw,
            );
            quote!({ #body ::pyo3_ft::impl_::pyclass::IntoUnit::into_unit(__result) })
        }
        None => unsupported(what),
    };
    let set_branch = branch(set, &[quote!(__key), quote!(__value)], "assignment");
    let del_branch = branch(del, &[quote!(__key)], "deletion");
    let o = obj();
    let func = slot_fn(
        "ass_subscript",
        quote!(__slf: #o, __key: #o, __value: #o),
        quote!(::std::ffi::c_int),
        quote!(if __value.is_null() #del_branch else #set_branch),
    );
    slot_def(
        "Py_mp_ass_subscript",
        quote!(::pyo3_ft::runtime::ffi::objobjargproc),
        func,
    )
}

/// `tp_call` from `__call__(self, ...)`, or `tp_init` from
/// `__init__(self, ...)`, with full argument parsing.
fn call_slot(method: &MethodModel, self_ty: &Type, class: &str, init: bool) -> TokenStream {
    let qualname = format!("{class}.{}", method.function.python_name);
    let (bind_self, self_arg) = receiver(method, self_ty, &qualname);
    let Extraction { body, call_args } =
        extraction(&method.function, &qualname, Convention::TupleDict);
    let call_expr = call(method, self_ty, self_arg, call_args);
    let o = obj();
    let params = quote!(__slf: #o, __args: #o, __kwargs: #o);
    let call = quote!(#bind_self #body);
    if init {
        let func = slot_fn(
            "init",
            params,
            quote!(::std::ffi::c_int),
            quote!(#call ::pyo3_ft::impl_::pyclass::IntoUnit::into_unit(#call_expr)),
        );
        return slot_def(
            "Py_tp_init",
            quote!(::pyo3_ft::runtime::ffi::initproc),
            func,
        );
    }
    let func = slot_fn(
        "call",
        params,
        o,
        quote!(#call ::pyo3_ft::impl_::IntoPyReturn::into_py_return(#call_expr, py)),
    );
    slot_def(
        "Py_tp_call",
        quote!(::pyo3_ft::runtime::ffi::ternaryfunc),
        func,
    )
}

/// `tp_getattro` from `__getattribute__` and/or `__getattr__`: the first
/// (or the normal lookup) runs, and `__getattr__` only after an
/// `AttributeError`.
fn getattro_slot(
    getattribute: Option<&MethodModel>,
    getattr: Option<&MethodModel>,
    self_ty: &Type,
    class: &str,
) -> TokenStream {
    let call = |m: &MethodModel| {
        let qualname = format!("{class}.{}", m.function.python_name);
        let body = slot_call(m, self_ty, &qualname, &[quote!(__name)]);
        quote!({ #body ::pyo3_ft::impl_::IntoPyReturn::into_py_return(__result, py) })
    };
    let first = match getattribute {
        Some(m) => call(m),
        // SAFETY: CPython passes a live object and name.
        None => quote!(unsafe { ::pyo3_ft::impl_::pyclass::generic_getattr(py, __slf, __name) }),
    };
    let body = match getattr {
        Some(m) => {
            let fallback = call(m);
            quote! {
                let __first: ::pyo3_ft::PyResult<*mut ::pyo3_ft::runtime::ffi::PyObject> = #first;
                match __first {
                    ::std::result::Result::Err(__err) if ::pyo3_ft::impl_::pyclass::is_attribute_error(py, &__err) => #fallback,
                    __other => __other,
                }
            }
        }
        None => first,
    };
    let o = obj();
    let func = slot_fn("getattro", quote!(__slf: #o, __name: #o), o, body);
    slot_def(
        "Py_tp_getattro",
        quote!(::pyo3_ft::runtime::ffi::getattrofunc),
        func,
    )
}

/// `tp_setattro` from `__setattr__` and/or `__delattr__`; the half a
/// class does not define does what `object` does.
fn setattro_slot(
    set: Option<&MethodModel>,
    delete: Option<&MethodModel>,
    self_ty: &Type,
    class: &str,
) -> TokenStream {
    let branch = |m: Option<&MethodModel>, raw: &[TokenStream]| match m {
        Some(m) => {
            let qualname = format!("{class}.{}", m.function.python_name);
            let body = slot_call(m, self_ty, &qualname, raw);
            quote!({ #body ::pyo3_ft::impl_::pyclass::IntoUnit::into_unit(__result) })
        }
        // SAFETY: CPython passes a live object and name, and a live value
        // or null.
        None => quote!(unsafe {
            ::pyo3_ft::impl_::pyclass::generic_setattr(py, __slf, __name, __value)
        }),
    };
    let set_branch = branch(set, &[quote!(__name), quote!(__value)]);
    let delete_branch = branch(delete, &[quote!(__name)]);
    let o = obj();
    let func = slot_fn(
        "setattro",
        quote!(__slf: #o, __name: #o, __value: #o),
        quote!(::std::ffi::c_int),
        quote!(if __value.is_null() { #delete_branch } else { #set_branch }),
    );
    slot_def(
        "Py_tp_setattro",
        quote!(::pyo3_ft::runtime::ffi::setattrofunc),
        func,
    )
}

/// `tp_traverse` from `__traverse__(&self, visit: PyVisit<'_>)`.
fn traverse_slot(method: &MethodModel, self_ty: &Type) -> TokenStream {
    let ident = &method.function.rust_name;
    let o = obj();
    quote!({
        unsafe extern "C" fn __traverse(
            __slf: #o,
            __visit: ::pyo3_ft::runtime::ffi::visitproc,
            __arg: *mut ::std::ffi::c_void,
        ) -> ::std::ffi::c_int {
            // SAFETY: the collector calls it with an instance of the class.
            unsafe { ::pyo3_ft::impl_::pyclass::traverse::<#self_ty>(__slf, __visit, __arg, <#self_ty>::#ident) }
        }
        __traverse
    })
}

/// `tokens` with every span set to `span`, so that an error about them is
/// reported there.
fn respan(tokens: TokenStream, span: proc_macro2::Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tree| {
            if let proc_macro2::TokenTree::Group(group) = &tree {
                let mut inner =
                    proc_macro2::Group::new(group.delimiter(), respan(group.stream(), span));
                inner.set_span(span);
                tree = proc_macro2::TokenTree::Group(inner);
            } else {
                tree.set_span(span);
            }
            tree
        })
        .collect()
}

/// The arguments of a buffer slot's call: `py` for a `Python` parameter,
/// the raw C arguments in order for the others.
fn raw_args(method: &MethodModel, raw: &[TokenStream]) -> Vec<TokenStream> {
    let mut raw = raw.iter();
    method
        .function
        .params
        .iter()
        .map(|param| match param.kind {
            ParamKind::Python => quote!(py),
            _ => raw.next().cloned().unwrap_or_else(|| quote!(())),
        })
        .collect()
}

/// `bf_getbuffer` from `__getbuffer__` (safe or raw form, by its number of
/// arguments) and `bf_releasebuffer`, always: it ends the export's count,
/// and runs `__releasebuffer__` if the block has one.
fn buffer_slots(
    get: &MethodModel,
    release: Option<&MethodModel>,
    self_ty: &Type,
    class: &str,
) -> Vec<TokenStream> {
    let o = obj();
    let ffi = quote!(::pyo3_ft::runtime::ffi);
    let int = quote!(::std::ffi::c_int);
    let buffer = quote!(::pyo3_ft::impl_::buffer);
    let get_name = format!("{class}.{}", get.function.python_name);
    let safe = !get
        .function
        .params
        .iter()
        .any(|p| matches!(p.kind, ParamKind::Arg(_)));
    // The storage's bound, reported at the method's name.
    let span = get.function.rust_name.span();
    let spanned_ty = respan(quote!(#self_ty), span);
    let assert_storage = quote_spanned!(span=> #buffer::assert_export_storage::<#spanned_ty>(););
    let get_body = if safe {
        let args = raw_args(get, &[]);
        let call = call(get, self_ty, Some(quote!(__value)), args);
        // A return type that is not an `ExportSlice`, reported at it.
        let ret_span = match &get.sig.output {
            syn::ReturnType::Type(_, ty) => syn::spanned::Spanned::span(ty),
            syn::ReturnType::Default => span,
        };
        let export = quote_spanned!(ret_span=> #buffer::Exported::new(__returned));
        quote! {
            #assert_storage
            // SAFETY: CPython calls the slot with an instance of the class
            // and its view.
            unsafe {
                #buffer::getbuffer_safe::<#self_ty>(__slf, __view, __flags, #get_name, |py, __value: &#self_ty| {
                    let __returned = #call;
                    #export
                })
            }
        }
    } else {
        let (bind_self, self_arg) = receiver(get, self_ty, &get_name);
        let args = raw_args(get, &[quote!(__view), quote!(__flags)]);
        let call = call(get, self_ty, self_arg, args);
        quote! {
            #assert_storage
            // SAFETY: CPython calls the slot with an instance of the class
            // and its view.
            unsafe {
                #buffer::getbuffer_raw::<#self_ty>(__slf, __view, #get_name, |py| {
                    #bind_self
                    #[allow(unused_unsafe)]
                    // SAFETY: the view and flags CPython passed, as the
                    // method's contract requires.
                    let __result = unsafe { #call };
                    ::pyo3_ft::impl_::pyclass::IntoUnit::into_unit(__result).map(drop)
                })
            }
        }
    };
    let getbuffer = quote!({
        unsafe extern "C" fn __getbuffer(__slf: #o, __view: *mut #ffi::Py_buffer, __flags: #int) -> #int {
            #get_body
        }
        __getbuffer
    });
    let release_body = match release {
        Some(method) => {
            let name = format!("{class}.{}", method.function.python_name);
            let (bind_self, self_arg) = receiver(method, self_ty, &name);
            let args = raw_args(method, &[quote!(__view)]);
            let call = call(method, self_ty, self_arg, args);
            quote! {
                ::std::option::Option::Some(&|py: ::pyo3_ft::Python<'_>| {
                    #bind_self
                    #[allow(unused_unsafe)]
                    // SAFETY: the view CPython passed, as the method's
                    // contract requires.
                    let __result = unsafe { #call };
                    ::pyo3_ft::impl_::pyclass::IntoUnit::into_unit(__result).map(drop)
                })
            }
        }
        None => quote!(::std::option::Option::None),
    };
    let releasebuffer = quote!({
        unsafe extern "C" fn __releasebuffer(__slf: #o, __view: *mut #ffi::Py_buffer) {
            // SAFETY: CPython calls the slot on an attached thread with an
            // instance of the class and a view its `bf_getbuffer` filled.
            unsafe { #buffer::releasebuffer::<#self_ty>(__slf, __view, #safe, #release_body) }
        }
        __releasebuffer
    });
    vec![
        slot_def("Py_bf_getbuffer", quote!(#ffi::getbufferproc), getbuffer),
        slot_def(
            "Py_bf_releasebuffer",
            quote!(#ffi::releasebufferproc),
            releasebuffer,
        ),
    ]
}

/// Sorts each method of the block into `items`.
fn collect(model: &MethodsModel) -> Items {
    let self_ty = &model.self_ty;
    let class = &model.class_name;
    let mut items = Items::default();
    for (index, method) in model.methods.iter().enumerate() {
        let qualname = format!("{class}.{}", method.function.python_name);
        match &method.role {
            MethodRole::Instance | MethodRole::ClassMethod | MethodRole::StaticMethod => {
                items.methods.push(method_def(method, self_ty, class));
            }
            MethodRole::New => {
                items.new_signature = new_text_signature(&method.function);
                items.slots.push(new_slot(method, self_ty, class));
                items.new_vectorcall = Some(new_vectorcall(method, self_ty, class));
            }
            MethodRole::Getter(name) => {
                items.getsets.entry(name.clone()).or_default().get = Some(index)
            }
            MethodRole::Setter(name) => {
                items.getsets.entry(name.clone()).or_default().set = Some(index)
            }
            MethodRole::Deleter(name) => {
                items.getsets.entry(name.clone()).or_default().delete = Some(index)
            }
            MethodRole::ClassAttr(name) => {
                items.class_attrs.push(class_attr(method, self_ty, name))
            }
            MethodRole::Slot(dunder) => match dunder {
                Dunder::RichCmp => items.operators.richcmp = Some(index),
                Dunder::Compare(op) => items.operators.compare.push((op, index)),
                Dunder::Binary(slot, reflected) => {
                    let entry = items.operators.binary.entry(slot).or_default();
                    if *reflected {
                        entry.1 = Some(index);
                    } else {
                        entry.0 = Some(index);
                    }
                }
                Dunder::Pow(reflected) => {
                    let entry = items.operators.binary.entry(POWER_SLOT).or_default();
                    if *reflected {
                        entry.1 = Some(index);
                    } else {
                        entry.0 = Some(index);
                    }
                }
                Dunder::InPlace(slot) => items
                    .slots
                    .push(in_place_slot(slot, method, self_ty, class)),
                Dunder::SetItem => items.setitem = Some(index),
                Dunder::DelItem => items.delitem = Some(index),
                Dunder::GetAttribute => items.getattribute = Some(index),
                Dunder::GetAttr => items.getattr = Some(index),
                Dunder::SetAttr => items.setattr = Some(index),
                Dunder::DelAttr => items.delattr = Some(index),
                Dunder::GetBuffer => items.getbuffer = Some(index),
                Dunder::ReleaseBuffer => items.releasebuffer = Some(index),
                Dunder::Call => items.slots.push(call_slot(method, self_ty, class, false)),
                Dunder::Init => items.slots.push(call_slot(method, self_ty, class, true)),
                Dunder::Traverse => {
                    items.slots.push(slot_def(
                        "Py_tp_traverse",
                        quote!(::pyo3_ft::runtime::ffi::traverseproc),
                        traverse_slot(method, self_ty),
                    ));
                }
                simple @ (Dunder::Unary(_)
                | Dunder::Next { .. }
                | Dunder::ANext { .. }
                | Dunder::Hash
                | Dunder::Bool
                | Dunder::Len
                | Dunder::GetItem
                | Dunder::Contains
                | Dunder::Clear) => items.slots.extend(
                    simple_slot(method, self_ty, &qualname, *simple)
                        .expect("every simple dunder has a shape"),
                ),
            },
        }
    }
    for constant in &model.consts {
        let ident = &constant.ident;
        let body = quote!(let __result = <#self_ty>::#ident;);
        items
            .class_attrs
            .push(class_attr_def(&constant.python_name, body));
    }
    items
}

/// The parameters in the class's `__text_signature__`: from `#[new]`'s
/// signature, or its `text_signature = "(...)"` without the parentheses.
fn new_text_signature(f: &FnModel) -> Option<String> {
    match &f.text_signature {
        None => Some(parameters(&f.signature, None)),
        Some(None) => None,
        Some(Some(text)) => {
            let text = text.trim();
            let inner = text.strip_prefix('(').and_then(|t| t.strip_suffix(')'));
            Some(inner.unwrap_or(text).to_owned())
        }
    }
}

/// `Some(expr)` / `None` tokens.
fn option(value: Option<TokenStream>) -> TokenStream {
    match value {
        Some(value) => quote!(::std::option::Option::Some(#value)),
        None => quote!(::std::option::Option::None),
    }
}

pub fn expand(model: &MethodsModel, item: &ItemImpl) -> TokenStream {
    let self_ty = &model.self_ty;
    let class = &model.class_name;
    let mut items = collect(model);
    let at = |index: Option<usize>| index.map(|i| &model.methods[i]);
    if let Some(slot) = richcmp_slot(&items.operators, &model.methods, self_ty, class) {
        items.slots.push(slot);
    }
    for (slot, (forward, reflected)) in &items.operators.binary {
        let slot = binary_slot(slot, at(*forward), at(*reflected), self_ty, class);
        items.slots.push(slot);
    }
    if items.setitem.is_some() || items.delitem.is_some() {
        items.slots.push(ass_subscript_slot(
            at(items.setitem),
            at(items.delitem),
            self_ty,
            class,
        ));
    }
    if items.getattribute.is_some() || items.getattr.is_some() {
        let (first, fallback) = (at(items.getattribute), at(items.getattr));
        items
            .slots
            .push(getattro_slot(first, fallback, self_ty, class));
    }
    if items.setattr.is_some() || items.delattr.is_some() {
        let (set, delete) = (at(items.setattr), at(items.delattr));
        items.slots.push(setattro_slot(set, delete, self_ty, class));
    }
    if let Some(get) = at(items.getbuffer) {
        items
            .slots
            .extend(buffer_slots(get, at(items.releasebuffer), self_ty, class));
    } else if let Some(release) = at(items.releasebuffer) {
        let message = "`__releasebuffer__` needs `__getbuffer__` in the same `#[pymethods]` block";
        items
            .slots
            .push(quote_spanned!(release.function.rust_name.span()=> compile_error!(#message)));
    }
    let getsets = items.getsets.iter().map(|(name, property)| {
        let qualname = format!("{class}.{name}");
        let get = at(property.get).map(|m| getter(m, self_ty, &qualname));
        let set = (property.set.is_some() || property.delete.is_some())
            .then(|| setter(at(property.set), at(property.delete), self_ty, &qualname));
        let doc = at(property.get).map_or("", |m| m.function.doc.as_str());
        let (get, set, name, doc) = (option(get), option(set), c_str(name), c_str(doc));
        quote!(::pyo3_ft::pyclass::GetSetDef { name: #name, get: #get, set: #set, doc: #doc })
    });
    let getsets: Vec<TokenStream> = getsets.collect();
    let Items {
        methods,
        slots,
        class_attrs,
        new_signature,
        new_vectorcall,
        ..
    } = items;
    let new_vectorcall = option(new_vectorcall);
    let new_signature = option(new_signature.map(|sig| quote!(#sig)));
    let stub = super::methods_stub::expand(model);
    quote! {
        #item

        const _: () = {
            static __ITEMS: ::pyo3_ft::pyclass::PyClassItems = ::pyo3_ft::pyclass::PyClassItems {
                methods: &[#(#methods),*],
                getsets: &[#(#getsets),*],
                slots: &[#(#slots),*],
                class_attrs: &[#(#class_attrs),*],
                new_text_signature: #new_signature,
                new_vectorcall: #new_vectorcall,
            };
            ::pyo3_ft::inventory::submit! {
                ::pyo3_ft::pyclass::MethodsBlock::new::<#self_ty>(&__ITEMS)
            }
            #stub
        };
    }
}
