/*
 * Prints the layout facts and constant values that the hand-written FFI of
 * pyo3-ft-runtime (runtime/src/ffi) must agree with, as seen by a C compiler
 * reading the interpreter's own headers. Compiled and run by
 * runtime/tests/layout.rs, which compares every line against the Rust side.
 *
 * Output: one `AREA KEY VALUE` line per fact, where KEY is one of
 *   sizeof:T      alignof:T      offsetof:T.field      sizeof:T.field
 *   NAME          (the value of a constant)
 * Keys use the C names, except where noted.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
/* Only the struct is wanted: without this the header defines an unused
 * static `PyDateTimeAPI`, which -Werror rejects. */
#define _PY_DATETIME_IMPL
#include <datetime.h>
#undef _PY_DATETIME_IMPL

#include <stddef.h>
#include <stdio.h>

static const char *area = "";

#define STRUCT(T)                                                              \
    do {                                                                       \
        printf("%s sizeof:%s %zu\n", area, #T, sizeof(T));                     \
        printf("%s alignof:%s %zu\n", area, #T, _Alignof(T));                  \
    } while (0)

/* A field reported under `name` (which differs from `f` only for fields
 * renamed between versions). */
#define FIELD_AS(T, f, name)                                                   \
    do {                                                                       \
        printf("%s offsetof:%s.%s %zu\n", area, #T, name, offsetof(T, f));     \
        printf("%s sizeof:%s.%s %zu\n", area, #T, name, sizeof(((T *)0)->f));  \
    } while (0)

#define FIELD(T, f) FIELD_AS(T, f, #f)

/* Integer constants, signed and unsigned, and pointer-valued constants. */
#define ICONST(c) printf("%s %s %lld\n", area, #c, (long long)(c))
#define UCONST(c) printf("%s %s %llu\n", area, #c, (unsigned long long)(c))
#define PCONST(c) printf("%s %s %llu\n", area, #c, (unsigned long long)(uintptr_t)(c))

static void object(void)
{
    area = "object";
    STRUCT(PyObject);
#ifdef Py_GIL_DISABLED
    FIELD(PyObject, ob_tid);
#  if PY_VERSION_HEX >= 0x030E0000
    FIELD(PyObject, ob_flags);
#  else
    /* `_padding` in 3.13, renamed `ob_flags` in 3.14. */
    FIELD_AS(PyObject, _padding, "ob_flags");
#  endif
    FIELD(PyObject, ob_mutex);
    FIELD(PyObject, ob_gc_bits);
    FIELD(PyObject, ob_ref_local);
    FIELD(PyObject, ob_ref_shared);
#else
    FIELD(PyObject, ob_refcnt);
#  if PY_VERSION_HEX >= 0x030E0000
    /* 3.14: a union; `ob_refcnt` is its low 32 bits. */
    FIELD(PyObject, ob_overflow);
    FIELD(PyObject, ob_flags);
#  endif
#endif
    FIELD(PyObject, ob_type);

    STRUCT(PyVarObject);
    FIELD(PyVarObject, ob_base);
    FIELD(PyVarObject, ob_size);

    STRUCT(PyMutex);
    FIELD(PyMutex, _bits);

    STRUCT(PyFloatObject);
    FIELD(PyFloatObject, ob_base);
    FIELD(PyFloatObject, ob_fval);

    STRUCT(PyTupleObject);
    FIELD(PyTupleObject, ob_base);
    FIELD(PyTupleObject, ob_item);

    STRUCT(PyListObject);
    FIELD(PyListObject, ob_base);
    FIELD(PyListObject, ob_item);
    FIELD(PyListObject, allocated);
}

static void type_object(void)
{
    area = "type";
    STRUCT(PyTypeObject);
    FIELD(PyTypeObject, ob_base);
    FIELD(PyTypeObject, tp_name);
    FIELD(PyTypeObject, tp_basicsize);
    FIELD(PyTypeObject, tp_itemsize);
    FIELD(PyTypeObject, tp_dealloc);
    FIELD(PyTypeObject, tp_vectorcall_offset);
    FIELD(PyTypeObject, tp_getattr);
    FIELD(PyTypeObject, tp_setattr);
    FIELD(PyTypeObject, tp_as_async);
    FIELD(PyTypeObject, tp_repr);
    FIELD(PyTypeObject, tp_as_number);
    FIELD(PyTypeObject, tp_as_sequence);
    FIELD(PyTypeObject, tp_as_mapping);
    FIELD(PyTypeObject, tp_hash);
    FIELD(PyTypeObject, tp_call);
    FIELD(PyTypeObject, tp_str);
    FIELD(PyTypeObject, tp_getattro);
    FIELD(PyTypeObject, tp_setattro);
    FIELD(PyTypeObject, tp_as_buffer);
    FIELD(PyTypeObject, tp_flags);
    FIELD(PyTypeObject, tp_doc);
    FIELD(PyTypeObject, tp_traverse);
    FIELD(PyTypeObject, tp_clear);
    FIELD(PyTypeObject, tp_richcompare);
    FIELD(PyTypeObject, tp_weaklistoffset);
    FIELD(PyTypeObject, tp_iter);
    FIELD(PyTypeObject, tp_iternext);
    FIELD(PyTypeObject, tp_methods);
    FIELD(PyTypeObject, tp_members);
    FIELD(PyTypeObject, tp_getset);
    FIELD(PyTypeObject, tp_base);
    FIELD(PyTypeObject, tp_dict);
    FIELD(PyTypeObject, tp_descr_get);
    FIELD(PyTypeObject, tp_descr_set);
    FIELD(PyTypeObject, tp_dictoffset);
    FIELD(PyTypeObject, tp_init);
    FIELD(PyTypeObject, tp_alloc);
    FIELD(PyTypeObject, tp_new);
    FIELD(PyTypeObject, tp_free);
    FIELD(PyTypeObject, tp_is_gc);
    FIELD(PyTypeObject, tp_bases);
    FIELD(PyTypeObject, tp_mro);
    FIELD(PyTypeObject, tp_cache);
    FIELD(PyTypeObject, tp_subclasses);
    FIELD(PyTypeObject, tp_weaklist);
    FIELD(PyTypeObject, tp_del);
    FIELD(PyTypeObject, tp_version_tag);
    FIELD(PyTypeObject, tp_finalize);
    FIELD(PyTypeObject, tp_vectorcall);
    FIELD(PyTypeObject, tp_watched);
    FIELD(PyTypeObject, tp_versions_used);
#if PY_VERSION_HEX >= 0x030F0000
    FIELD(PyTypeObject, _tp_iteritem);
#endif
}

static void module(void)
{
    area = "module";
    STRUCT(PyMethodDef);
    FIELD(PyMethodDef, ml_name);
    FIELD(PyMethodDef, ml_meth);
    FIELD(PyMethodDef, ml_flags);
    FIELD(PyMethodDef, ml_doc);

    STRUCT(PyModuleDef_Base);
    FIELD(PyModuleDef_Base, ob_base);
    FIELD(PyModuleDef_Base, m_init);
    FIELD(PyModuleDef_Base, m_index);
    FIELD(PyModuleDef_Base, m_copy);

    STRUCT(PyModuleDef_Slot);
    FIELD(PyModuleDef_Slot, slot);
    FIELD(PyModuleDef_Slot, value);

    STRUCT(PyModuleDef);
    FIELD(PyModuleDef, m_base);
    FIELD(PyModuleDef, m_name);
    FIELD(PyModuleDef, m_doc);
    FIELD(PyModuleDef, m_size);
    FIELD(PyModuleDef, m_methods);
    FIELD(PyModuleDef, m_slots);
    FIELD(PyModuleDef, m_traverse);
    FIELD(PyModuleDef, m_clear);
    FIELD(PyModuleDef, m_free);
}

static void type_spec(void)
{
    area = "spec";
    STRUCT(PyType_Slot);
    FIELD(PyType_Slot, slot);
    FIELD(PyType_Slot, pfunc);

    STRUCT(PyType_Spec);
    FIELD(PyType_Spec, name);
    FIELD(PyType_Spec, basicsize);
    FIELD(PyType_Spec, itemsize);
    FIELD(PyType_Spec, flags);
    FIELD(PyType_Spec, slots);

    STRUCT(PyGetSetDef);
    FIELD(PyGetSetDef, name);
    FIELD(PyGetSetDef, get);
    FIELD(PyGetSetDef, set);
    FIELD(PyGetSetDef, doc);
    FIELD(PyGetSetDef, closure);

    STRUCT(PyMemberDef);
    FIELD(PyMemberDef, name);
    FIELD(PyMemberDef, type);
    FIELD(PyMemberDef, offset);
    FIELD(PyMemberDef, flags);
    FIELD(PyMemberDef, doc);
}

/* The structs are complete types on free-threaded builds, and from 3.15 on
 * GIL builds too: on GIL builds of 3.13 and 3.14 the header declares them
 * without a body. */
static void critical_section(void)
{
    area = "critical_section";
#if defined(Py_GIL_DISABLED) || PY_VERSION_HEX >= 0x030F0000
    STRUCT(PyCriticalSection);
    FIELD(PyCriticalSection, _cs_prev);
    FIELD(PyCriticalSection, _cs_mutex);

    STRUCT(PyCriticalSection2);
    FIELD(PyCriticalSection2, _cs_base);
    FIELD(PyCriticalSection2, _cs_mutex2);
#endif
}

static void constants(void)
{
    area = "build";
#ifdef Py_GIL_DISABLED
    printf("%s Py_GIL_DISABLED 1\n", area);
#else
    printf("%s Py_GIL_DISABLED 0\n", area);
#endif
    ICONST(PY_MINOR_VERSION);

    area = "const";
#ifdef Py_GIL_DISABLED
    UCONST(_Py_IMMORTAL_REFCNT_LOCAL);
    ICONST(_Py_REF_SHARED_SHIFT);
#endif
#if PY_VERSION_HEX >= 0x030E0000
    UCONST(_Py_IMMORTAL_INITIAL_REFCNT);
    ICONST(_Py_IMMORTAL_FLAGS);
    ICONST(_Py_STATICALLY_ALLOCATED_FLAG);
#else
    ICONST(_Py_IMMORTAL_REFCNT);
#endif
    UCONST(Py_TPFLAGS_MANAGED_DICT);
    UCONST(Py_TPFLAGS_MANAGED_WEAKREF);
    UCONST(Py_TPFLAGS_HEAPTYPE);
    UCONST(Py_TPFLAGS_BASETYPE);
    UCONST(Py_TPFLAGS_HAVE_VECTORCALL);
    UCONST(Py_TPFLAGS_IMMUTABLETYPE);
    UCONST(Py_TPFLAGS_DISALLOW_INSTANTIATION);
    UCONST(Py_TPFLAGS_HAVE_GC);
    UCONST(Py_TPFLAGS_LONG_SUBCLASS);
    UCONST(Py_TPFLAGS_LIST_SUBCLASS);
    UCONST(Py_TPFLAGS_TUPLE_SUBCLASS);
    UCONST(Py_TPFLAGS_BYTES_SUBCLASS);
    UCONST(Py_TPFLAGS_UNICODE_SUBCLASS);
    UCONST(Py_TPFLAGS_DICT_SUBCLASS);
    UCONST(Py_TPFLAGS_BASE_EXC_SUBCLASS);
    UCONST(Py_TPFLAGS_TYPE_SUBCLASS);
    UCONST(Py_TPFLAGS_DEFAULT);

    ICONST(Py_LT);
    ICONST(Py_LE);
    ICONST(Py_EQ);
    ICONST(Py_NE);
    ICONST(Py_GT);
    ICONST(Py_GE);

    ICONST(METH_VARARGS);
    ICONST(METH_KEYWORDS);
    ICONST(METH_NOARGS);
    ICONST(METH_O);
    ICONST(METH_CLASS);
    ICONST(METH_STATIC);
    ICONST(METH_COEXIST);
    ICONST(METH_FASTCALL);

    ICONST(Py_mod_create);
    ICONST(Py_mod_exec);
    ICONST(Py_mod_multiple_interpreters);
    ICONST(Py_mod_gil);
    PCONST(Py_MOD_GIL_USED);
    PCONST(Py_MOD_GIL_NOT_USED);
    PCONST(Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED);

    ICONST(Py_T_PYSSIZET);
    ICONST(Py_READONLY);

    ICONST(Py_ASNATIVEBYTES_LITTLE_ENDIAN);
    ICONST(Py_ASNATIVEBYTES_NATIVE_ENDIAN);
    ICONST(Py_ASNATIVEBYTES_UNSIGNED_BUFFER);
    ICONST(Py_ASNATIVEBYTES_REJECT_NEGATIVE);

    ICONST(Py_single_input);
    ICONST(Py_file_input);
    ICONST(Py_eval_input);

    UCONST(PY_VECTORCALL_ARGUMENTS_OFFSET);

    ICONST(PyGILState_LOCKED);
    ICONST(PyGILState_UNLOCKED);
    printf("%s sizeof:PyGILState_STATE %zu\n", area, sizeof(PyGILState_STATE));
}

static void slots(void)
{
    area = "slots";
    ICONST(Py_bf_getbuffer);
    ICONST(Py_bf_releasebuffer);
    ICONST(Py_mp_ass_subscript);
    ICONST(Py_mp_length);
    ICONST(Py_mp_subscript);
    ICONST(Py_nb_absolute);
    ICONST(Py_nb_add);
    ICONST(Py_nb_and);
    ICONST(Py_nb_bool);
    ICONST(Py_nb_divmod);
    ICONST(Py_nb_float);
    ICONST(Py_nb_floor_divide);
    ICONST(Py_nb_index);
    ICONST(Py_nb_inplace_add);
    ICONST(Py_nb_inplace_and);
    ICONST(Py_nb_inplace_floor_divide);
    ICONST(Py_nb_inplace_lshift);
    ICONST(Py_nb_inplace_multiply);
    ICONST(Py_nb_inplace_or);
    ICONST(Py_nb_inplace_power);
    ICONST(Py_nb_inplace_remainder);
    ICONST(Py_nb_inplace_rshift);
    ICONST(Py_nb_inplace_subtract);
    ICONST(Py_nb_inplace_true_divide);
    ICONST(Py_nb_inplace_xor);
    ICONST(Py_nb_int);
    ICONST(Py_nb_invert);
    ICONST(Py_nb_lshift);
    ICONST(Py_nb_multiply);
    ICONST(Py_nb_negative);
    ICONST(Py_nb_or);
    ICONST(Py_nb_positive);
    ICONST(Py_nb_power);
    ICONST(Py_nb_remainder);
    ICONST(Py_nb_rshift);
    ICONST(Py_nb_subtract);
    ICONST(Py_nb_true_divide);
    ICONST(Py_nb_xor);
    ICONST(Py_sq_ass_item);
    ICONST(Py_sq_concat);
    ICONST(Py_sq_contains);
    ICONST(Py_sq_inplace_concat);
    ICONST(Py_sq_inplace_repeat);
    ICONST(Py_sq_item);
    ICONST(Py_sq_length);
    ICONST(Py_sq_repeat);
    ICONST(Py_tp_alloc);
    ICONST(Py_tp_base);
    ICONST(Py_tp_bases);
    ICONST(Py_tp_call);
    ICONST(Py_tp_clear);
    ICONST(Py_tp_dealloc);
    ICONST(Py_tp_del);
    ICONST(Py_tp_descr_get);
    ICONST(Py_tp_descr_set);
    ICONST(Py_tp_doc);
    ICONST(Py_tp_getattr);
    ICONST(Py_tp_getattro);
    ICONST(Py_tp_hash);
    ICONST(Py_tp_init);
    ICONST(Py_tp_is_gc);
    ICONST(Py_tp_iter);
    ICONST(Py_tp_iternext);
    ICONST(Py_tp_methods);
    ICONST(Py_tp_new);
    ICONST(Py_tp_repr);
    ICONST(Py_tp_richcompare);
    ICONST(Py_tp_setattr);
    ICONST(Py_tp_setattro);
    ICONST(Py_tp_str);
    ICONST(Py_tp_traverse);
    ICONST(Py_tp_members);
    ICONST(Py_tp_getset);
    ICONST(Py_tp_free);
    ICONST(Py_nb_matrix_multiply);
    ICONST(Py_nb_inplace_matrix_multiply);
    ICONST(Py_am_await);
    ICONST(Py_am_aiter);
    ICONST(Py_am_anext);
    ICONST(Py_tp_finalize);
    ICONST(Py_am_send);
}

/* The header fields of a statically allocated object, as the initializer
 * macros set them. */
static void header_values(const char *name, PyObject *o)
{
#define HEADER(f, fmt, cast)                                                    \
    printf("%s %s.%s " fmt "\n", area, name, #f, (cast)(o->f))
#ifdef Py_GIL_DISABLED
    HEADER(ob_tid, "%llu", unsigned long long);
#  if PY_VERSION_HEX >= 0x030E0000
    HEADER(ob_flags, "%llu", unsigned long long);
#  else
    printf("%s %s.ob_flags %llu\n", area, name, (unsigned long long)o->_padding);
#  endif
    printf("%s %s.ob_mutex %llu\n", area, name, (unsigned long long)o->ob_mutex._bits);
    HEADER(ob_gc_bits, "%llu", unsigned long long);
    HEADER(ob_ref_local, "%llu", unsigned long long);
    HEADER(ob_ref_shared, "%lld", long long);
#else
#  if PY_VERSION_HEX >= 0x030E0000
    HEADER(ob_refcnt, "%llu", unsigned long long);
    HEADER(ob_overflow, "%llu", unsigned long long);
    HEADER(ob_flags, "%llu", unsigned long long);
#  else
    HEADER(ob_refcnt, "%lld", long long);
#  endif
#endif
    printf("%s %s.ob_type %llu\n", area, name, (unsigned long long)(uintptr_t)o->ob_type);
#undef HEADER
}

static void initializers(void)
{
    static struct {
        PyObject ob_base;
    } head = {PyObject_HEAD_INIT(NULL)};
    static PyModuleDef_Base base = PyModuleDef_HEAD_INIT;

    area = "init";
    header_values("PyObject_HEAD_INIT", &head.ob_base);
    header_values("PyModuleDef_HEAD_INIT", &base.ob_base);
    printf("%s PyModuleDef_HEAD_INIT.m_init %llu\n", area,
           (unsigned long long)(uintptr_t)base.m_init);
    printf("%s PyModuleDef_HEAD_INIT.m_index %lld\n", area, (long long)base.m_index);
    printf("%s PyModuleDef_HEAD_INIT.m_copy %llu\n", area,
           (unsigned long long)(uintptr_t)base.m_copy);
}

/* The datetime instance layouts its accessor macros read, and the table of
 * its capsule (`datetime.h` is not part of `Python.h`). */
static void datetime_capi(void)
{
    area = "datetime";
    STRUCT(PyDateTime_Delta);
    FIELD(PyDateTime_Delta, hashcode);
    FIELD(PyDateTime_Delta, days);
    FIELD(PyDateTime_Delta, seconds);
    FIELD(PyDateTime_Delta, microseconds);
    STRUCT(PyDateTime_TZInfo);
    STRUCT(PyDateTime_Date);
    FIELD(PyDateTime_Date, hashcode);
    FIELD(PyDateTime_Date, hastzinfo);
    FIELD(PyDateTime_Date, data);
    STRUCT(PyDateTime_Time);
    FIELD(PyDateTime_Time, hashcode);
    FIELD(PyDateTime_Time, hastzinfo);
    FIELD(PyDateTime_Time, data);
    FIELD(PyDateTime_Time, fold);
    FIELD(PyDateTime_Time, tzinfo);
    STRUCT(PyDateTime_DateTime);
    FIELD(PyDateTime_DateTime, hashcode);
    FIELD(PyDateTime_DateTime, hastzinfo);
    FIELD(PyDateTime_DateTime, data);
    FIELD(PyDateTime_DateTime, fold);
    FIELD(PyDateTime_DateTime, tzinfo);
    STRUCT(PyDateTime_CAPI);
    FIELD(PyDateTime_CAPI, DateType);
    FIELD(PyDateTime_CAPI, DateTimeType);
    FIELD(PyDateTime_CAPI, TimeType);
    FIELD(PyDateTime_CAPI, DeltaType);
    FIELD(PyDateTime_CAPI, TZInfoType);
    FIELD(PyDateTime_CAPI, TimeZone_UTC);
    FIELD(PyDateTime_CAPI, Date_FromDate);
    FIELD(PyDateTime_CAPI, DateTime_FromDateAndTime);
    FIELD(PyDateTime_CAPI, Time_FromTime);
    FIELD(PyDateTime_CAPI, Delta_FromDelta);
    FIELD(PyDateTime_CAPI, TimeZone_FromTimeZone);
    FIELD(PyDateTime_CAPI, DateTime_FromTimestamp);
    FIELD(PyDateTime_CAPI, Date_FromTimestamp);
    FIELD(PyDateTime_CAPI, DateTime_FromDateAndTimeAndFold);
    FIELD(PyDateTime_CAPI, Time_FromTimeAndFold);
}

/* The buffer protocol (`pybuffer.h`, `PyBufferProcs` in `cpython/object.h`):
 * `Py_buffer` is filled by exporters and read by consumers in place. */
static void buffer(void)
{
    area = "buffer";
    STRUCT(Py_buffer);
    FIELD(Py_buffer, buf);
    FIELD(Py_buffer, obj);
    FIELD(Py_buffer, len);
    FIELD(Py_buffer, itemsize);
    FIELD(Py_buffer, readonly);
    FIELD(Py_buffer, ndim);
    FIELD(Py_buffer, format);
    FIELD(Py_buffer, shape);
    FIELD(Py_buffer, strides);
    FIELD(Py_buffer, suboffsets);
    FIELD(Py_buffer, internal);
    STRUCT(PyBufferProcs);
    FIELD(PyBufferProcs, bf_getbuffer);
    FIELD(PyBufferProcs, bf_releasebuffer);
    ICONST(PyBUF_MAX_NDIM);
    ICONST(PyBUF_SIMPLE);
    ICONST(PyBUF_WRITABLE);
    ICONST(PyBUF_WRITEABLE);
    ICONST(PyBUF_FORMAT);
    ICONST(PyBUF_ND);
    ICONST(PyBUF_STRIDES);
    ICONST(PyBUF_C_CONTIGUOUS);
    ICONST(PyBUF_F_CONTIGUOUS);
    ICONST(PyBUF_ANY_CONTIGUOUS);
    ICONST(PyBUF_INDIRECT);
    ICONST(PyBUF_CONTIG);
    ICONST(PyBUF_CONTIG_RO);
    ICONST(PyBUF_STRIDED);
    ICONST(PyBUF_STRIDED_RO);
    ICONST(PyBUF_RECORDS);
    ICONST(PyBUF_RECORDS_RO);
    ICONST(PyBUF_FULL);
    ICONST(PyBUF_FULL_RO);
    ICONST(PyBUF_READ);
    ICONST(PyBUF_WRITE);
}

/* PEP 587 configuration (`cpython/initconfig.h`): `PyStatus` is returned
 * by value and `PyConfig` is written field by field, so both must match. */
static void config(void)
{
    area = "config";
    STRUCT(PyStatus);
    FIELD(PyStatus, _type);
    FIELD(PyStatus, func);
    FIELD(PyStatus, err_msg);
    FIELD(PyStatus, exitcode);
    STRUCT(PyWideStringList);
    FIELD(PyWideStringList, length);
    FIELD(PyWideStringList, items);
    STRUCT(PyPreConfig);
    FIELD(PyPreConfig, _config_init);
    FIELD(PyPreConfig, parse_argv);
    FIELD(PyPreConfig, isolated);
    FIELD(PyPreConfig, use_environment);
    FIELD(PyPreConfig, configure_locale);
    FIELD(PyPreConfig, coerce_c_locale);
    FIELD(PyPreConfig, coerce_c_locale_warn);
    FIELD(PyPreConfig, utf8_mode);
    FIELD(PyPreConfig, dev_mode);
    FIELD(PyPreConfig, allocator);
    STRUCT(PyConfig);
    FIELD(PyConfig, _config_init);
    FIELD(PyConfig, isolated);
    FIELD(PyConfig, use_environment);
    FIELD(PyConfig, dev_mode);
    FIELD(PyConfig, install_signal_handlers);
    FIELD(PyConfig, use_hash_seed);
    FIELD(PyConfig, hash_seed);
    FIELD(PyConfig, faulthandler);
    FIELD(PyConfig, tracemalloc);
    FIELD(PyConfig, perf_profiling);
#if PY_VERSION_HEX >= 0x030E0000
    FIELD(PyConfig, remote_debug);
#endif
    FIELD(PyConfig, import_time);
    FIELD(PyConfig, code_debug_ranges);
    FIELD(PyConfig, show_ref_count);
    FIELD(PyConfig, dump_refs);
    FIELD(PyConfig, dump_refs_file);
    FIELD(PyConfig, malloc_stats);
#if PY_VERSION_HEX >= 0x030F0000
    FIELD(PyConfig, pymalloc_hugepages);
#endif
    FIELD(PyConfig, filesystem_encoding);
    FIELD(PyConfig, filesystem_errors);
    FIELD(PyConfig, pycache_prefix);
    FIELD(PyConfig, parse_argv);
    FIELD(PyConfig, orig_argv);
    FIELD(PyConfig, argv);
    FIELD(PyConfig, xoptions);
    FIELD(PyConfig, warnoptions);
    FIELD(PyConfig, site_import);
    FIELD(PyConfig, bytes_warning);
    FIELD(PyConfig, warn_default_encoding);
    FIELD(PyConfig, inspect);
    FIELD(PyConfig, interactive);
    FIELD(PyConfig, optimization_level);
    FIELD(PyConfig, parser_debug);
    FIELD(PyConfig, write_bytecode);
    FIELD(PyConfig, verbose);
    FIELD(PyConfig, quiet);
    FIELD(PyConfig, user_site_directory);
    FIELD(PyConfig, configure_c_stdio);
    FIELD(PyConfig, buffered_stdio);
    FIELD(PyConfig, stdio_encoding);
    FIELD(PyConfig, stdio_errors);
    FIELD(PyConfig, check_hash_pycs_mode);
    FIELD(PyConfig, use_frozen_modules);
    FIELD(PyConfig, safe_path);
    FIELD(PyConfig, int_max_str_digits);
#if PY_VERSION_HEX >= 0x030E0000
    FIELD(PyConfig, thread_inherit_context);
#endif
#if PY_VERSION_HEX >= 0x030E0000
    FIELD(PyConfig, context_aware_warnings);
#endif
#if defined(__APPLE__) && PY_VERSION_HEX >= 0x030E0000
    FIELD(PyConfig, use_system_logger);
#endif
    FIELD(PyConfig, cpu_count);
#if defined(Py_GIL_DISABLED)
    FIELD(PyConfig, enable_gil);
#endif
#if defined(Py_GIL_DISABLED) && PY_VERSION_HEX >= 0x030E0000
    FIELD(PyConfig, tlbc_enabled);
#endif
#if PY_VERSION_HEX >= 0x030F0000
    FIELD(PyConfig, lazy_imports);
#endif
    FIELD(PyConfig, pathconfig_warnings);
    FIELD(PyConfig, program_name);
    FIELD(PyConfig, pythonpath_env);
    FIELD(PyConfig, home);
    FIELD(PyConfig, platlibdir);
    FIELD(PyConfig, module_search_paths_set);
    FIELD(PyConfig, module_search_paths);
    FIELD(PyConfig, stdlib_dir);
    FIELD(PyConfig, executable);
    FIELD(PyConfig, base_executable);
    FIELD(PyConfig, prefix);
    FIELD(PyConfig, base_prefix);
    FIELD(PyConfig, exec_prefix);
    FIELD(PyConfig, base_exec_prefix);
    FIELD(PyConfig, skip_source_first_line);
    FIELD(PyConfig, run_command);
    FIELD(PyConfig, run_module);
    FIELD(PyConfig, run_filename);
    FIELD(PyConfig, sys_path_0);
    FIELD(PyConfig, _install_importlib);
    FIELD(PyConfig, _init_main);
    FIELD(PyConfig, _is_python_build);
    ICONST(_PyStatus_TYPE_OK);
    ICONST(_PyStatus_TYPE_ERROR);
    ICONST(_PyStatus_TYPE_EXIT);
}

int main(void)
{
    object();
    type_object();
    module();
    type_spec();
    critical_section();
    constants();
    slots();
    initializers();
    datetime_capi();
    buffer();
    config();
    return 0;
}
