//! `cargo xtask provision`: find, or build, the free-threaded interpreter and
//! its GIL-enabled twin.
//!
//! Free-threaded: `PYO3FT_PYTHON`, else a build cached by an earlier
//! provision, else `python3.14t` / `python3.13t` on PATH, else a build from
//! source. GIL twin: `PYO3FT_PYTHON_GIL`, else a cached build (preferring the
//! free-threaded one's version), else a build from the same source.

use std::path::{Path, PathBuf};

use crate::build_cpython;
use crate::cache;
use crate::interpreters::{Interpreter, Interpreters, Kind};
use crate::source::Source;
use crate::util::Result;

/// Options of `cargo xtask provision`.
#[derive(Debug, Default)]
pub struct Options {
    /// Source tarball to build from (else `PYO3FT_SOURCE`, else Debian's).
    pub source: Option<PathBuf>,
    /// Build from source even if an interpreter is available, replacing the
    /// cached builds.
    pub force: bool,
}

/// The subcommand: provision both interpreters and print their paths.
pub fn run(options: &Options) -> Result<()> {
    let found = interpreters(options, true)?;
    for interpreter in found.iter() {
        println!(
            "{:<24} {}",
            interpreter.label(),
            interpreter.python.display()
        );
    }
    Ok(())
}

/// The free-threaded interpreter, and the GIL twin if `with_gil`.
pub fn interpreters(options: &Options, with_gil: bool) -> Result<Interpreters> {
    let root = cache::cache_root()
        .ok_or("no cache directory: set PYO3FT_CACHE_DIR (or HOME)".to_string())?;
    let mut source = Source::new(options.source.clone(), &root);
    let free_threaded = free_threaded(options, &root, &mut source)?;
    let gil = if with_gil {
        Some(gil_twin(options, &root, &free_threaded, &mut source)?)
    } else {
        None
    };
    Ok(Interpreters { free_threaded, gil })
}

fn free_threaded(options: &Options, root: &Path, source: &mut Source) -> Result<Interpreter> {
    let kind = Kind::FreeThreaded;
    let mut tried = Vec::new();
    if !options.force {
        if let Some(found) = from_env("PYO3FT_PYTHON", kind, &mut tried) {
            return found;
        }
        if let Some(found) = cached(root, kind, None, &mut tried) {
            return Ok(found);
        }
        if let Some(found) = on_path(&mut tried) {
            return Ok(found);
        }
    }
    from_source(root, kind, options, source).map_err(|e| nothing_worked(kind, &tried, &e))
}

fn gil_twin(
    options: &Options,
    root: &Path,
    free_threaded: &Interpreter,
    source: &mut Source,
) -> Result<Interpreter> {
    let kind = Kind::Gil;
    let mut tried = Vec::new();
    if !options.force {
        if let Some(found) = from_env("PYO3FT_PYTHON_GIL", kind, &mut tried) {
            return found;
        }
        if let Some(found) = cached(root, kind, Some(&free_threaded.version), &mut tried) {
            return Ok(found);
        }
    }
    from_source(root, kind, options, source).map_err(|e| nothing_worked(kind, &tried, &e))
}

/// The interpreter named by `var`, checked to be of `kind`; `None` if unset.
fn from_env(var: &str, kind: Kind, tried: &mut Vec<String>) -> Option<Result<Interpreter>> {
    let Some(python) = std::env::var_os(var).filter(|v| !v.is_empty()) else {
        tried.push(format!("{var}: not set"));
        return None;
    };
    let found = Interpreter::query_kind(Path::new(&python), kind, var);
    Some(found.inspect(|found| announce(found, var)))
}

/// A completed build in the cache, preferring version `prefer`.
fn cached(
    root: &Path,
    kind: Kind,
    prefer: Option<&str>,
    tried: &mut Vec<String>,
) -> Option<Interpreter> {
    let mut builds: Vec<cache::Provisioned> = cache::provisioned_in(root)
        .into_iter()
        .filter(|build| build.free_threaded == (kind == Kind::FreeThreaded))
        .collect();
    if let Some(version) = prefer {
        builds.sort_by_key(|build| {
            let (major, minor, micro) = build.version;
            format!("{major}.{minor}.{micro}") != version
        });
    }
    for build in builds {
        match Interpreter::query_kind(&build.python(), kind, "cached build") {
            Ok(found) => {
                announce(&found, "cached build");
                return Some(found);
            }
            Err(e) => tried.push(e),
        }
    }
    tried.push(format!(
        "cache {}: no usable {} build",
        root.display(),
        kind.name()
    ));
    None
}

/// `python3.14t` or `python3.13t` found on PATH.
fn on_path(tried: &mut Vec<String>) -> Option<Interpreter> {
    for name in ["python3.14t", "python3.13t"] {
        if let Ok(found) = Interpreter::query_kind(Path::new(name), Kind::FreeThreaded, name) {
            announce(&found, "on PATH");
            return Some(found);
        }
    }
    tried.push("PATH: no free-threaded python3.14t or python3.13t".to_string());
    None
}

/// Builds (or, after a concurrent build, reuses) an interpreter from source.
fn from_source(
    root: &Path,
    kind: Kind,
    options: &Options,
    source: &mut Source,
) -> Result<Interpreter> {
    let tarball = source.tarball()?;
    let python = build_cpython::build(root, &tarball, kind, options.force)?;
    let found = Interpreter::query_kind(&python, kind, "the built interpreter")?;
    announce(&found, "built from source");
    Ok(found)
}

fn announce(found: &Interpreter, origin: &str) {
    eprintln!(
        "provision: {} ({origin}): {}",
        found.label(),
        found.python.display()
    );
}

/// The error when every way to get a `kind` interpreter failed.
fn nothing_worked(kind: Kind, tried: &[String], last: &str) -> String {
    let mut message = format!("no {} CPython available. Tried:\n", kind.name());
    for attempt in tried {
        message.push_str(&format!("  - {attempt}\n"));
    }
    message.push_str(&format!("  - building from source: {last}\n"));
    message.push_str("To fix it, either\n");
    match kind {
        Kind::FreeThreaded => message.push_str(
            "  - install one, e.g. `uv python install 3.14t`, and set\n    \
             PYO3FT_PYTHON=$(uv python find 3.14t), or\n",
        ),
        Kind::Gil => message.push_str(
            "  - point PYO3FT_PYTHON_GIL at a GIL-enabled CPython 3.13+\n    \
             (e.g. `uv python install 3.13`; PYO3FT_PYTHON_GIL=$(uv python find 3.13)), or\n",
        ),
    }
    message.push_str(
        "  - give a CPython source tarball: cargo xtask provision --source Python-3.13.x.tar.xz",
    );
    message
}
