//! Interpreter configuration, PEP 587 (`Include/cpython/initconfig.h`,
//! `Include/cpython/pylifecycle.h`, `Include/import.h`).
//!
//! `PyStatus` is returned by value, so it is declared field for field;
//! `PyConfig` differs between versions and builds (`enable_gil` exists only
//! in free-threaded headers; 3.14 and 3.15 insert fields in the middle),
//! each difference under its `cfg`, as the headers have them.

use std::ffi::{c_char, c_int, c_ulong};

use super::object::{PyObject, Py_ssize_t};

/// C's `wchar_t` on the targets CPython 3.13 supports with these
/// declarations (Unix: 32 bits, signed except on Arm).
#[cfg(not(any(target_arch = "aarch64", target_arch = "arm")))]
pub type wchar_t = i32;
#[cfg(any(target_arch = "aarch64", target_arch = "arm"))]
pub type wchar_t = u32;

/// `PyStatus::_type` values (an anonymous C enum, so an `int`).
pub const _PyStatus_TYPE_OK: c_int = 0;
pub const _PyStatus_TYPE_ERROR: c_int = 1;
pub const _PyStatus_TYPE_EXIT: c_int = 2;

/// `PyStatus`: the outcome of a configuration step.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct PyStatus {
    pub _type: c_int,
    /// The C function that failed (may be null).
    pub func: *const c_char,
    /// The error message (null unless `_type` is an error).
    pub err_msg: *const c_char,
    /// The exit code when `_type` is an exit.
    pub exitcode: c_int,
}

/// `PyWideStringList`.
#[repr(C)]
pub struct PyWideStringList {
    pub length: Py_ssize_t,
    pub items: *mut *mut wchar_t,
}

/// `PyPreConfig` (Unix layout: no `legacy_windows_fs_encoding`).
#[repr(C)]
pub struct PyPreConfig {
    pub _config_init: c_int,
    pub parse_argv: c_int,
    pub isolated: c_int,
    pub use_environment: c_int,
    pub configure_locale: c_int,
    pub coerce_c_locale: c_int,
    pub coerce_c_locale_warn: c_int,
    pub utf8_mode: c_int,
    pub dev_mode: c_int,
    pub allocator: c_int,
}

/// `PyConfig` as 3.13, 3.14 and 3.15 define it on Unix, in release builds
/// (no `legacy_windows_stdio`, `_pystats` or `run_presite`).
#[repr(C)]
pub struct PyConfig {
    pub _config_init: c_int,
    pub isolated: c_int,
    pub use_environment: c_int,
    pub dev_mode: c_int,
    pub install_signal_handlers: c_int,
    pub use_hash_seed: c_int,
    pub hash_seed: c_ulong,
    pub faulthandler: c_int,
    pub tracemalloc: c_int,
    pub perf_profiling: c_int,
    #[cfg(Py_3_14)]
    pub remote_debug: c_int,
    pub import_time: c_int,
    pub code_debug_ranges: c_int,
    pub show_ref_count: c_int,
    pub dump_refs: c_int,
    pub dump_refs_file: *mut wchar_t,
    pub malloc_stats: c_int,
    #[cfg(Py_3_15)]
    pub pymalloc_hugepages: c_int,
    pub filesystem_encoding: *mut wchar_t,
    pub filesystem_errors: *mut wchar_t,
    pub pycache_prefix: *mut wchar_t,
    pub parse_argv: c_int,
    pub orig_argv: PyWideStringList,
    pub argv: PyWideStringList,
    pub xoptions: PyWideStringList,
    pub warnoptions: PyWideStringList,
    pub site_import: c_int,
    pub bytes_warning: c_int,
    pub warn_default_encoding: c_int,
    pub inspect: c_int,
    pub interactive: c_int,
    pub optimization_level: c_int,
    pub parser_debug: c_int,
    pub write_bytecode: c_int,
    pub verbose: c_int,
    pub quiet: c_int,
    pub user_site_directory: c_int,
    pub configure_c_stdio: c_int,
    pub buffered_stdio: c_int,
    pub stdio_encoding: *mut wchar_t,
    pub stdio_errors: *mut wchar_t,
    pub check_hash_pycs_mode: *mut wchar_t,
    pub use_frozen_modules: c_int,
    pub safe_path: c_int,
    pub int_max_str_digits: c_int,
    #[cfg(Py_3_14)]
    pub thread_inherit_context: c_int,
    #[cfg(Py_3_14)]
    pub context_aware_warnings: c_int,
    #[cfg(all(Py_3_14, target_vendor = "apple"))]
    pub use_system_logger: c_int,
    pub cpu_count: c_int,
    #[cfg(Py_GIL_DISABLED)]
    pub enable_gil: c_int,
    #[cfg(all(Py_GIL_DISABLED, Py_3_14))]
    pub tlbc_enabled: c_int,
    #[cfg(Py_3_15)]
    pub lazy_imports: c_int,
    pub pathconfig_warnings: c_int,
    pub program_name: *mut wchar_t,
    pub pythonpath_env: *mut wchar_t,
    pub home: *mut wchar_t,
    pub platlibdir: *mut wchar_t,
    pub module_search_paths_set: c_int,
    pub module_search_paths: PyWideStringList,
    pub stdlib_dir: *mut wchar_t,
    pub executable: *mut wchar_t,
    pub base_executable: *mut wchar_t,
    pub prefix: *mut wchar_t,
    pub base_prefix: *mut wchar_t,
    pub exec_prefix: *mut wchar_t,
    pub base_exec_prefix: *mut wchar_t,
    pub skip_source_first_line: c_int,
    pub run_command: *mut wchar_t,
    pub run_module: *mut wchar_t,
    pub run_filename: *mut wchar_t,
    pub sys_path_0: *mut wchar_t,
    pub _install_importlib: c_int,
    pub _init_main: c_int,
    pub _is_python_build: c_int,
}

/// `PyImport_AppendInittab`'s entry point type: a module's `PyInit_` function.
pub type PyInitFunc = unsafe extern "C" fn() -> *mut PyObject;

extern "C" {
    pub fn PyStatus_Exception(status: PyStatus) -> c_int;
    pub fn PyStatus_IsExit(status: PyStatus) -> c_int;

    pub fn PyPreConfig_InitPythonConfig(config: *mut PyPreConfig);
    pub fn PyPreConfig_InitIsolatedConfig(config: *mut PyPreConfig);
    pub fn Py_PreInitialize(config: *const PyPreConfig) -> PyStatus;
}

extern "C" {
    pub fn PyConfig_InitPythonConfig(config: *mut PyConfig);
    pub fn PyConfig_InitIsolatedConfig(config: *mut PyConfig);
    pub fn PyConfig_Clear(config: *mut PyConfig);
    pub fn PyConfig_SetBytesString(
        config: *mut PyConfig,
        config_str: *mut *mut wchar_t,
        str: *const c_char,
    ) -> PyStatus;
    pub fn PyConfig_SetBytesArgv(
        config: *mut PyConfig,
        argc: Py_ssize_t,
        argv: *const *mut c_char,
    ) -> PyStatus;
    pub fn Py_InitializeFromConfig(config: *const PyConfig) -> PyStatus;
}

extern "C" {
    pub fn PyImport_AppendInittab(name: *const c_char, initfunc: Option<PyInitFunc>) -> c_int;
}
