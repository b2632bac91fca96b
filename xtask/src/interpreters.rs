//! The interpreters the tasks run against, and the environment each gets.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{self, Result};

/// Which half of the test matrix an interpreter belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Built with `--disable-gil` (PEP 703).
    FreeThreaded,
    /// The default, GIL-enabled build.
    Gil,
}

impl Kind {
    /// Short name used in directory names: `ft` or `gil`.
    pub fn suffix(self) -> &'static str {
        match self {
            Kind::FreeThreaded => "ft",
            Kind::Gil => "gil",
        }
    }

    /// Human name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Kind::FreeThreaded => "free-threaded",
            Kind::Gil => "GIL-enabled",
        }
    }

    /// Cargo target directory of this half, so that the two halves never
    /// invalidate each other's build: `target/` and `target/gil/`.
    pub fn target_dir(self, root: &Path) -> PathBuf {
        match self {
            Kind::FreeThreaded => root.join("target"),
            Kind::Gil => root.join("target").join("gil"),
        }
    }
}

/// A CPython installation, as reported by the interpreter itself.
#[derive(Debug, Clone)]
pub struct Interpreter {
    /// Absolute path of the executable (`sys.executable`).
    pub python: PathBuf,
    /// `major.minor.micro`.
    pub version: String,
    /// Free-threaded or not (sysconfig `Py_GIL_DISABLED`).
    pub kind: Kind,
    /// Where `libpython` lives (sysconfig `LIBDIR`).
    pub libdir: PathBuf,
    /// The directory of `Python.h` (sysconfig path `include`).
    pub include: PathBuf,
}

const QUERY: &str = "\
import sys, sysconfig
print(sys.executable)
print('%d.%d.%d' % sys.version_info[:3])
print(int(sysconfig.get_config_var('Py_GIL_DISABLED') or 0))
print(sysconfig.get_config_var('LIBDIR') or '')
print(sysconfig.get_path('include'))";

impl Interpreter {
    /// Asks `python` (a path, or a name looked up on PATH) about itself.
    pub fn query(python: &Path) -> Result<Self> {
        let out = Command::new(python)
            .args(["-I", "-c", QUERY])
            .output()
            .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
        if !out.status.success() {
            return Err(format!(
                "{} could not report its configuration ({}):\n{}",
                python.display(),
                out.status,
                String::from_utf8_lossy(&out.stderr).trim_end()
            ));
        }
        let out = String::from_utf8_lossy(&out.stdout);
        let lines: Vec<&str> = out.lines().collect();
        let [executable, version, gil_disabled, libdir, include] = lines[..] else {
            return Err(format!(
                "unexpected answer from {} about its configuration:\n{out}",
                python.display()
            ));
        };
        Ok(Self {
            python: PathBuf::from(executable),
            version: version.to_string(),
            kind: if gil_disabled == "1" {
                Kind::FreeThreaded
            } else {
                Kind::Gil
            },
            libdir: PathBuf::from(libdir),
            include: PathBuf::from(include),
        })
    }

    /// Queries `python` and checks it is of the `wanted` kind; `origin` says
    /// where the path came from, for the error message.
    pub fn query_kind(python: &Path, wanted: Kind, origin: &str) -> Result<Self> {
        let found = Self::query(python).map_err(|e| format!("{origin}: {e}"))?;
        if found.kind != wanted {
            return Err(format!(
                "{origin}: {} is a {} build ({}), but a {} build is needed here",
                python.display(),
                found.kind.name(),
                found.version,
                wanted.name()
            ));
        }
        Ok(found)
    }

    /// `free-threaded 3.13.15t` or `GIL 3.13.15`.
    pub fn label(&self) -> String {
        match self.kind {
            Kind::FreeThreaded => format!("free-threaded {}t", self.version),
            Kind::Gil => format!("GIL {}", self.version),
        }
    }

    /// Points a cargo command at this interpreter: `PYO3FT_PYTHON`, this
    /// half's target directory, and `LD_LIBRARY_PATH` so that embedding
    /// programs and test binaries find `libpython`.
    pub fn cargo_env<'c>(&self, cmd: &'c mut Command, root: &Path) -> &'c mut Command {
        cmd.env("PYO3FT_PYTHON", &self.python)
            .env("CARGO_TARGET_DIR", self.kind.target_dir(root));
        self.library_env(cmd)
    }

    /// Prepends `libdir` to `LD_LIBRARY_PATH`.
    pub fn library_env<'c>(&self, cmd: &'c mut Command) -> &'c mut Command {
        cmd.env(
            "LD_LIBRARY_PATH",
            util::prepended("LD_LIBRARY_PATH", &self.libdir),
        )
    }
}

/// The free-threaded interpreter and, unless not wanted, its GIL twin.
#[derive(Debug)]
pub struct Interpreters {
    pub free_threaded: Interpreter,
    pub gil: Option<Interpreter>,
}

impl Interpreters {
    /// Free-threaded first, then the GIL twin if present.
    pub fn iter(&self) -> impl Iterator<Item = &Interpreter> {
        std::iter::once(&self.free_threaded).chain(self.gil.as_ref())
    }
}
