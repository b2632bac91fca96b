//! Which interpreter to build against, in the documented order:
//! `PYO3FT_PYTHON`, `PYO3_PYTHON`, the interpreter provisioned by
//! `cargo xtask provision`, then `python3.14t` / `python3.13t` on `PATH`.

use std::path::{Path, PathBuf};

use crate::cache;

/// What a user does about a missing or unsupported interpreter: how to
/// point the build at one, and where to get one.
pub const HOW_TO_GET_ONE: &str = "\
Point the build at a free-threaded CPython 3.13 or newer (python3.13t, python3.14t):
  - set PYO3FT_PYTHON to its executable, e.g.
      PYO3FT_PYTHON=/opt/python3.14t/bin/python3.14t cargo build
  - or put `python3.14t` or `python3.13t` on PATH.
To get one:
  - uv: `uv python install 3.14t`, then PYO3FT_PYTHON=$(uv python find 3.14t)
  - the python.org installers for macOS and Windows (the free-threaded option),
    or your distribution's package where it has one (Fedora: python3.13-freethreading)
  - from source: ./configure --disable-gil --enable-shared && make && make install
    (--enable-shared gives the libpython that embedding and `cargo test` link)
Inside the pyo3-ft repository, `cargo xtask provision` builds one into its cache.";

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
         Tried, in order:\n  - {}\n{HOW_TO_GET_ONE}",
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

/// Compiled into the xtask's tests (`xtask/src/main.rs` includes this file),
/// never into the build script.
#[cfg(test)]
mod tests {
    use std::process::Command;

    /// Set in the child process that runs the discovery.
    const CHILD: &str = "PYO3FT_DISCOVER_TEST_CHILD";

    /// With nothing to find (no variables, an empty cache, an empty
    /// `PATH`), the error tells a user outside this repository what to do.
    /// Discovery reads the process environment, so it runs in a child: this
    /// test binary again, with only this test selected.
    #[test]
    fn no_interpreter_says_how_to_get_one() {
        if std::env::var_os(CHILD).is_some() {
            match super::find_interpreter() {
                Ok(found) => println!("found {}", found.python.display()),
                Err(message) => println!("{message}"),
            }
            return;
        }
        let empty = std::env::temp_dir().join(format!("pyo3-ft-discover-{}", std::process::id()));
        std::fs::create_dir_all(&empty).expect("temporary directory");
        let path = module_path!().split_once("::").map_or("", |(_, path)| path);
        let name = format!("{path}::no_interpreter_says_how_to_get_one");
        let exe = std::env::current_exe().expect("the test binary");
        let output = Command::new(exe)
            .args([name.as_str(), "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD, "1")
            .env_remove("PYO3FT_PYTHON")
            .env_remove("PYO3_PYTHON")
            .env("PYO3FT_CACHE_DIR", &empty)
            .env("PATH", &empty)
            .output()
            .expect("the test binary runs");
        let _ = std::fs::remove_dir(&empty);
        let text = String::from_utf8_lossy(&output.stdout);
        for expected in [
            "pyo3-ft found no free-threaded CPython",
            "set PYO3FT_PYTHON to its executable",
            "put `python3.14t` or `python3.13t` on PATH",
            "uv python install 3.14t",
            "--disable-gil --enable-shared",
            "Inside the pyo3-ft repository, `cargo xtask provision`",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
        }
    }
}
