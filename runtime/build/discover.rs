//! Which interpreter to build against, in the documented order:
//! `PYO3FT_PYTHON`, `PYO3_PYTHON`, the interpreter provisioned by
//! `cargo xtask provision`, then `python3.14t` / `python3.13t` on `PATH`.

use std::path::{Path, PathBuf};

use crate::cache;

/// Environment variables that change the outcome of discovery.
pub const ENV_VARS: &[&str] = &[
    "PYO3FT_PYTHON",
    "PYO3_PYTHON",
    "PYO3FT_CACHE_DIR",
    "XDG_CACHE_HOME",
    "PATH",
];

/// The interpreter found and where it came from (for error messages).
pub struct Found {
    pub python: PathBuf,
    pub origin: String,
}

/// Finds the interpreter or explains what was tried.
pub fn find_interpreter() -> Result<Found, String> {
    let mut tried = Vec::new();
    for var in ["PYO3FT_PYTHON", "PYO3_PYTHON"] {
        if let Some(value) = std::env::var_os(var).filter(|v| !v.is_empty()) {
            let python = PathBuf::from(value);
            return match resolve(&python) {
                Some(python) => Ok(Found {
                    python,
                    origin: format!("${var}"),
                }),
                None => Err(format!(
                    "error: ${var} is set to `{}`, which is not an executable interpreter",
                    python.display()
                )),
            };
        }
        tried.push(format!("${var} (not set)"));
    }
    match cache::cache_root() {
        Some(root) => {
            let provisioned = cache::provisioned_in(&root);
            if let Some(ft) = provisioned.iter().find(|p| p.free_threaded) {
                return Ok(Found {
                    python: ft.python(),
                    origin: format!("the interpreter provisioned in {}", root.display()),
                });
            }
            tried.push(format!(
                "provisioned interpreters in {} (none)",
                root.display()
            ));
        }
        None => tried.push("the provisioning cache (no HOME)".to_owned()),
    }
    for name in ["python3.14t", "python3.13t"] {
        if let Some(python) = resolve(Path::new(name)) {
            return Ok(Found {
                python,
                origin: format!("`{name}` on PATH"),
            });
        }
        tried.push(format!("`{name}` on PATH (not found)"));
    }
    Err(format!(
        "error: pyo3-ft found no free-threaded CPython to build against.\n\
         Tried, in order:\n  - {}\n\
         Fix it with one of:\n  \
         - `cargo xtask provision` (builds CPython 3.13t from source into the cache)\n  \
         - set PYO3FT_PYTHON to a python3.13t / python3.14t executable",
        tried.join("\n  - ")
    ))
}

/// An existing executable file: the path itself if it names one, else the
/// first match on `PATH` for a bare name.
fn resolve(python: &Path) -> Option<PathBuf> {
    if python.components().count() > 1 {
        return python.is_file().then(|| python.to_path_buf());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(python))
        .find(|candidate| candidate.is_file())
}
