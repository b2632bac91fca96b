//! Finding the CPython source tarball to build from.

use std::path::{Path, PathBuf};

use crate::debian;
use crate::util::Result;

/// Resolves the source tarball once, on first need: the one the user gave
/// (`--source` / `PYO3FT_SOURCE`), else one downloaded earlier into the cache,
/// else a fresh download of Debian's `python3.13` source package.
pub struct Source {
    given: Option<PathBuf>,
    cache_root: PathBuf,
    resolved: Option<PathBuf>,
}

impl Source {
    /// `given` wins over the `PYO3FT_SOURCE` environment variable.
    pub fn new(given: Option<PathBuf>, cache_root: &Path) -> Self {
        let given = given.or_else(|| {
            std::env::var_os("PYO3FT_SOURCE")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        });
        Self {
            given,
            cache_root: cache_root.to_path_buf(),
            resolved: None,
        }
    }

    /// The tarball, fetching it if needed.
    pub fn tarball(&mut self) -> Result<PathBuf> {
        if let Some(path) = &self.resolved {
            return Ok(path.clone());
        }
        let path = self.resolve()?;
        self.resolved = Some(path.clone());
        Ok(path)
    }

    fn resolve(&self) -> Result<PathBuf> {
        if let Some(path) = &self.given {
            if !path.is_file() {
                return Err(format!("source tarball {} does not exist", path.display()));
            }
            return path
                .canonicalize()
                .map_err(|e| format!("source tarball {}: {e}", path.display()));
        }
        let downloads = self.cache_root.join("sources");
        if let Some(path) = debian::downloaded_tarballs(&downloads).into_iter().next() {
            eprintln!(
                "    using the source downloaded earlier: {}",
                path.display()
            );
            return Ok(path);
        }
        eprintln!(
            "provision: fetching the {} source package from Debian's archive",
            debian::PACKAGE
        );
        let log = self.cache_root.join("logs").join("apt.log");
        crate::util::create_dir(&self.cache_root.join("logs"))?;
        debian::fetch_source(&self.cache_root.join("apt"), &downloads, &log).map_err(|e| {
            format!(
                "could not get CPython's source with apt-get source: {e}\n\
                 (give a tarball instead: --source PATH or PYO3FT_SOURCE=PATH)"
            )
        })
    }
}
