//! Header-only configuration: building against a CPython version whose
//! headers are at hand but whose interpreter cannot run here.
//!
//! Used by the layout check (`cargo xtask test`, stage "layout"): the FFI is
//! compiled with the cfgs this build script would set for that version, and
//! `tests/layout.rs` compares it with a C compiler's reading of the headers.
//! Nothing links libpython in this mode, so only the layout test is
//! meaningful; a build that asks for `embed` is refused.
//!
//! - `PYO3FT_HEADERS`: a path list (`:`-separated); the first directory holds
//!   `Python.h` and `patchlevel.h`, the others are extra include directories
//!   (Debian's multiarch `pyconfig.h` lives under `/usr/include/<triplet>/`).
//! - `PYO3FT_HEADERS_FREE_THREADED=1`: configure for the free-threaded build.
//!   The C side then compiles with `-DPy_GIL_DISABLED=1`, which turns a GIL
//!   build's headers into the free-threaded layouts (a no-op on headers whose
//!   `pyconfig.h` defines it already).
//!
//! Shared with the xtask (which reads the version of a header set).

use std::path::{Path, PathBuf};

/// The include directories of a header-only build.
pub const ENV_HEADERS: &str = "PYO3FT_HEADERS";
/// `1` for the free-threaded configuration of those headers.
pub const ENV_FREE_THREADED: &str = "PYO3FT_HEADERS_FREE_THREADED";

/// The `(major, minor, micro)` that `patchlevel.h` defines, or `None` if a
/// component is missing.
pub fn parse_patchlevel(text: &str) -> Option<(u32, u32, u32)> {
    let define = |name: &str| {
        text.lines().find_map(|line| {
            let mut words = line.split_whitespace();
            let directive = words.next()?;
            // `#define` or `#  define`.
            let directive = if directive == "#" {
                words.next()?
            } else {
                directive.strip_prefix('#')?.trim_start()
            };
            if directive != "define" || words.next()? != name {
                return None;
            }
            words.next()?.parse::<u32>().ok()
        })
    };
    Some((
        define("PY_MAJOR_VERSION")?,
        define("PY_MINOR_VERSION")?,
        define("PY_MICRO_VERSION")?,
    ))
}

/// The version of the headers in `include` (the directory of `Python.h`).
pub fn version_of(include: &Path) -> Result<(u32, u32, u32), String> {
    let path = include.join("patchlevel.h");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse_patchlevel(&text)
        .ok_or_else(|| format!("{} defines no PY_*_VERSION triple", path.display()))
}

/// A header-only configuration, read from the environment.
pub struct HeaderSet {
    /// The directory of `Python.h`.
    pub include: PathBuf,
    /// Further include directories (Debian's multiarch `pyconfig.h`).
    pub extra: Vec<PathBuf>,
    pub version: (u32, u32, u32),
    pub free_threaded: bool,
}

impl HeaderSet {
    /// `None` when `PYO3FT_HEADERS` is unset (the normal, interpreter mode).
    pub fn from_env() -> Option<Result<Self, String>> {
        let value = std::env::var_os(ENV_HEADERS).filter(|v| !v.is_empty())?;
        let mut dirs = std::env::split_paths(&value);
        let include = dirs.next().unwrap_or_default();
        let extra: Vec<PathBuf> = dirs.collect();
        let free_threaded = match std::env::var(ENV_FREE_THREADED).as_deref() {
            Ok("1") => true,
            Ok("0") | Ok("") | Err(_) => false,
            Ok(other) => {
                return Some(Err(format!(
                    "{ENV_FREE_THREADED} must be 0 or 1, not `{other}`"
                )))
            }
        };
        Some(version_of(&include).map(|version| Self {
            include,
            extra,
            version,
            free_threaded,
        }))
    }

    /// The `-D` flags the C side of the layout test compiles with.
    pub fn defines(&self) -> Vec<String> {
        if self.free_threaded {
            vec!["-DPy_GIL_DISABLED=1".to_owned()]
        } else {
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patchlevel_versions_are_read() {
        let text = "\
/* Version parsed out into numeric values */
/*--start constants--*/
#define PY_MAJOR_VERSION        3
#define PY_MINOR_VERSION        15
#define PY_MICRO_VERSION        2
#define PY_RELEASE_LEVEL        PY_RELEASE_LEVEL_FINAL
#  define PY_VERSION \"3.15.2\"
";
        assert_eq!(parse_patchlevel(text), Some((3, 15, 2)));
        let indented = "#  define PY_MAJOR_VERSION 3\n# define PY_MINOR_VERSION 14\n#define PY_MICRO_VERSION 10\n";
        assert_eq!(parse_patchlevel(indented), Some((3, 14, 10)));
    }

    #[test]
    fn patchlevel_without_a_component_is_rejected() {
        assert_eq!(
            parse_patchlevel("#define PY_MAJOR_VERSION 3\n#define PY_MINOR_VERSION 14\n"),
            None
        );
        // A prefix of another name does not count.
        assert_eq!(
            parse_patchlevel(
                "#define PY_MAJOR_VERSION 3\n#define PY_MINOR_VERSION_X 1\n\
                 #define PY_MICRO_VERSION 0\n"
            ),
            None
        );
    }
}
