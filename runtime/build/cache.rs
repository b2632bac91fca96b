//! Where `cargo xtask provision` keeps the interpreters it builds.
//!
//! Shared by the runtime's build script (which looks for a provisioned
//! interpreter) and by the xtask (which creates them), so both agree on one
//! layout: `<cache root>/cpython-<version>-<ft|gil>/` is an installation prefix,
//! complete once it holds the marker file [`MARKER`].

use std::path::{Path, PathBuf};

/// File written into a prefix after `make install` succeeded.
pub const MARKER: &str = ".pyo3-ft-provisioned";

/// The cache root: `$PYO3FT_CACHE_DIR`, else `$XDG_CACHE_HOME/pyo3-ft`,
/// else `$HOME/.cache/pyo3-ft`.
pub fn cache_root() -> Option<PathBuf> {
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = env("PYO3FT_CACHE_DIR") {
        return Some(PathBuf::from(dir));
    }
    if let Some(dir) = env("XDG_CACHE_HOME") {
        return Some(PathBuf::from(dir).join("pyo3-ft"));
    }
    env("HOME").map(|home| PathBuf::from(home).join(".cache").join("pyo3-ft"))
}

/// One completed installation in the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provisioned {
    /// Installation prefix.
    pub prefix: PathBuf,
    /// CPython version, e.g. `(3, 13, 15)`.
    pub version: (u32, u32, u32),
    /// Built with `--disable-gil`.
    pub free_threaded: bool,
}

impl Provisioned {
    /// Directory name of a prefix inside the cache root.
    pub fn dir_name(version: (u32, u32, u32), free_threaded: bool) -> String {
        let (major, minor, patch) = version;
        let kind = if free_threaded { "ft" } else { "gil" };
        format!("cpython-{major}.{minor}.{patch}-{kind}")
    }

    /// The interpreter executable, e.g. `bin/python3.13t`.
    pub fn python(&self) -> PathBuf {
        let (major, minor, _) = self.version;
        let suffix = if self.free_threaded { "t" } else { "" };
        self.prefix
            .join("bin")
            .join(format!("python{major}.{minor}{suffix}"))
    }

    fn parse(path: &Path) -> Option<Self> {
        let name = path.file_name()?.to_str()?;
        let rest = name.strip_prefix("cpython-")?;
        let (version, kind) = rest.rsplit_once('-')?;
        let free_threaded = match kind {
            "ft" => true,
            "gil" => false,
            _ => return None,
        };
        let mut parts = version.split('.').map(|p| p.parse::<u32>().ok());
        let version = (parts.next()??, parts.next()??, parts.next()??);
        Some(Self {
            prefix: path.to_path_buf(),
            version,
            free_threaded,
        })
    }
}

/// Completed installations under `root`, newest version first.
pub fn provisioned_in(root: &Path) -> Vec<Provisioned> {
    let Ok(entries) = std::fs::read_dir(root) else {
        return Vec::new();
    };
    let mut found: Vec<Provisioned> = entries
        .filter_map(|entry| Provisioned::parse(&entry.ok()?.path()))
        .filter(|p| p.prefix.join(MARKER).is_file() && p.python().is_file())
        .collect();
    found.sort_by_key(|p| std::cmp::Reverse(p.version));
    found
}
