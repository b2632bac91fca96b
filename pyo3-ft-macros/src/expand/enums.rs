//! `#[pyclass]` on an enum: a C-like enum's variants as instances (class
//! attributes) with `__repr__`, `__int__` and `eq_int`; a complex enum's
//! variants as subclasses with constructors, field getters and
//! `__match_args__`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::c_str;
use super::class::slot_def;
use crate::model::class::{ClassKind, ClassModel, VariantFields, VariantModel};

/// What an enum adds to its class.
#[derive(Default)]
pub struct EnumParts {
    /// `ClassAttrDef`s: the variants.
    pub class_attrs: Vec<TokenStream>,
    /// `SlotDef`s.
    pub slots: Vec<TokenStream>,
    /// Items next to the class (the variant classes' constructors).
    pub items: TokenStream,
    /// `PyClass::instance_type`, for a complex enum: its variant's class.
    pub instance_type: TokenStream,
}

pub fn expand(model: &ClassModel) -> EnumParts {
    match &model.kind {
        ClassKind::Enum {
            variants,
            complex: false,
        } => c_like(model, variants),
        ClassKind::Enum {
            variants,
            complex: true,
        } => complex(model, variants),
        ClassKind::Struct { .. } => EnumParts::default(),
    }
}

/// Variants as class attributes, `__repr__`, `__int__`, and `eq_int`.
fn c_like(model: &ClassModel, variants: &[VariantModel]) -> EnumParts {
    let ident = &model.ident;
    let idents: Vec<_> = variants.iter().map(|v| &v.ident).collect();
    let class_attrs = variants
        .iter()
        .map(|variant| {
            let name = &variant.python_name;
            let variant = &variant.ident;
            quote! {
                ::pyo3_ft::pyclass::ClassAttrDef {
                    name: #name,
                    make: |ty| {
                        let value = ::pyo3_ft::pyclass::PyClassInitializer::from(#ident::#variant);
                        // SAFETY: `ty` is this class's new type object.
                        unsafe { value.create_object(ty.py(), ty.as_ptr().cast()) }.map(::pyo3_ft::Bound::into_any)
                    },
                }
            }
        })
        .collect();
    let reprs = variants
        .iter()
        .map(|v| format!("{}.{}", model.python_name, v.python_name));
    let repr = slot_def(
        "Py_tp_repr",
        quote!(::pyo3_ft::runtime::ffi::reprfunc),
        quote!({
            unsafe extern "C" fn __repr(slf: *mut ::pyo3_ft::runtime::ffi::PyObject) -> *mut ::pyo3_ft::runtime::ffi::PyObject {
                // SAFETY: CPython calls it with an instance of the class.
                unsafe {
                    ::pyo3_ft::impl_::trampoline(|py| {
                        let this = ::pyo3_ft::impl_::pyclass::slf::<#ident>(py, slf);
                        let text = match &*::pyo3_ft::impl_::pyclass::borrow_slf(&this, "__repr__")? { #(#ident::#idents => #reprs,)* };
                        ::pyo3_ft::impl_::IntoPyReturn::into_py_return(text, py)
                    })
                }
            }
            __repr
        }),
    );
    let discriminant =
        quote!(|value: &#ident| match value { #(#ident::#idents => #ident::#idents as isize,)* });
    let int = slot_def(
        "Py_nb_int",
        quote!(::pyo3_ft::runtime::ffi::unaryfunc),
        quote!({
            unsafe extern "C" fn __int(slf: *mut ::pyo3_ft::runtime::ffi::PyObject) -> *mut ::pyo3_ft::runtime::ffi::PyObject {
                // SAFETY: CPython calls it with an instance of the class.
                unsafe {
                    ::pyo3_ft::impl_::trampoline(|py| {
                        let this = ::pyo3_ft::impl_::pyclass::slf::<#ident>(py, slf);
                        let discriminant: fn(&#ident) -> isize = #discriminant;
                        let value = discriminant(&*::pyo3_ft::impl_::pyclass::borrow_slf(&this, "__int__")?);
                        ::pyo3_ft::impl_::IntoPyReturn::into_py_return(value, py)
                    })
                }
            }
            __int
        }),
    );
    let mut slots = vec![repr, int];
    if model.eq_int.is_some() {
        slots.push(super::class::richcmp_slot(quote!(
            ::pyo3_ft::impl_::enums::richcmp_eq_int::<#ident>(py, slf, other, op, #discriminant)
        )));
    }
    EnumParts {
        class_attrs,
        slots,
        ..EnumParts::default()
    }
}

/// The Python names of a variant's fields: its field names, or `_0`, `_1`,
/// ... for a tuple variant.
fn field_names(variant: &VariantModel) -> Vec<String> {
    match &variant.fields {
        VariantFields::Unit => Vec::new(),
        VariantFields::Named(fields) => fields.iter().map(|(name, _)| name.to_string()).collect(),
        VariantFields::Tuple(types) => (0..types.len()).map(|i| format!("_{i}")).collect(),
    }
}

/// Each variant a subclass, created with the enum's class attributes.
fn complex(model: &ClassModel, variants: &[VariantModel]) -> EnumParts {
    let ident = &model.ident;
    let type_fns: Vec<_> = variants
        .iter()
        .map(|v| format_ident!("__pyo3_ft_variant_{}", v.ident))
        .collect();
    let class_attrs = variants
        .iter()
        .zip(&type_fns)
        .map(|(variant, type_fn)| {
            let name = &variant.python_name;
            quote! {
                ::pyo3_ft::pyclass::ClassAttrDef {
                    name: #name,
                    make: |ty| #ident::#type_fn(ty.py()).map(::pyo3_ft::Bound::into_any),
                }
            }
        })
        .collect();
    let fns = variants
        .iter()
        .zip(&type_fns)
        .map(|(variant, type_fn)| variant_type_fn(model, variant, type_fn));
    let idents = variants.iter().map(|v| &v.ident);
    let instance_type = quote! {
        fn instance_type<'py>(&self, py: ::pyo3_ft::Python<'py>) -> ::pyo3_ft::PyResult<::pyo3_ft::Bound<'py, ::pyo3_ft::types::PyType>> {
            match self { #(#ident::#idents { .. } => #ident::#type_fns(py),)* }
        }
    };
    EnumParts {
        class_attrs,
        slots: Vec::new(),
        items: quote! {
            impl #ident {
                #(#fns)*
            }
        },
        instance_type,
    }
}

/// `__pyo3_ft_variant_<Variant>(py)`: the variant's class, created once.
fn variant_type_fn(
    model: &ClassModel,
    variant: &VariantModel,
    type_fn: &syn::Ident,
) -> TokenStream {
    let ident = &model.ident;
    let variant_ident = &variant.ident;
    let names = field_names(variant);
    let qualname = format!("{}.{}", model.python_name, variant.python_name);
    let types: Vec<&syn::Type> = match &variant.fields {
        VariantFields::Unit => Vec::new(),
        VariantFields::Named(fields) => fields.iter().map(|(_, ty)| ty).collect(),
        VariantFields::Tuple(types) => types.iter().collect(),
    };
    let getsets = names.iter().zip(&types).enumerate().map(|(index, (name, ty))| {
        let pattern = field_pattern(ident, variant, index);
        let c_name = c_str(name);
        let field_qualname = format!("{qualname}.{name}");
        quote! {
            ::pyo3_ft::pyclass::GetSetDef {
                name: #c_name,
                get: ::std::option::Option::Some({
                    unsafe extern "C" fn __get(
                        slf: *mut ::pyo3_ft::runtime::ffi::PyObject,
                        _closure: *mut ::std::ffi::c_void,
                    ) -> *mut ::pyo3_ft::runtime::ffi::PyObject {
                        // SAFETY: CPython calls getters of this class with an
                        // instance, which holds this variant (enums with data
                        // are immutable).
                        unsafe {
                            ::pyo3_ft::impl_::pyclass::get_field::<#ident, #ty>(slf, #field_qualname, |value| match value {
                                #pattern => ::std::clone::Clone::clone(__field),
                                _ => ::std::unreachable!("an instance of a variant's class holds that variant"),
                            })
                        }
                    }
                    __get
                }),
                set: ::std::option::Option::None,
                doc: c"",
            }
        }
    });
    let count = names.len();
    let indices = 0..count;
    let value = match &variant.fields {
        VariantFields::Unit => quote!(#ident::#variant_ident),
        VariantFields::Named(fields) => {
            let field_idents = fields.iter().map(|(name, _)| name);
            quote!(#ident::#variant_ident { #(#field_idents: ::pyo3_ft::impl_::extract_argument(::pyo3_ft::impl_::required(__output[#indices], #names)?, #names)?,)* })
        }
        VariantFields::Tuple(_) => {
            quote!(#ident::#variant_ident(#(::pyo3_ft::impl_::extract_argument(::pyo3_ft::impl_::required(__output[#indices], #names)?, #names)?,)*))
        }
    };
    let tuple_slots = tuple_slots(ident, variant, &types);
    let func_name = format!("{qualname}()");
    let python_name = &variant.python_name;
    let doc = c_str(&format!("{python_name}({})\n--\n\n", names.join(", ")));
    quote! {
        #[doc(hidden)]
        #[allow(non_snake_case)]
        fn #type_fn(py: ::pyo3_ft::Python<'_>) -> ::pyo3_ft::PyResult<::pyo3_ft::Bound<'_, ::pyo3_ft::types::PyType>> {
            unsafe extern "C" fn __new(
                subtype: *mut ::pyo3_ft::runtime::ffi::PyTypeObject,
                args: *mut ::pyo3_ft::runtime::ffi::PyObject,
                kwargs: *mut ::pyo3_ft::runtime::ffi::PyObject,
            ) -> *mut ::pyo3_ft::runtime::ffi::PyObject {
                static __DESC: ::pyo3_ft::impl_::FunctionDescription = ::pyo3_ft::impl_::FunctionDescription {
                    func_name: #func_name,
                    positional: &[#(#names),*],
                    positional_only: 0,
                    required_positional: #count,
                    keyword_only: &[],
                    varargs: false,
                    varkwargs: false,
                };
                // SAFETY: CPython calls `tp_new` with a subtype of the
                // variant's class, an argument tuple and a dict or null.
                unsafe {
                    ::pyo3_ft::impl_::trampoline(|py| {
                        let mut __keywords = ::pyo3_ft::impl_::KeywordValues::new();
                        let mut __output = [::std::option::Option::None; #count];
                        __DESC.extract_tuple_dict(py, args, kwargs, &mut __keywords, &mut __output)?;
                        let value = #value;
                        ::pyo3_ft::impl_::pyclass::new_object::<#ident>(py, subtype, value)
                    })
                }
            }
            static __GETSETS: [::pyo3_ft::pyclass::GetSetDef; #count] = [#(#getsets),*];
            static __SPEC: ::pyo3_ft::pyclass::VariantSpec = ::pyo3_ft::pyclass::VariantSpec {
                name: #python_name,
                fields: &[#(#names),*],
                getsets: &__GETSETS,
                new: __new,
                slots: &[#(#tuple_slots),*],
                doc: #doc,
            };
            static __TYPE: ::pyo3_ft::sync::PyOnceLock<::pyo3_ft::Py<::pyo3_ft::types::PyType>> = ::pyo3_ft::sync::PyOnceLock::new();
            let base = <#ident as ::pyo3_ft::pyclass::PyClass>::lazy_type_object().get_or_try_init(py)?;
            let ty = __TYPE.get_or_try_init(py, || __SPEC.create_type(base))?;
            ::std::result::Result::Ok(::std::clone::Clone::clone(ty.bind(py)))
        }
    }
}

/// `__len__` and `__getitem__` of a tuple variant, as for a tuple.
fn tuple_slots(
    ident: &syn::Ident,
    variant: &VariantModel,
    types: &[&syn::Type],
) -> Vec<TokenStream> {
    if !matches!(variant.fields, VariantFields::Tuple(_)) {
        return Vec::new();
    }
    let count = types.len();
    let indices: Vec<isize> = (0..count as isize).collect();
    let patterns = (0..count).map(|index| field_pattern(ident, variant, index));
    let len = slot_def(
        "Py_sq_length",
        quote!(::pyo3_ft::runtime::ffi::lenfunc),
        quote!({
            unsafe extern "C" fn __len(_slf: *mut ::pyo3_ft::runtime::ffi::PyObject) -> ::pyo3_ft::runtime::ffi::Py_ssize_t {
                #count as ::pyo3_ft::runtime::ffi::Py_ssize_t
            }
            __len
        }),
    );
    let item = slot_def(
        "Py_sq_item",
        quote!(::pyo3_ft::runtime::ffi::ssizeargfunc),
        quote!({
            unsafe extern "C" fn __item(
                slf: *mut ::pyo3_ft::runtime::ffi::PyObject,
                index: ::pyo3_ft::runtime::ffi::Py_ssize_t,
            ) -> *mut ::pyo3_ft::runtime::ffi::PyObject {
                // SAFETY: CPython calls it with an instance of the variant's
                // class, which holds that variant.
                unsafe {
                    ::pyo3_ft::impl_::trampoline(|py| {
                        let this = ::pyo3_ft::impl_::pyclass::slf::<#ident>(py, slf);
                        let value = ::pyo3_ft::impl_::pyclass::borrow_slf(&this, "__getitem__")?;
                        match (&*value, index as isize) {
                            #((#patterns, #indices) => ::pyo3_ft::impl_::IntoPyReturn::into_py_return(::std::clone::Clone::clone(__field), py),)*
                            _ => ::std::result::Result::Err(::pyo3_ft::exceptions::PyIndexError::new_err("tuple index out of range")),
                        }
                    })
                }
            }
            __item
        }),
    );
    vec![len, item]
}

/// A pattern binding field `index` of `variant` as `__field`.
fn field_pattern(ident: &syn::Ident, variant: &VariantModel, index: usize) -> TokenStream {
    let variant_ident = &variant.ident;
    match &variant.fields {
        VariantFields::Named(fields) => {
            let name = &fields[index].0;
            quote!(#ident::#variant_ident { #name: __field, .. })
        }
        VariantFields::Tuple(_) => {
            let skipped = (0..index).map(|_| quote!(_));
            quote!(#ident::#variant_ident(#(#skipped,)* __field, ..))
        }
        VariantFields::Unit => unreachable!("a unit variant has no fields"),
    }
}
