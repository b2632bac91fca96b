//! Layout test of the hand-written FFI in `runtime/src/ffi`.
//!
//! The declarations there are written by hand, not generated, so nothing but
//! this test ties them to CPython. It proves that, for the interpreter this
//! crate was built against (the build script exports its include directory
//! as `PYO3FT_BUILD_INCLUDE`):
//!
//! - every declared struct has the size and alignment of its C counterpart,
//!   and every declared field has the offset and size of the C field (both
//!   object-header layouts: whichever one this build uses is checked);
//! - every declared constant (type flags, comparison operators, `METH_*`,
//!   module and type slot numbers, member types, native-bytes flags, start
//!   symbols, the vectorcall offset bit, `PyGILState_STATE`, the buffer
//!   protocol's `PyBUF_*` request flags) has the C value;
//! - `build_info` agrees with the headers on `Py_GIL_DISABLED` and the minor
//!   version.
//!
//! How: `tests/layout/layout.c` includes `<Python.h>` and prints one
//! `AREA KEY VALUE` line per fact; this test compiles it with the C compiler
//! (`$CC`, else `gcc`) against those headers, runs it, and compares each line
//! with the Rust value computed by `size_of`, `align_of`, `offset_of!` or the
//! constant itself. The comparison goes both ways within each area: a fact the
//! C side prints that the Rust table does not check is a failure too, so
//! neither side can silently drift. Every test lists all its mismatches at
//! once.

use std::collections::{BTreeMap, BTreeSet};
use std::mem::{align_of, offset_of, size_of};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use pyo3_ft_runtime::{build_info, ffi};

/// The include directories of the interpreter the crate was built against
/// (a path list: one directory, or more for a header-only build).
const INCLUDE: &str = env!("PYO3FT_BUILD_INCLUDE");
/// `-D` flags, space-separated (`-DPy_GIL_DISABLED=1` for the free-threaded
/// configuration of a GIL build's headers).
const DEFINES: &str = env!("PYO3FT_BUILD_DEFINES");
/// That interpreter, for messages.
const PYTHON: &str = env!("PYO3FT_BUILD_PYTHON");
/// The C side; `include_str!` makes cargo rebuild this test when it changes.
const SOURCE: &str = include_str!("layout/layout.c");

/// Areas `layout.c` prints, each checked by one test below.
const AREAS: &[&str] = &[
    "build",
    "object",
    "type",
    "module",
    "spec",
    "critical_section",
    "const",
    "slots",
    "init",
    "datetime",
    "buffer",
    "config",
];

/// What `layout.c` printed: area, then key, then value.
type Facts = BTreeMap<String, BTreeMap<String, i128>>;

/// One expected fact of the Rust side: the key `layout.c` prints it under,
/// and the Rust value.
type Row = (String, i128);

/// `layout.c`'s output, compiled and run once per test process.
fn c_facts() -> &'static Facts {
    static FACTS: OnceLock<Facts> = OnceLock::new();
    FACTS.get_or_init(|| compile_and_run().unwrap_or_else(|message| panic!("{message}")))
}

fn compile_and_run() -> Result<Facts, String> {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let dir = std::env::temp_dir().join(format!("pyo3-ft-layout-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let result = compile_and_run_in(&dir);
    // Best effort: a leftover directory in the temp dir is harmless.
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn compile_and_run_in(dir: &std::path::Path) -> Result<Facts, String> {
    let source = dir.join("layout.c");
    let exe = dir.join("layout");
    std::fs::write(&source, SOURCE)
        .map_err(|e| format!("cannot write {}: {e}", source.display()))?;

    let cc = std::env::var("CC").unwrap_or_else(|_| "gcc".to_owned());
    let compiled = Command::new(&cc)
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror"])
        .args(std::env::split_paths(INCLUDE).map(|dir| format!("-I{}", dir.display())))
        .args(DEFINES.split_whitespace())
        .arg("-o")
        .arg(&exe)
        .arg(&source)
        .output()
        .map_err(|e| format!("cannot run the C compiler `{cc}` (set CC to choose one): {e}"))?;
    if !compiled.status.success() {
        return Err(format!(
            "`{cc}` failed to compile tests/layout/layout.c against {INCLUDE}:\n{}",
            String::from_utf8_lossy(&compiled.stderr)
        ));
    }

    let ran = Command::new(&exe)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
    if !ran.status.success() {
        return Err(format!(
            "{} failed ({}):\n{}",
            exe.display(),
            ran.status,
            String::from_utf8_lossy(&ran.stderr)
        ));
    }

    let mut facts = Facts::new();
    for line in String::from_utf8_lossy(&ran.stdout).lines() {
        let parsed = match line.split_whitespace().collect::<Vec<_>>()[..] {
            [area, key, value] => value.parse::<i128>().ok().map(|v| (area, key, v)),
            _ => None,
        };
        let (area, key, value) =
            parsed.ok_or_else(|| format!("malformed line from layout.c: {line:?}"))?;
        let previous = facts
            .entry(area.to_owned())
            .or_default()
            .insert(key.to_owned(), value);
        if previous.is_some() {
            return Err(format!("layout.c prints `{area} {key}` twice"));
        }
    }
    Ok(facts)
}

/// Compares the Rust rows of one area with what `layout.c` printed for it,
/// both ways, and fails once with every mismatch.
fn check(area: &str, rust: Vec<Row>) {
    assert!(AREAS.contains(&area), "unknown area `{area}`");
    let empty = BTreeMap::new();
    let c = c_facts().get(area).unwrap_or(&empty);
    let mut problems = Vec::new();
    let mut checked = BTreeSet::new();
    for (key, value) in &rust {
        if !checked.insert(key.as_str()) {
            problems.push(format!("{key}: listed twice in the Rust table"));
            continue;
        }
        match c.get(key) {
            Some(c_value) if c_value == value => {}
            Some(c_value) => problems.push(format!("{key}: C {c_value}, Rust {value}")),
            None => problems.push(format!(
                "{key}: checked on the Rust side (Rust {value}), not printed by layout.c"
            )),
        }
    }
    for (key, c_value) in c {
        if !checked.contains(key.as_str()) {
            problems.push(format!(
                "{key}: printed by layout.c (C {c_value}), not checked on the Rust side"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} mismatch(es) between runtime/src/ffi and the headers in {INCLUDE} {DEFINES} \
         (interpreter {PYTHON}), area `{area}`:\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
    // Read by `cargo xtask test` (run with `--nocapture`) to report how many
    // items each configuration checked.
    println!("layout-checked {area} {}", checked.len());
}

/// The size of the field that `project` borrows (a `sizeof(((T *)0)->f)`).
fn field_size<T, F>(_project: impl Fn(&T) -> &F) -> usize {
    size_of::<F>()
}

/// The `sizeof` and `alignof` rows of `ffi::T`, then the `offsetof` and
/// `sizeof` rows of each listed field. `rust_name as "c_name"` checks a field
/// that C spells differently.
macro_rules! layout {
    ($T:ident { $($field:ident $(as $c_name:literal)?),* $(,)? }) => {{
        let ty = stringify!($T);
        #[allow(unused_mut)]
        let mut rows: Vec<Row> = vec![
            (format!("sizeof:{ty}"), size_of::<ffi::$T>() as i128),
            (format!("alignof:{ty}"), align_of::<ffi::$T>() as i128),
        ];
        $(
            let name = layout!(@name $field $($c_name)?);
            rows.push((
                format!("offsetof:{ty}.{name}"),
                offset_of!(ffi::$T, $field) as i128,
            ));
            rows.push((
                format!("sizeof:{ty}.{name}"),
                field_size(|s: &ffi::$T| &s.$field) as i128,
            ));
        )*
        rows
    }};
    (@name $field:ident) => { stringify!($field) };
    (@name $field:ident $c_name:literal) => { $c_name };
}

/// The field rows of [`layout!`] alone, for fields that exist only in some
/// versions (the struct's own rows come from its `layout!`).
#[allow(unused_macros)]
macro_rules! fields {
    ($T:ident { $($field:ident),* $(,)? }) => {{
        let ty = stringify!($T);
        vec![$(
            (
                format!("offsetof:{ty}.{}", stringify!($field)),
                offset_of!(ffi::$T, $field) as i128,
            ),
            (
                format!("sizeof:{ty}.{}", stringify!($field)),
                field_size(|s: &ffi::$T| &s.$field) as i128,
            ),
        )*]
    }};
}

/// Rows of integer constants `ffi::NAME`, keyed by name.
macro_rules! consts {
    ($($name:ident),* $(,)?) => {
        vec![$((stringify!($name).to_owned(), ffi::$name as i128)),*]
    };
}

/// Rows of pointer-valued constants, compared as addresses.
macro_rules! ptr_consts {
    ($($name:ident),* $(,)?) => {
        vec![$((stringify!($name).to_owned(), ffi::$name as usize as i128)),*]
    };
}

#[test]
fn every_area_is_checked() {
    let unknown: Vec<&String> = c_facts()
        .keys()
        .filter(|area| !AREAS.contains(&area.as_str()))
        .collect();
    assert!(
        unknown.is_empty(),
        "layout.c prints areas no test checks: {unknown:?}"
    );
}

#[test]
fn build_configuration() {
    check(
        "build",
        vec![
            (
                "Py_GIL_DISABLED".to_owned(),
                i128::from(build_info::GIL_DISABLED),
            ),
            (
                "PY_MINOR_VERSION".to_owned(),
                i128::from(build_info::PYTHON_MINOR),
            ),
        ],
    );
}

#[test]
fn object_header_layout() {
    #[cfg(Py_GIL_DISABLED)]
    let object = layout!(PyObject {
        ob_tid,
        ob_flags,
        ob_mutex,
        ob_gc_bits,
        ob_ref_local,
        ob_ref_shared,
        ob_type,
    });
    #[cfg(all(not(Py_GIL_DISABLED), not(Py_3_14)))]
    let object = layout!(PyObject { ob_refcnt, ob_type });
    #[cfg(all(not(Py_GIL_DISABLED), Py_3_14))]
    let object = layout!(PyObject {
        ob_refcnt,
        ob_overflow,
        ob_flags,
        ob_type
    });
    check(
        "object",
        [
            object,
            layout!(PyVarObject { ob_base, ob_size }),
            layout!(PyMutex { _bits }),
            layout!(PyFloatObject { ob_base, ob_fval }),
            layout!(PyTupleObject { ob_base, ob_item }),
            layout!(PyListObject {
                ob_base,
                ob_item,
                allocated
            }),
        ]
        .concat(),
    );
}

#[test]
fn type_object_layout() {
    #[cfg(Py_3_15)]
    let since_3_15 = fields!(PyTypeObject { _tp_iteritem });
    #[cfg(not(Py_3_15))]
    let since_3_15 = Vec::new();
    check(
        "type",
        [
            layout!(PyTypeObject {
                ob_base,
                tp_name,
                tp_basicsize,
                tp_itemsize,
                tp_dealloc,
                tp_vectorcall_offset,
                tp_getattr,
                tp_setattr,
                tp_as_async,
                tp_repr,
                tp_as_number,
                tp_as_sequence,
                tp_as_mapping,
                tp_hash,
                tp_call,
                tp_str,
                tp_getattro,
                tp_setattro,
                tp_as_buffer,
                tp_flags,
                tp_doc,
                tp_traverse,
                tp_clear,
                tp_richcompare,
                tp_weaklistoffset,
                tp_iter,
                tp_iternext,
                tp_methods,
                tp_members,
                tp_getset,
                tp_base,
                tp_dict,
                tp_descr_get,
                tp_descr_set,
                tp_dictoffset,
                tp_init,
                tp_alloc,
                tp_new,
                tp_free,
                tp_is_gc,
                tp_bases,
                tp_mro,
                tp_cache,
                tp_subclasses,
                tp_weaklist,
                tp_del,
                tp_version_tag,
                tp_finalize,
                tp_vectorcall,
                tp_watched,
                tp_versions_used,
            }),
            since_3_15,
        ]
        .concat(),
    );
}

#[test]
fn module_and_method_defs() {
    check(
        "module",
        [
            layout!(PyMethodDef {
                ml_name,
                ml_meth,
                ml_flags,
                ml_doc,
            }),
            layout!(PyModuleDef_Base {
                ob_base,
                m_init,
                m_index,
                m_copy,
            }),
            layout!(PyModuleDef_Slot { slot, value }),
            layout!(PyModuleDef {
                m_base,
                m_name,
                m_doc,
                m_size,
                m_methods,
                m_slots,
                m_traverse,
                m_clear,
                m_free,
            }),
        ]
        .concat(),
    );
}

#[test]
fn type_spec_layout() {
    check(
        "spec",
        [
            layout!(PyType_Slot { slot, pfunc }),
            layout!(PyType_Spec {
                name,
                basicsize,
                itemsize,
                flags,
                slots,
            }),
            layout!(PyGetSetDef {
                name,
                get,
                set,
                doc,
                closure,
            }),
            layout!(PyMemberDef {
                name,
                type_code as "type",
                offset,
                flags,
                doc,
            }),
        ]
        .concat(),
    );
}

/// The critical-section structs have a body in free-threaded headers, and
/// from 3.15 (`Include/critical_section.h`) in GIL builds' too; on GIL builds
/// of 3.13 and 3.14 both sides of this area are empty.
#[test]
fn critical_section_layout() {
    let rows = if build_info::GIL_DISABLED || cfg!(Py_3_15) {
        [
            layout!(PyCriticalSection {
                _cs_prev,
                _cs_mutex,
            }),
            layout!(PyCriticalSection2 {
                _cs_base,
                _cs_mutex2,
            }),
        ]
        .concat()
    } else {
        Vec::new()
    };
    check("critical_section", rows);
}

/// The headers of statically allocated objects: `PyObject_HEAD_INIT(NULL)`
/// and `PyModuleDef_HEAD_INIT` must give exactly what C's macros give (3.14
/// flags static objects in `ob_flags`, and 3.15t's `PyModuleDef_Init`
/// rejects a definition without that flag).
#[test]
fn static_initializers() {
    fn header(name: &str, head: &ffi::PyObject) -> Vec<Row> {
        let row = |field: &str, value: i128| (format!("{name}.{field}"), value);
        #[cfg(Py_GIL_DISABLED)]
        let rows = vec![
            row("ob_tid", head.ob_tid as i128),
            row("ob_flags", head.ob_flags.into()),
            row("ob_mutex", head.ob_mutex._bits.into()),
            row("ob_gc_bits", head.ob_gc_bits.into()),
            row("ob_ref_local", head.ob_ref_local.into()),
            row("ob_ref_shared", head.ob_ref_shared as i128),
        ];
        #[cfg(all(not(Py_GIL_DISABLED), not(Py_3_14)))]
        let rows = vec![row("ob_refcnt", head.ob_refcnt as i128)];
        #[cfg(all(not(Py_GIL_DISABLED), Py_3_14))]
        let rows = vec![
            row("ob_refcnt", head.ob_refcnt.into()),
            row("ob_overflow", head.ob_overflow.into()),
            row("ob_flags", head.ob_flags.into()),
        ];
        [rows, vec![row("ob_type", head.ob_type as usize as i128)]].concat()
    }
    let base = ffi::PyModuleDef_HEAD_INIT;
    let name = "PyModuleDef_HEAD_INIT";
    check(
        "init",
        [
            header("PyObject_HEAD_INIT", &ffi::PyObject_HEAD_INIT),
            header(name, &base.ob_base),
            vec![
                (
                    format!("{name}.m_init"),
                    base.m_init.map_or(0, |f| f as usize as i128),
                ),
                (format!("{name}.m_index"), base.m_index as i128),
                (format!("{name}.m_copy"), base.m_copy as usize as i128),
            ],
        ]
        .concat(),
    );
}

#[test]
fn datetime_layout() {
    let instances = [
        layout!(PyDateTime_TZInfo {}),
        layout!(PyDateTime_Delta {
            hashcode,
            days,
            seconds,
            microseconds,
        }),
        layout!(PyDateTime_Date {
            hashcode,
            hastzinfo,
            data,
        }),
        layout!(PyDateTime_Time {
            hashcode,
            hastzinfo,
            data,
            fold,
            tzinfo,
        }),
        layout!(PyDateTime_DateTime {
            hashcode,
            hastzinfo,
            data,
            fold,
            tzinfo,
        }),
    ];
    let capi = layout!(PyDateTime_CAPI {
        DateType,
        DateTimeType,
        TimeType,
        DeltaType,
        TZInfoType,
        TimeZone_UTC,
        Date_FromDate,
        DateTime_FromDateAndTime,
        Time_FromTime,
        Delta_FromDelta,
        TimeZone_FromTimeZone,
        DateTime_FromTimestamp,
        Date_FromTimestamp,
        DateTime_FromDateAndTimeAndFold,
        Time_FromTimeAndFold,
    });
    check("datetime", [instances.concat(), capi].concat());
}

/// The buffer protocol: `Py_buffer` (filled by exporters, read by consumers
/// in place), `PyBufferProcs`, and the request flags.
#[test]
fn buffer_layout() {
    check(
        "buffer",
        [
            layout!(Py_buffer {
                buf,
                obj,
                len,
                itemsize,
                readonly,
                ndim,
                format,
                shape,
                strides,
                suboffsets,
                internal,
            }),
            layout!(PyBufferProcs {
                bf_getbuffer,
                bf_releasebuffer,
            }),
            consts![
                PyBUF_MAX_NDIM,
                PyBUF_SIMPLE,
                PyBUF_WRITABLE,
                PyBUF_WRITEABLE,
                PyBUF_FORMAT,
                PyBUF_ND,
                PyBUF_STRIDES,
                PyBUF_C_CONTIGUOUS,
                PyBUF_F_CONTIGUOUS,
                PyBUF_ANY_CONTIGUOUS,
                PyBUF_INDIRECT,
                PyBUF_CONTIG,
                PyBUF_CONTIG_RO,
                PyBUF_STRIDED,
                PyBUF_STRIDED_RO,
                PyBUF_RECORDS,
                PyBUF_RECORDS_RO,
                PyBUF_FULL,
                PyBUF_FULL_RO,
                PyBUF_READ,
                PyBUF_WRITE,
            ],
        ]
        .concat(),
    );
}

/// PEP 587 configuration: `PyStatus` is returned by value and `PyConfig`
/// written field by field; the version- and build-specific fields are
/// checked where the headers have them.
#[test]
fn config_layout() {
    // The field rows of a `layout!` (without its struct's size and alignment).
    #[cfg_attr(not(any(Py_GIL_DISABLED, Py_3_14)), allow(unused_variables))]
    let fields = |rows: Vec<Row>| rows[2..].to_vec();
    let pystatus = layout!(PyStatus {
        _type,
        func,
        err_msg,
        exitcode,
    });
    let pywidestringlist = layout!(PyWideStringList { length, items });
    let pypreconfig = layout!(PyPreConfig {
        _config_init,
        parse_argv,
        isolated,
        use_environment,
        configure_locale,
        coerce_c_locale,
        coerce_c_locale_warn,
        utf8_mode,
        dev_mode,
        allocator,
    });
    #[allow(unused_mut)] // no version-specific field on 3.13 GIL builds
    let mut pyconfig = layout!(PyConfig {
        _config_init,
        isolated,
        use_environment,
        dev_mode,
        install_signal_handlers,
        use_hash_seed,
        hash_seed,
        faulthandler,
        tracemalloc,
        perf_profiling,
        import_time,
        code_debug_ranges,
        show_ref_count,
        dump_refs,
        dump_refs_file,
        malloc_stats,
        filesystem_encoding,
        filesystem_errors,
        pycache_prefix,
        parse_argv,
        orig_argv,
        argv,
        xoptions,
        warnoptions,
        site_import,
        bytes_warning,
        warn_default_encoding,
        inspect,
        interactive,
        optimization_level,
        parser_debug,
        write_bytecode,
        verbose,
        quiet,
        user_site_directory,
        configure_c_stdio,
        buffered_stdio,
        stdio_encoding,
        stdio_errors,
        check_hash_pycs_mode,
        use_frozen_modules,
        safe_path,
        int_max_str_digits,
        cpu_count,
        pathconfig_warnings,
        program_name,
        pythonpath_env,
        home,
        platlibdir,
        module_search_paths_set,
        module_search_paths,
        stdlib_dir,
        executable,
        base_executable,
        prefix,
        base_prefix,
        exec_prefix,
        base_exec_prefix,
        skip_source_first_line,
        run_command,
        run_module,
        run_filename,
        sys_path_0,
        _install_importlib,
        _init_main,
        _is_python_build,
    });
    #[cfg(Py_3_14)]
    pyconfig.extend(fields(layout!(PyConfig { remote_debug })));
    #[cfg(Py_3_15)]
    pyconfig.extend(fields(layout!(PyConfig { pymalloc_hugepages })));
    #[cfg(Py_3_14)]
    pyconfig.extend(fields(layout!(PyConfig {
        thread_inherit_context
    })));
    #[cfg(Py_3_14)]
    pyconfig.extend(fields(layout!(PyConfig {
        context_aware_warnings
    })));
    #[cfg(all(Py_3_14, target_vendor = "apple"))]
    pyconfig.extend(fields(layout!(PyConfig { use_system_logger })));
    #[cfg(Py_GIL_DISABLED)]
    pyconfig.extend(fields(layout!(PyConfig { enable_gil })));
    #[cfg(all(Py_GIL_DISABLED, Py_3_14))]
    pyconfig.extend(fields(layout!(PyConfig { tlbc_enabled })));
    #[cfg(Py_3_15)]
    pyconfig.extend(fields(layout!(PyConfig { lazy_imports })));
    check(
        "config",
        [
            pystatus,
            pywidestringlist,
            pypreconfig,
            pyconfig,
            consts![_PyStatus_TYPE_OK, _PyStatus_TYPE_ERROR, _PyStatus_TYPE_EXIT],
        ]
        .concat(),
    );
}

#[test]
fn constants() {
    use ffi::PyGILState_STATE::{PyGILState_LOCKED, PyGILState_UNLOCKED};
    #[cfg(Py_GIL_DISABLED)]
    let biased = consts![_Py_IMMORTAL_REFCNT_LOCAL, _Py_REF_SHARED_SHIFT];
    #[cfg(not(Py_GIL_DISABLED))]
    let biased = Vec::new();
    #[cfg(Py_3_14)]
    let immortal = consts![
        _Py_IMMORTAL_INITIAL_REFCNT,
        _Py_IMMORTAL_FLAGS,
        _Py_STATICALLY_ALLOCATED_FLAG,
    ];
    #[cfg(not(Py_3_14))]
    let immortal = consts![_Py_IMMORTAL_REFCNT];
    check(
        "const",
        [
            biased,
            immortal,
            consts![
                Py_TPFLAGS_MANAGED_DICT,
                Py_TPFLAGS_MANAGED_WEAKREF,
                Py_TPFLAGS_HEAPTYPE,
                Py_TPFLAGS_BASETYPE,
                Py_TPFLAGS_HAVE_VECTORCALL,
                Py_TPFLAGS_IMMUTABLETYPE,
                Py_TPFLAGS_DISALLOW_INSTANTIATION,
                Py_TPFLAGS_HAVE_GC,
                Py_TPFLAGS_LONG_SUBCLASS,
                Py_TPFLAGS_LIST_SUBCLASS,
                Py_TPFLAGS_TUPLE_SUBCLASS,
                Py_TPFLAGS_BYTES_SUBCLASS,
                Py_TPFLAGS_UNICODE_SUBCLASS,
                Py_TPFLAGS_DICT_SUBCLASS,
                Py_TPFLAGS_BASE_EXC_SUBCLASS,
                Py_TPFLAGS_TYPE_SUBCLASS,
                Py_TPFLAGS_DEFAULT,
                Py_LT,
                Py_LE,
                Py_EQ,
                Py_NE,
                Py_GT,
                Py_GE,
                METH_VARARGS,
                METH_KEYWORDS,
                METH_NOARGS,
                METH_O,
                METH_CLASS,
                METH_STATIC,
                METH_COEXIST,
                METH_FASTCALL,
                Py_mod_create,
                Py_mod_exec,
                Py_mod_multiple_interpreters,
                Py_mod_gil,
                Py_T_PYSSIZET,
                Py_READONLY,
                Py_ASNATIVEBYTES_LITTLE_ENDIAN,
                Py_ASNATIVEBYTES_NATIVE_ENDIAN,
                Py_ASNATIVEBYTES_UNSIGNED_BUFFER,
                Py_ASNATIVEBYTES_REJECT_NEGATIVE,
                Py_single_input,
                Py_file_input,
                Py_eval_input,
                PY_VECTORCALL_ARGUMENTS_OFFSET,
            ],
            ptr_consts![
                Py_MOD_GIL_USED,
                Py_MOD_GIL_NOT_USED,
                Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED,
            ],
            vec![
                ("PyGILState_LOCKED".to_owned(), PyGILState_LOCKED as i128),
                (
                    "PyGILState_UNLOCKED".to_owned(),
                    PyGILState_UNLOCKED as i128,
                ),
                (
                    "sizeof:PyGILState_STATE".to_owned(),
                    size_of::<ffi::PyGILState_STATE>() as i128,
                ),
            ],
        ]
        .concat(),
    );
}

#[test]
fn type_slot_numbers() {
    check(
        "slots",
        consts![
            Py_bf_getbuffer,
            Py_bf_releasebuffer,
            Py_mp_ass_subscript,
            Py_mp_length,
            Py_mp_subscript,
            Py_nb_absolute,
            Py_nb_add,
            Py_nb_and,
            Py_nb_bool,
            Py_nb_divmod,
            Py_nb_float,
            Py_nb_floor_divide,
            Py_nb_index,
            Py_nb_inplace_add,
            Py_nb_inplace_and,
            Py_nb_inplace_floor_divide,
            Py_nb_inplace_lshift,
            Py_nb_inplace_multiply,
            Py_nb_inplace_or,
            Py_nb_inplace_power,
            Py_nb_inplace_remainder,
            Py_nb_inplace_rshift,
            Py_nb_inplace_subtract,
            Py_nb_inplace_true_divide,
            Py_nb_inplace_xor,
            Py_nb_int,
            Py_nb_invert,
            Py_nb_lshift,
            Py_nb_multiply,
            Py_nb_negative,
            Py_nb_or,
            Py_nb_positive,
            Py_nb_power,
            Py_nb_remainder,
            Py_nb_rshift,
            Py_nb_subtract,
            Py_nb_true_divide,
            Py_nb_xor,
            Py_sq_ass_item,
            Py_sq_concat,
            Py_sq_contains,
            Py_sq_inplace_concat,
            Py_sq_inplace_repeat,
            Py_sq_item,
            Py_sq_length,
            Py_sq_repeat,
            Py_tp_alloc,
            Py_tp_base,
            Py_tp_bases,
            Py_tp_call,
            Py_tp_clear,
            Py_tp_dealloc,
            Py_tp_del,
            Py_tp_descr_get,
            Py_tp_descr_set,
            Py_tp_doc,
            Py_tp_getattr,
            Py_tp_getattro,
            Py_tp_hash,
            Py_tp_init,
            Py_tp_is_gc,
            Py_tp_iter,
            Py_tp_iternext,
            Py_tp_methods,
            Py_tp_new,
            Py_tp_repr,
            Py_tp_richcompare,
            Py_tp_setattr,
            Py_tp_setattro,
            Py_tp_str,
            Py_tp_traverse,
            Py_tp_members,
            Py_tp_getset,
            Py_tp_free,
            Py_nb_matrix_multiply,
            Py_nb_inplace_matrix_multiply,
            Py_am_await,
            Py_am_aiter,
            Py_am_anext,
            Py_tp_finalize,
            Py_am_send,
        ],
    );
}
