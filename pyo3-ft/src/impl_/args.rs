//! Argument parsing for `#[pyfunction]` and `#[pymethods]`, with CPython's
//! own error messages.

use pyo3_ft_runtime::ffi;

use crate::conversion::FromPyObject;
use crate::err::{PyErr, PyResult};
use crate::exceptions::{PyOverflowError, PyTypeError};
use crate::instance::{Borrowed, Bound};
use crate::python::Python;
use crate::types::{PyAny, PyDict, PyString, PyTuple};

/// A keyword-only parameter.
#[derive(Debug, Clone, Copy)]
pub struct KeywordOnly {
    /// Its name.
    pub name: &'static str,
    /// Whether it has no default.
    pub required: bool,
}

/// The Python signature of a wrapped function.
#[derive(Debug)]
pub struct FunctionDescription {
    /// `name()` or `Class.name()`, as error messages name it.
    pub func_name: &'static str,
    /// Names of the parameters that can be passed by position.
    pub positional: &'static [&'static str],
    /// How many of those are positional-only (before `/`).
    pub positional_only: usize,
    /// How many of those have no default.
    pub required_positional: usize,
    /// Parameters after `*` or `*args`.
    pub keyword_only: &'static [KeywordOnly],
    /// Whether extra positional arguments go to `*args`.
    pub varargs: bool,
    /// Whether extra keyword arguments go to `**kwargs`.
    pub varkwargs: bool,
}

/// Extra arguments collected for `*args` / `**kwargs`.
pub struct Extras<'py> {
    /// `*args`, when the signature has it.
    pub varargs: Option<Bound<'py, PyTuple>>,
    /// `**kwargs`, when the signature has it and some were given.
    pub varkwargs: Option<Bound<'py, PyDict>>,
}

impl Extras<'_> {
    /// No extra arguments (slots that take a fixed number of arguments).
    pub fn none() -> Self {
        Extras {
            varargs: None,
            varkwargs: None,
        }
    }
}

/// Strong references to the keyword-argument values of a tuple-and-dict
/// call (`tp_new`, `tp_call`), which the argument slots borrow.
///
/// The dict is the caller's own (`PyObject_Call(callable, args, kwargs)`
/// passes it through), so Python code that runs while the arguments are
/// extracted (an earlier argument's `__index__`, or another thread) can
/// clear it and free a value a later slot still points to. The generated
/// wrapper keeps one of these alive for the whole call instead.
pub struct KeywordValues<'py>(Vec<Bound<'py, PyAny>>);

impl KeywordValues<'_> {
    /// Holds nothing yet (and allocates nothing).
    #[inline]
    pub fn new() -> Self {
        KeywordValues(Vec::new())
    }
}

impl Default for KeywordValues<'_> {
    fn default() -> Self {
        KeywordValues::new()
    }
}

/// `'a'`, `'a' and 'b'`, `'a', 'b' and 'c'`, as CPython lists names.
fn name_list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn plural(count: usize, word: &str) -> String {
    if count == 1 {
        format!("{count} {word}")
    } else {
        format!("{count} {word}s")
    }
}

impl FunctionDescription {
    fn error(&self, message: String) -> PyErr {
        PyTypeError::new_err(format!("{}() {message}", self.func_name))
    }

    fn too_many_positional(&self, given: usize) -> PyErr {
        let max = self.positional.len();
        let min = self.required_positional;
        let takes = if min == max {
            plural(max, "positional argument")
        } else {
            format!("from {min} to {max} positional arguments")
        };
        let was = if given == 1 { "was" } else { "were" };
        self.error(format!("takes {takes} but {given} {was} given"))
    }

    fn missing(&self, kind: &str, names: &[&str]) -> PyErr {
        let what = plural(names.len(), &format!("required {kind} argument"));
        self.error(format!("missing {what}: {}", name_list(names)))
    }

    /// Parses vectorcall arguments (`METH_FASTCALL | METH_KEYWORDS`):
    /// `output` receives one slot per positional parameter followed by one
    /// per keyword-only parameter, `None` where the caller gave nothing.
    ///
    /// The slots borrow from `args` directly: the vectorcall protocol has
    /// the caller own that array and a reference to each object in it for
    /// the whole call (CPython's own callers pass their frame's stack, and
    /// `PyObject_Call` with a dict first copies the values into a new array
    /// of strong references), and no Python code can reach the array to
    /// change it.
    ///
    /// # Safety
    /// `args` must hold `nargs` live objects followed by one per name in
    /// `kwnames` (a tuple of str, or null), owned by the caller for `'a`.
    pub unsafe fn extract_fastcall<'a, 'py>(
        &self,
        py: Python<'py>,
        args: *const *mut ffi::PyObject,
        nargs: ffi::Py_ssize_t,
        kwnames: *mut ffi::PyObject,
        output: &mut [Option<Borrowed<'a, 'py, PyAny>>],
    ) -> PyResult<Extras<'py>> {
        let nargs = nargs as usize;
        if kwnames.is_null() && self.takes_positionally(nargs) {
            // The common case: positional arguments only, all accepted.
            for (index, slot) in output.iter_mut().take(nargs).enumerate() {
                // SAFETY: `args` holds `nargs` live objects that the caller
                // keeps for the call (the function's contract).
                *slot = Some(unsafe { Borrowed::from_ptr(py, *args.add(index)) });
            }
            return Ok(Extras::none());
        }
        // SAFETY: the function's contract: `args` holds `nargs` objects and
        // one per name in `kwnames` (a live tuple when not null), all kept
        // alive by the caller for the call; nothing Python code can reach
        // refers to the array, so the borrows stay valid.
        let args: &'a [*mut ffi::PyObject] = unsafe {
            if args.is_null() {
                &[]
            } else {
                let nkw = if kwnames.is_null() {
                    0
                } else {
                    ffi::Py_SIZE(kwnames) as usize
                };
                std::slice::from_raw_parts(args, nargs + nkw)
            }
        };
        let (positional, keyword_values) = args.split_at(nargs);
        // SAFETY: every pointer in `positional` is a live argument (above).
        let varargs = unsafe { self.take_positional(py, positional, output) }?;
        let mut varkwargs = None;
        if !kwnames.is_null() {
            // SAFETY: `kwnames` is a live tuple of str (the contract).
            let names = unsafe {
                Bound::from_borrowed_ptr(py, kwnames).downcast_into_unchecked::<PyTuple>()
            };
            for (name, &value) in names.iter_borrowed().zip(keyword_values) {
                // SAFETY: `value` is a live argument (above).
                let value = unsafe { Borrowed::from_ptr(py, value) };
                self.take_keyword(py, name, value, output, &mut varkwargs)?;
            }
        }
        self.check_missing(output)?;
        Ok(Extras { varargs, varkwargs })
    }

    /// Parses `tp_new`-style arguments: a tuple and an optional dict.
    /// Positional slots borrow from the tuple (immutable, and the caller
    /// keeps it alive); keyword slots borrow from `keyword_values`, which
    /// takes a strong reference to each value, because the dict may change
    /// under them (see [`KeywordValues`]).
    ///
    /// # Safety
    /// `args` must be a tuple and `kwargs` null or a dict, both live for
    /// `'a`.
    pub unsafe fn extract_tuple_dict<'a, 'py>(
        &self,
        py: Python<'py>,
        args: *mut ffi::PyObject,
        kwargs: *mut ffi::PyObject,
        keyword_values: &'a mut KeywordValues<'py>,
        output: &mut [Option<Borrowed<'a, 'py, PyAny>>],
    ) -> PyResult<Extras<'py>> {
        // A tuple's items are one inline array that lives as long as the
        // tuple, which the caller keeps alive for 'a.
        // SAFETY: `args` is a live tuple (the contract); its items never
        // change and live as long as it does.
        let positional: &'a [*mut ffi::PyObject] = unsafe {
            let items = std::ptr::addr_of_mut!((*args.cast::<ffi::PyTupleObject>()).ob_item)
                .cast::<*mut ffi::PyObject>();
            std::slice::from_raw_parts(items, ffi::Py_SIZE(args) as usize)
        };
        // SAFETY: every pointer in `positional` is a live item (above).
        let varargs = unsafe { self.take_positional(py, positional, output) }?;
        let mut varkwargs = None;
        if !kwargs.is_null() {
            // SAFETY: `kwargs` is a live dict (the contract).
            let dict =
                unsafe { Bound::from_borrowed_ptr(py, kwargs).downcast_into_unchecked::<PyDict>() };
            keyword_values.0.reserve(dict.len());
            for (name, value) in dict.iter() {
                // SAFETY: the strong reference moves into `keyword_values`,
                // which only ever grows and outlives `'a`, so the object
                // stays alive whatever happens to the dict.
                let borrowed = unsafe { Borrowed::from_ptr(py, value.as_ptr()) };
                keyword_values.0.push(value);
                self.take_keyword(py, name.as_borrowed(), borrowed, output, &mut varkwargs)?;
            }
        }
        self.check_missing(output)?;
        Ok(Extras { varargs, varkwargs })
    }

    /// Fills the positional slots; the rest go to `*args` or are an error.
    ///
    /// # Safety
    /// Every pointer in `positional` must be a live object for `'a`.
    unsafe fn take_positional<'a, 'py>(
        &self,
        py: Python<'py>,
        positional: &'a [*mut ffi::PyObject],
        output: &mut [Option<Borrowed<'a, 'py, PyAny>>],
    ) -> PyResult<Option<Bound<'py, PyTuple>>> {
        let capacity = self.positional.len();
        let borrow = |&arg: &*mut ffi::PyObject| {
            // SAFETY: every pointer is a live object for `'a` (the
            // function's contract).
            unsafe { Borrowed::<PyAny>::from_ptr(py, arg) }
        };
        for (slot, arg) in output.iter_mut().zip(positional.iter().take(capacity)) {
            *slot = Some(borrow(arg));
        }
        let extra = positional.get(capacity..).unwrap_or(&[]);
        if self.varargs {
            let items = extra.iter().map(borrow);
            return PyTuple::new(py, items.collect::<Vec<_>>()).map(Some);
        }
        if !extra.is_empty() {
            return Err(self.too_many_positional(positional.len()));
        }
        Ok(None)
    }

    /// Puts one keyword argument into its slot, into `**kwargs`, or fails.
    fn take_keyword<'a, 'py>(
        &self,
        py: Python<'py>,
        name: Borrowed<'_, 'py, PyAny>,
        value: Borrowed<'a, 'py, PyAny>,
        output: &mut [Option<Borrowed<'a, 'py, PyAny>>],
        varkwargs: &mut Option<Bound<'py, PyDict>>,
    ) -> PyResult<()> {
        let key = name.downcast::<PyString>()?.to_str()?;
        let keyword_names = self.keyword_only.iter().map(|k| k.name);
        let found = self
            .positional
            .iter()
            .copied()
            .chain(keyword_names)
            .position(|n| n == key);
        match found {
            Some(index) if index < self.positional_only => {
                if self.varkwargs {
                    return varkwargs
                        .get_or_insert_with(|| PyDict::new(py))
                        .set_item(name, value);
                }
                Err(self.error(format!(
                    "got some positional-only arguments passed as keyword arguments: '{key}'"
                )))
            }
            Some(index) => match output[index] {
                Some(_) => Err(self.error(format!("got multiple values for argument '{key}'"))),
                None => {
                    output[index] = Some(value);
                    Ok(())
                }
            },
            None if self.varkwargs => varkwargs
                .get_or_insert_with(|| PyDict::new(py))
                .set_item(name, value),
            None => Err(self.error(format!("got an unexpected keyword argument '{key}'"))),
        }
    }

    /// Whether `nargs` positional arguments and no keywords satisfy the
    /// signature without `*args`.
    #[inline]
    fn takes_positionally(&self, nargs: usize) -> bool {
        !self.varargs
            && (self.required_positional..=self.positional.len()).contains(&nargs)
            && self.keyword_only.iter().all(|k| !k.required)
    }

    /// Reports required parameters that received nothing.
    fn check_missing(&self, output: &[Option<Borrowed<'_, '_, PyAny>>]) -> PyResult<()> {
        let positional_given = output[..self.required_positional]
            .iter()
            .all(Option::is_some);
        let keywords_given = self
            .keyword_only
            .iter()
            .zip(&output[self.positional.len()..])
            .all(|(param, slot)| !param.required || slot.is_some());
        if positional_given && keywords_given {
            return Ok(());
        }
        let missing_positional: Vec<&str> = self.positional[..self.required_positional]
            .iter()
            .zip(output)
            .filter(|(_, slot)| slot.is_none())
            .map(|(name, _)| *name)
            .collect();
        if !missing_positional.is_empty() {
            return Err(self.missing("positional", &missing_positional));
        }
        let missing_keyword: Vec<&str> = self
            .keyword_only
            .iter()
            .zip(&output[self.positional.len()..])
            .filter(|(param, slot)| param.required && slot.is_none())
            .map(|(param, _)| param.name)
            .collect();
        if !missing_keyword.is_empty() {
            return Err(self.missing("keyword-only", &missing_keyword));
        }
        Ok(())
    }
}

/// Re-raises a `TypeError` or `OverflowError` (the conversion failures:
/// wrong type, int out of range) from converting argument `name` as the
/// same type with `argument 'name': <message>`, the original as its cause;
/// other errors pass unchanged.
fn argument_error(py: Python<'_>, name: &str, err: PyErr) -> PyErr {
    if !err.is_instance_of::<PyTypeError>(py) && !err.is_instance_of::<PyOverflowError>(py) {
        return err;
    }
    let message = err
        .value(py)
        .str()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let wrapped = PyErr::from_type(err.get_type(py), format!("argument '{name}': {message}"));
    wrapped.set_cause(py, Some(err));
    wrapped
}

/// Converts one argument by value.
#[inline]
pub fn extract_argument<'a, 'py, T: FromPyObject<'a, 'py>>(
    object: Borrowed<'a, 'py, PyAny>,
    name: &str,
) -> PyResult<T> {
    T::extract(object).map_err(|err| argument_error(object.py(), name, err))
}

/// The Rust types a `*args` parameter may have: `&Bound<'_, PyTuple>` or
/// `Bound<'_, PyTuple>`.
pub trait FromVarargs<'a, 'py> {
    /// Converts the tuple of extra positional arguments.
    fn from_varargs(varargs: &'a Bound<'py, PyTuple>) -> Self;
}

impl<'a, 'py> FromVarargs<'a, 'py> for &'a Bound<'py, PyTuple> {
    fn from_varargs(varargs: &'a Bound<'py, PyTuple>) -> Self {
        varargs
    }
}

impl<'a, 'py> FromVarargs<'a, 'py> for Bound<'py, PyTuple> {
    fn from_varargs(varargs: &'a Bound<'py, PyTuple>) -> Self {
        varargs.clone()
    }
}

/// The Rust types a `**kwargs` parameter may have:
/// `Option<&Bound<'_, PyDict>>` or `Option<Bound<'_, PyDict>>` (`None`
/// when no extra keyword was given).
pub trait FromVarkwargs<'a, 'py> {
    /// Converts the dict of extra keyword arguments.
    fn from_varkwargs(varkwargs: &'a Option<Bound<'py, PyDict>>) -> Self;
}

impl<'a, 'py> FromVarkwargs<'a, 'py> for Option<&'a Bound<'py, PyDict>> {
    fn from_varkwargs(varkwargs: &'a Option<Bound<'py, PyDict>>) -> Self {
        varkwargs.as_ref()
    }
}

impl<'a, 'py> FromVarkwargs<'a, 'py> for Option<Bound<'py, PyDict>> {
    fn from_varkwargs(varkwargs: &'a Option<Bound<'py, PyDict>>) -> Self {
        varkwargs.clone()
    }
}

/// Converts one argument with `#[pyo3(from_py_with = extract)]`.
#[inline]
pub fn extract_argument_with<'a, 'py, T>(
    object: Borrowed<'a, 'py, PyAny>,
    name: &str,
    extract: impl FnOnce(&Bound<'py, PyAny>) -> PyResult<T>,
) -> PyResult<T> {
    extract(&object).map_err(|err| argument_error(object.py(), name, err))
}

/// A parameter of type `&T`: extraction produces a holder that lives in the
/// wrapper's frame and derefs to `T`.
pub trait ArgHolder<'a, 'py> {
    /// The Python type the argument may be, for type stubs.
    const INPUT_TYPE: crate::stubs::TypeHint;

    /// What the wrapper keeps alive while the function runs.
    type Holder: std::ops::Deref<Target = Self>;

    /// Produces the holder.
    fn extract_holder(object: Borrowed<'a, 'py, PyAny>) -> PyResult<Self::Holder>;
}

impl<'a, 'py, T: crate::type_info::PyTypeInfo + 'a> ArgHolder<'a, 'py> for Bound<'py, T>
where
    'py: 'a,
{
    type Holder = Borrowed<'a, 'py, T>;
    const INPUT_TYPE: crate::stubs::TypeHint = T::TYPE_HINT;

    #[inline]
    fn extract_holder(object: Borrowed<'a, 'py, PyAny>) -> PyResult<Self::Holder> {
        Ok(object.downcast::<T>()?)
    }
}

/// Converts one `&T` argument into its holder.
#[inline]
pub fn extract_holder<'a, 'py, T: ArgHolder<'a, 'py> + ?Sized>(
    object: Borrowed<'a, 'py, PyAny>,
    name: &str,
) -> PyResult<T::Holder> {
    T::extract_holder(object).map_err(|err| argument_error(object.py(), name, err))
}

/// `TypeError` for a required argument that received nothing (the parser
/// reports these first, so this is a second line of defence).
pub fn missing_argument(name: &str) -> PyErr {
    PyTypeError::new_err(format!("missing required argument '{name}'"))
}

/// The object in a required slot.
#[inline]
pub fn required<'a, 'py>(
    slot: Option<Borrowed<'a, 'py, PyAny>>,
    name: &str,
) -> PyResult<Borrowed<'a, 'py, PyAny>> {
    slot.ok_or_else(|| missing_argument(name))
}
