//! Build-script helper for crates that depend on `pyo3-ft`.
//!
//! A program that embeds Python links `libpython`, which usually lives
//! outside the system's library path (`~/.cache/pyo3-ft/...`,
//! `/opt/python3.13t/lib`). [`add_libpython_rpath`] records that directory
//! as the run path of every binary the package links, so that programs,
//! tests, examples and benchmarks start without `LD_LIBRARY_PATH`.
//!
//! It does so only when `pyo3-ft` is built with its `embed` feature, which
//! is also what links `libpython`. An extension module is built without it
//! (the interpreter that imports the module provides Python), so its `.so`
//! never gets a run path into the build machine's interpreter. An extension
//! crate turns `embed` on for its tests only, as a dev-dependency feature:
//!
//! ```toml
//! [dependencies]
//! pyo3-ft = "0.1"
//!
//! [dev-dependencies]
//! pyo3-ft = { version = "0.1", features = ["embed"] }
//!
//! [build-dependencies]
//! pyo3-ft-build = "0.1"
//! ```
//!
//! With Cargo's feature resolver 2 (the default from edition 2021),
//! dev-dependency features are enabled only when Cargo builds tests,
//! examples or benchmarks: `cargo build`, `maturin build` and `pip install`
//! build the module without `embed`. In `cargo test` the library is built
//! with it, and so is the `.so` that `cargo test` leaves in `target/`; that
//! one links `libpython` and is not the module you ship.

#![deny(unsafe_code)]

/// Set by `pyo3-ft`'s build script for the build scripts of the packages
/// that depend on it directly: `1` when it is built with `embed`, else `0`.
const ENV_EMBED: &str = "DEP_PYO3_FT_EMBED";

/// Set alongside [`ENV_EMBED`]: the interpreter's `LIBDIR`.
const ENV_LIBDIR: &str = "DEP_PYO3_FT_LIBDIR";

/// Set by Cargo for every build script: `unix`, `windows`, ... of the
/// target being built for.
const ENV_TARGET_FAMILY: &str = "CARGO_CFG_TARGET_FAMILY";

/// Call from `build.rs`: when `pyo3-ft` is built with `embed`, tells Cargo to
/// link every binary of this package (programs, tests, examples,
/// benchmarks) with a run path to the interpreter's `libpython`. Without
/// `embed` it prints nothing. On Windows, which has no run paths, it prints
/// nothing either: put the interpreter's directory on `PATH` there.
///
/// ```no_run
/// // build.rs, in `fn main`:
/// pyo3_ft_build::add_libpython_rpath();
/// ```
///
/// # Panics
///
/// When the build script does not see `pyo3-ft`'s metadata: Cargo passes
/// it only to the packages that have `pyo3-ft` among their `[dependencies]`
/// (a dev-dependency alone does not count). The message says so.
pub fn add_libpython_rpath() {
    match rpath_instructions(|key| std::env::var(key).ok()) {
        Ok(lines) => {
            for line in lines {
                println!("{line}");
            }
        }
        Err(message) => panic!("{message}"),
    }
}

/// The `cargo:` lines of [`add_libpython_rpath`], read from `env`.
fn rpath_instructions(env: impl Fn(&str) -> Option<String>) -> Result<Vec<String>, String> {
    let embed = env(ENV_EMBED).ok_or_else(|| {
        format!(
            "pyo3-ft-build: ${ENV_EMBED} is not set, so this build script cannot see \
             pyo3-ft's metadata. Cargo gives it only to packages that list pyo3-ft under \
             [dependencies]: add it there (with `embed` under [dev-dependencies] if this \
             is an extension module)."
        )
    })?;
    let unix = env(ENV_TARGET_FAMILY)
        .is_some_and(|families| families.split(',').any(|family| family == "unix"));
    if embed != "1" || !unix {
        return Ok(Vec::new());
    }
    let libdir = env(ENV_LIBDIR)
        .filter(|dir| !dir.is_empty())
        .ok_or_else(|| {
            format!(
                "pyo3-ft-build: pyo3-ft is built with `embed` but ${ENV_LIBDIR} names no \
             libpython directory; the interpreter it was built against reports no LIBDIR"
            )
        })?;
    Ok(vec![format!("cargo:rustc-link-arg=-Wl,-rpath,{libdir}")])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instructions(vars: &[(&str, &str)]) -> Result<Vec<String>, String> {
        rpath_instructions(|key| {
            vars.iter()
                .find(|(name, _)| *name == key)
                .map(|(_, value)| (*value).to_owned())
        })
    }

    #[test]
    fn embedding_on_unix_gets_the_rpath() {
        let lines = instructions(&[
            (ENV_EMBED, "1"),
            (ENV_LIBDIR, "/opt/py/lib"),
            (ENV_TARGET_FAMILY, "unix"),
        ]);
        assert_eq!(
            lines,
            Ok(vec![
                "cargo:rustc-link-arg=-Wl,-rpath,/opt/py/lib".to_owned()
            ])
        );
    }

    #[test]
    fn an_extension_module_build_gets_nothing() {
        let lines = instructions(&[
            (ENV_EMBED, "0"),
            (ENV_LIBDIR, "/opt/py/lib"),
            (ENV_TARGET_FAMILY, "unix"),
        ]);
        assert_eq!(lines, Ok(Vec::new()));
    }

    #[test]
    fn windows_gets_nothing() {
        let lines = instructions(&[
            (ENV_EMBED, "1"),
            (ENV_LIBDIR, "C:\\Python313t\\libs"),
            (ENV_TARGET_FAMILY, "windows"),
        ]);
        assert_eq!(lines, Ok(Vec::new()));
    }

    #[test]
    fn missing_metadata_says_where_pyo3_ft_belongs() {
        let err = instructions(&[(ENV_TARGET_FAMILY, "unix")]).unwrap_err();
        assert!(err.contains("DEP_PYO3_FT_EMBED is not set"), "{err}");
        assert!(err.contains("[dependencies]"), "{err}");
    }

    #[test]
    fn embedding_without_a_libdir_is_an_error() {
        let err = instructions(&[
            (ENV_EMBED, "1"),
            (ENV_LIBDIR, ""),
            (ENV_TARGET_FAMILY, "unix"),
        ])
        .unwrap_err();
        assert!(err.contains("no LIBDIR"), "{err}");
    }
}
