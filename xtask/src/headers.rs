//! `cargo xtask headers`: the C headers of the CPython versions that cannot
//! be run here, for the layout check.
//!
//! Debian's archive serves no 3.14 or 3.15 sources to this network, and the
//! interpreters of its `sid` binary packages need a newer C library than
//! Debian 12's; but their `libpython3.X-dev` packages download, and their
//! headers compile. Each is fetched once with `apt-get download` through a
//! private apt configuration and unpacked (`dpkg-deb -x`) into
//! `<cache>/headers/3.X/`, which holds the package's `usr/include` tree as
//! `include/` and a marker naming the package version. A version that does
//! not download or unpack is reported and skipped: never fatal.
//!
//! Debian's layout: `include/python3.X/` holds `Python.h`, and its
//! `pyconfig.h` is a wrapper that includes the multiarch one under
//! `include/<triplet>/python3.X/`, so both directories go on the include
//! path. The packages are GIL builds (their `pyconfig.h` leaves
//! `Py_GIL_DISABLED` undefined); `-DPy_GIL_DISABLED=1` gives the
//! free-threaded layouts.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cache;
use crate::debian::{self, BinaryArchive};
use crate::runtime_headers;
use crate::util::{self, Result};

/// Minor versions whose headers are fetched: those `runtime/build` accepts
/// beyond the provisioned 3.13.
pub const MINORS: [u32; 2] = [14, 15];

/// Written into a header directory once it is complete; holds the Debian
/// version of the package.
const MARKER: &str = ".pyo3-ft-headers";

/// One unpacked header set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderSet {
    /// `(3, minor, micro)`, read from `patchlevel.h`.
    pub version: (u32, u32, u32),
    /// Debian version of the package, e.g. `3.14.10-1`.
    pub package_version: String,
    /// The directory of `Python.h`.
    pub include: PathBuf,
    /// The directory under which the multiarch `pyconfig.h` is found.
    pub extra: Vec<PathBuf>,
}

impl HeaderSet {
    /// `3.14.10`.
    pub fn version_string(&self) -> String {
        let (major, minor, micro) = self.version;
        format!("{major}.{minor}.{micro}")
    }

    /// The header set unpacked into `dir`, if complete.
    fn load(dir: &Path, minor: u32) -> Option<Self> {
        let package_version = fs::read_to_string(dir.join(MARKER)).ok()?;
        let root = dir.join("include");
        let include = root.join(format!("python3.{minor}"));
        let version = runtime_headers::version_of(&include).ok()?;
        Some(Self {
            version,
            package_version: package_version.trim().to_owned(),
            include,
            extra: vec![root],
        })
    }
}

/// `libpython3.X-dev`.
fn package(minor: u32) -> String {
    format!("libpython3.{minor}-dev")
}

/// Where the headers of `3.minor` are unpacked.
fn dir(root: &Path, minor: u32) -> PathBuf {
    root.join("headers").join(format!("3.{minor}"))
}

/// The subcommand: fetch what is missing (everything with `force`) and
/// print one line per version.
pub fn run(force: bool) -> Result<()> {
    let root = cache_root()?;
    let mut archive = None;
    for minor in MINORS {
        match ensure_one(&root, minor, force, &mut archive) {
            Ok(set) => println!(
                "3.{minor}: {} {} ({}), headers in {}",
                package(minor),
                set.package_version,
                set.version_string(),
                set.include.display()
            ),
            Err(e) => println!("3.{minor}: skipped: {e}"),
        }
    }
    Ok(())
}

/// The header sets available after fetching the missing ones; a version
/// that cannot be had is reported on stderr and left out.
pub fn ensure_all() -> Vec<HeaderSet> {
    let root = match cache_root() {
        Ok(root) => root,
        Err(e) => {
            eprintln!("headers: {e}; no header sets");
            return Vec::new();
        }
    };
    let mut archive = None;
    MINORS
        .iter()
        .filter_map(
            |&minor| match ensure_one(&root, minor, false, &mut archive) {
                Ok(set) => Some(set),
                Err(e) => {
                    eprintln!("headers: 3.{minor} skipped: {e}");
                    None
                }
            },
        )
        .collect()
}

fn cache_root() -> Result<PathBuf> {
    cache::cache_root().ok_or_else(|| "no cache directory: set PYO3FT_CACHE_DIR (or HOME)".into())
}

/// The header set of `3.minor`: the cached one, else a fresh download
/// (`archive` is opened, and its lists updated, on first need).
fn ensure_one(
    root: &Path,
    minor: u32,
    force: bool,
    archive: &mut Option<BinaryArchive>,
) -> Result<HeaderSet> {
    let target = dir(root, minor);
    if !force {
        if let Some(set) = HeaderSet::load(&target, minor) {
            return Ok(set);
        }
    }
    let logs = root.join("logs");
    util::create_dir(&logs)?;
    let log = logs.join("headers.log");
    if archive.is_none() {
        *archive = Some(BinaryArchive::open(&root.join("apt-binary"), &log)?);
    }
    let archive = archive.as_ref().expect("opened above");
    let package = package(minor);
    eprintln!("headers: downloading {package}");
    let staging = root
        .join("headers")
        .join(format!(".staging-3.{minor}-{}", std::process::id()));
    util::remove_dir(&staging)?;
    let result = fetch_into(archive, &package, &staging, &log).and_then(|package_version| {
        util::remove_dir(&target)?;
        util::create_dir(&target)?;
        let unpacked = staging.join("tree").join("usr").join("include");
        fs::rename(&unpacked, target.join("include"))
            .map_err(|e| format!("cannot move the headers into {}: {e}", target.display()))?;
        util::write(&target.join(MARKER), &format!("{package_version}\n"))?;
        HeaderSet::load(&target, minor).ok_or_else(|| {
            format!("{package} {package_version} has no usable python3.{minor}/patchlevel.h")
        })
    });
    // Best effort: a leftover staging directory only takes space.
    let _ = util::remove_dir(&staging);
    result
}

/// Downloads `package` into `staging/` and unpacks it into
/// `staging/tree/`; returns the package's Debian version.
fn fetch_into(
    archive: &BinaryArchive,
    package: &str,
    staging: &Path,
    log: &Path,
) -> Result<String> {
    let deb = archive.download(package, staging, log)?;
    let name = deb.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let version = debian::deb_version(name)
        .ok_or_else(|| format!("cannot read the version of {}", deb.display()))?;
    let tree = staging.join("tree");
    util::output(Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&tree))?;
    Ok(version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_complete_header_set_is_loaded() {
        let dir = std::env::temp_dir().join(format!("xtask-headers-{}", std::process::id()));
        let include = dir.join("include").join("python3.15");
        fs::create_dir_all(&include).unwrap();
        assert_eq!(HeaderSet::load(&dir, 15), None, "no marker yet");
        fs::write(
            include.join("patchlevel.h"),
            "#define PY_MAJOR_VERSION 3\n#define PY_MINOR_VERSION 15\n#define PY_MICRO_VERSION 2\n",
        )
        .unwrap();
        fs::write(dir.join(MARKER), "3.15.2-1\n").unwrap();
        let set = HeaderSet::load(&dir, 15).unwrap();
        assert_eq!(set.version, (3, 15, 2));
        assert_eq!(set.package_version, "3.15.2-1");
        assert_eq!(set.include, include);
        assert_eq!(set.extra, vec![dir.join("include")]);
        assert_eq!(set.version_string(), "3.15.2");
        fs::remove_dir_all(&dir).unwrap();
    }
}
