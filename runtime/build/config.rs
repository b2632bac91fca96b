//! The configuration of one interpreter, read once from `sysconfig`, and the
//! cargo instructions derived from it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::headers::HeaderSet;

/// Printed by the interpreter: one `key=value` line per item.
const QUERY: &str = r#"
import sys, sysconfig
v = sysconfig.get_config_var
print("version=%d.%d.%d" % sys.version_info[:3])
print("implementation=" + sys.implementation.name)
print("gil_disabled=%d" % bool(v("Py_GIL_DISABLED")))
print("libdir=" + (v("LIBDIR") or ""))
print("ldversion=" + (v("LDVERSION") or ""))
print("shared=%d" % bool(v("Py_ENABLE_SHARED")))
print("include=" + sysconfig.get_path("include"))
print("executable=" + sys.executable)
print("ext_suffix=" + (v("EXT_SUFFIX") or ""))
"#;

/// Minor versions this crate's FFI is written for. 3.13 is run; 3.14 and
/// 3.15 are layout-checked against their headers (`cargo xtask test`).
const SUPPORTED_MINORS: &[u32] = &[13, 14, 15];

pub struct InterpreterConfig {
    pub version: (u32, u32, u32),
    pub implementation: String,
    pub gil_disabled: bool,
    pub libdir: PathBuf,
    pub ldversion: String,
    pub shared: bool,
    pub include: PathBuf,
    pub executable: PathBuf,
    pub ext_suffix: String,
    /// Header-only mode ([`crate::headers`]): include directories after
    /// `include`, and `-D` flags the C side needs. Empty otherwise.
    pub extra_include: Vec<PathBuf>,
    pub defines: Vec<String>,
    /// No interpreter behind this configuration: nothing can link.
    pub headers_only: bool,
}

impl InterpreterConfig {
    /// Runs `python` once and parses what [`QUERY`] prints.
    pub fn read(python: &Path) -> Result<Self, String> {
        let output = Command::new(python)
            .args(["-I", "-c", QUERY])
            .output()
            .map_err(|e| format!("could not run `{}`: {e}", python.display()))?;
        if !output.status.success() {
            return Err(format!(
                "`{}` failed to report its configuration:\n{}",
                python.display(),
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        let text = String::from_utf8_lossy(&output.stdout);
        let map: HashMap<&str, &str> = text.lines().filter_map(|l| l.split_once('=')).collect();
        let get = |key: &str| map.get(key).copied().unwrap_or_default().to_owned();
        let mut parts = get("version")
            .split('.')
            .map(|p| p.parse::<u32>().unwrap_or(0))
            .collect::<Vec<_>>();
        parts.resize(3, 0);
        Ok(Self {
            version: (parts[0], parts[1], parts[2]),
            implementation: get("implementation"),
            gil_disabled: get("gil_disabled") == "1",
            libdir: PathBuf::from(get("libdir")),
            ldversion: get("ldversion"),
            shared: get("shared") == "1",
            include: PathBuf::from(get("include")),
            executable: PathBuf::from(get("executable")),
            ext_suffix: get("ext_suffix"),
            extra_include: Vec::new(),
            defines: Vec::new(),
            headers_only: false,
        })
    }

    /// The configuration of a header set: what the build script would find
    /// for an interpreter of that version and build, minus everything that
    /// needs the interpreter itself.
    pub fn from_headers(set: &HeaderSet) -> Self {
        let include = &set.include;
        Self {
            version: set.version,
            implementation: "cpython".to_owned(),
            gil_disabled: set.free_threaded,
            libdir: PathBuf::new(),
            ldversion: String::new(),
            shared: false,
            include: include.clone(),
            executable: PathBuf::from(format!("(headers only: {})", include.display())),
            ext_suffix: String::new(),
            extra_include: set.extra.clone(),
            defines: set.defines(),
            headers_only: true,
        }
    }

    /// CPython 3.13, 3.14 or 3.15, or an error that says what was found.
    pub fn check_supported(&self, origin: &str) -> Result<(), String> {
        let (major, minor, patch) = self.version;
        if self.headers_only && std::env::var_os("CARGO_FEATURE_EMBED").is_some() {
            return Err(format!(
                "{origin} configures a header-only build (for the layout check), which \
                 cannot link libpython: build without the `embed` feature"
            ));
        }
        if self.implementation == "cpython" && major == 3 && SUPPORTED_MINORS.contains(&minor) {
            return Ok(());
        }
        Err(format!(
            "pyo3-ft supports CPython 3.13, 3.14 and 3.15 (free-threaded first), but {origin} \
             is {} {major}.{minor}.{patch} at `{}`.\n{}",
            self.implementation,
            self.executable.display(),
            crate::discover::HOW_TO_GET_ONE
        ))
    }

    /// Prints the cfgs, link instructions and metadata for dependents.
    pub fn emit(&self) {
        let (_, minor, _) = self.version;
        for cfg in ["Py_GIL_DISABLED", "inline_refcount"] {
            println!("cargo:rustc-check-cfg=cfg({cfg})");
        }
        for supported in SUPPORTED_MINORS {
            println!("cargo:rustc-check-cfg=cfg(Py_3_{supported})");
        }
        if self.gil_disabled {
            println!("cargo:rustc-cfg=Py_GIL_DISABLED");
            if thread_pointer_matches_cpython() {
                println!("cargo:rustc-cfg=inline_refcount");
            }
        }
        for supported in SUPPORTED_MINORS.iter().filter(|&&m| m <= minor) {
            println!("cargo:rustc-cfg=Py_3_{supported}");
        }
        if std::env::var_os("CARGO_FEATURE_EMBED").is_some() {
            self.emit_link();
        }
        // Metadata for direct dependents (`DEP_PYO3_FT_PYTHON_*`).
        println!("cargo:gil_disabled={}", u8::from(self.gil_disabled));
        println!("cargo:minor={minor}");
        println!("cargo:libdir={}", self.libdir.display());
        println!("cargo:include={}", self.include.display());
        println!("cargo:executable={}", self.executable.display());
        println!("cargo:ext_suffix={}", self.ext_suffix);
        // For this crate's own tests (the layout test compiles C against
        // these headers): integration tests cannot read `cargo:` metadata.
        // The include directories as a path list, the defines
        // space-separated.
        let dirs = std::iter::once(&self.include).chain(&self.extra_include);
        let include = std::env::join_paths(dirs).unwrap_or_else(|_| self.include.clone().into());
        println!(
            "cargo:rustc-env=PYO3FT_BUILD_INCLUDE={}",
            include.to_string_lossy()
        );
        println!(
            "cargo:rustc-env=PYO3FT_BUILD_DEFINES={}",
            self.defines.join(" ")
        );
        println!(
            "cargo:rustc-env=PYO3FT_BUILD_PYTHON={}",
            self.executable.display()
        );
    }

    /// Embedding links libpython; the rpath lets programs run without
    /// `LD_LIBRARY_PATH`.
    fn emit_link(&self) {
        println!("cargo:rustc-link-search=native={}", self.libdir.display());
        println!("cargo:rustc-link-lib=dylib=python{}", self.ldversion);
        if !self.shared {
            println!(
                "cargo:warning=`{}` was built without --enable-shared; embedding needs libpython{}.so",
                self.executable.display(),
                self.ldversion
            );
        }
    }
}

/// Whether the target is one where `thread_id::current` reads the same
/// register as CPython's `_Py_ThreadId` (`object.h`): `fs:0` on x86_64
/// Linux, `tpidr_el0` on aarch64 Linux. macOS (`gs:0`, `tpidrro_el0`) and
/// Windows (the TEB) read others, so they count references through the
/// exported functions instead of the inline biased fast path.
fn thread_pointer_matches_cpython() -> bool {
    let var = |name| std::env::var(name).unwrap_or_default();
    let arch = var("CARGO_CFG_TARGET_ARCH");
    var("CARGO_CFG_TARGET_OS") == "linux" && (arch == "x86_64" || arch == "aarch64")
}
