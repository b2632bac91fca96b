//! The maturin stage of `cargo xtask test`: a user's extension crate
//! (`examples/hello`) through the tools a PyO3 user runs, per interpreter.
//!
//! 1. `maturin build` (the real one, from PyPI, in the venv): the wheel is
//!    tagged for the interpreter (`cp313-cp313t` free-threaded,
//!    `cp313-cp313` GIL) and holds `hello/hello<EXT_SUFFIX>`.
//! 2. `maturin develop` into the venv: `import hello` works, `hello.add`
//!    answers, and the free-threaded interpreter keeps the GIL disabled.
//! 3. The installed extension has no run path and does not link libpython.
//! 4. `cargo test -p hello` with only the documented setup (the `embed`
//!    dev-dependency feature and `pyo3_ft_build::add_libpython_rpath` in
//!    `build.rs`), without `LD_LIBRARY_PATH`; its test binaries carry a run
//!    path to the interpreter's libdir.
//!
//! Each check counts as one test; the cargo tests count as themselves.
//! maturin builds in the target directory of `cargo xtask develop`, and
//! `cargo test` in that of the cargo stage, so little is rebuilt.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use crate::develop;
use crate::interpreters::{Interpreter, Interpreters, Kind};
use crate::provision;
use crate::summary::{self, Counts};
use crate::test::{cargo_stage, stage_error};
use crate::util::{self, Result};
use crate::venv::{self, Venv};

/// The crate under `examples/`, its package name and its module name.
const PROJECT: &str = "hello";

/// Run in the venv after `maturin develop`: calls the module and reports
/// what the checks compare.
const IMPORT_CHECK: &str = "\
import sys, sysconfig, hello
print(hello.add(2, 3))
print(int(sys._is_gil_enabled()))
print(sysconfig.get_config_var('EXT_SUFFIX'))
print(hello.hello.__file__)";

/// Prints the member names of the wheel given as the first argument.
const WHEEL_MEMBERS: &str = "\
import sys, zipfile
print(*zipfile.ZipFile(sys.argv[1]).namelist(), sep='\\n')";

/// The stage on every interpreter: one summary line each, and the sum.
pub fn stage(root: &Path, interpreters: &Interpreters) -> (Vec<String>, Counts) {
    let mut lines = Vec::new();
    let mut total = Counts::default();
    for interpreter in interpreters.iter() {
        println!(
            "\n==== maturin and cargo test of examples/{PROJECT} on {} ====",
            interpreter.label()
        );
        let started = std::time::Instant::now();
        let counts = run(root, interpreter);
        let took = util::minutes(started.elapsed());
        lines.push(format!(
            "{}: maturin {counts} ({took})",
            interpreter.label()
        ));
        total += counts;
    }
    (lines, total)
}

/// `cargo xtask maturin`: the stage alone, with its summary.
pub fn subcommand(ft_only: bool) -> Result<ExitCode> {
    let root = util::workspace_root();
    let found = provision::interpreters(&provision::Options::default(), !ft_only)?;
    let (lines, total) = stage(&root, &found);
    Ok(summary::report(&lines, total))
}

/// What the venv's interpreter reported after `maturin develop`.
struct Installed {
    ext_suffix: String,
    module_file: PathBuf,
}

fn run(root: &Path, interpreter: &Interpreter) -> Counts {
    let venv = match venv::ensure(root, interpreter) {
        Ok(venv) => venv,
        Err(e) => return stage_error(&e),
    };
    let wheel = build_wheel(root, interpreter, &venv);
    let installed = develop_and_import(root, interpreter, &venv);
    let tags = wheel
        .clone()
        .and_then(|wheel| check_wheel_tags(&wheel, interpreter));
    let members = match (&wheel, &installed) {
        (Ok(wheel), Ok(installed)) => check_wheel_members(&venv, interpreter, wheel, installed),
        (Err(e), _) | (_, Err(e)) => Err(e.clone()),
    };
    let links = installed
        .as_ref()
        .map_err(String::clone)
        .and_then(|installed| check_extension_links(&installed.module_file));
    let imported = installed.map(|_| ());
    let mut counts = Counts::default();
    record(&mut counts, "maturin build: the wheel's tags", tags);
    record(
        &mut counts,
        "maturin build: the extension's file name in the wheel",
        members,
    );
    record(
        &mut counts,
        "maturin develop, then `hello.add(2, 3)` in the venv",
        imported,
    );
    record(
        &mut counts,
        "the installed extension has no run path and does not link libpython",
        links,
    );
    counts += cargo_test(root, interpreter);
    record(
        &mut counts,
        "the test binaries have a run path to the interpreter's libdir",
        check_test_binaries(root, interpreter),
    );
    counts
}

/// Counts `result` as one test, and says how it went.
fn record(counts: &mut Counts, what: &str, result: Result<()>) {
    match result {
        Ok(()) => {
            println!("ok: {what}");
            counts.passed += 1;
        }
        Err(e) => {
            eprintln!("FAILED: {what}: {e}");
            counts.failed += 1;
        }
    }
}

/// The venv's `maturin`, in the target directory of `cargo xtask develop`.
/// As for a user, nothing but maturin tells the build which interpreter it
/// is for (maturin sets `PYO3_PYTHON`): `PYO3FT_PYTHON` is removed, as it
/// would take precedence.
fn maturin(root: &Path, interpreter: &Interpreter, venv: &Venv) -> Command {
    let mut cmd = Command::new(venv.dir.join("bin").join("maturin"));
    cmd.env("VIRTUAL_ENV", &venv.dir)
        .env_remove("PYO3FT_PYTHON")
        .env(
            "CARGO_TARGET_DIR",
            develop::wheels_target_dir(root, interpreter),
        )
        .current_dir(root);
    interpreter.library_env(&mut cmd);
    cmd
}

fn manifest(root: &Path) -> PathBuf {
    root.join("examples").join(PROJECT).join("Cargo.toml")
}

/// `maturin build --release` into an emptied `target/maturin-<ft|gil>`;
/// the one wheel it wrote.
fn build_wheel(root: &Path, interpreter: &Interpreter, venv: &Venv) -> Result<PathBuf> {
    let out = root
        .join("target")
        .join(format!("maturin-{}", interpreter.kind.suffix()));
    util::remove_dir(&out)?;
    let mut build = maturin(root, interpreter, venv);
    build
        .args(["build", "--release", "--interpreter"])
        .arg(&venv.python)
        .arg("--manifest-path")
        .arg(manifest(root))
        .arg("--out")
        .arg(&out);
    util::run(&mut build)?;
    let wheels: Vec<PathBuf> = std::fs::read_dir(&out)
        .map_err(|e| format!("cannot read {}: {e}", out.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "whl"))
        .collect();
    match &wheels[..] {
        [wheel] => Ok(wheel.clone()),
        _ => Err(format!(
            "expected one wheel in {}, found {wheels:?}",
            out.display()
        )),
    }
}

/// `maturin develop --release` into the venv, then [`IMPORT_CHECK`].
fn develop_and_import(root: &Path, interpreter: &Interpreter, venv: &Venv) -> Result<Installed> {
    let mut develop = maturin(root, interpreter, venv);
    develop
        .args(["develop", "--release", "--manifest-path"])
        .arg(manifest(root));
    util::run(&mut develop)?;
    let mut python = venv.command();
    python.args(["-c", IMPORT_CHECK]).current_dir(root);
    let out = util::output(interpreter.library_env(&mut python))?;
    let lines: Vec<&str> = out.lines().collect();
    let [sum, gil, ext_suffix, module_file] = lines[..] else {
        return Err(format!("unexpected output of the import check:\n{out}"));
    };
    if sum != "5" {
        return Err(format!("hello.add(2, 3) returned {sum}"));
    }
    let gil_expected = if interpreter.kind == Kind::Gil {
        "1"
    } else {
        "0"
    };
    if gil != gil_expected {
        return Err(format!(
            "sys._is_gil_enabled() is {gil} after the import, expected {gil_expected}"
        ));
    }
    Ok(Installed {
        ext_suffix: ext_suffix.to_owned(),
        module_file: PathBuf::from(module_file),
    })
}

/// The wheel's Python and ABI tags are those of `interpreter`.
fn check_wheel_tags(wheel: &Path, interpreter: &Interpreter) -> Result<()> {
    let name = wheel.file_name().unwrap_or_default().to_string_lossy();
    let (python_tag, abi_tag) =
        wheel_tags(&name).ok_or_else(|| format!("`{name}` is not a wheel file name"))?;
    let expected = expected_tags(interpreter);
    if (python_tag, abi_tag) == (expected.0.as_str(), expected.1.as_str()) {
        Ok(())
    } else {
        Err(format!(
            "`{name}` is tagged {python_tag}-{abi_tag}, expected {}-{}",
            expected.0, expected.1
        ))
    }
}

/// The Python and ABI tags of a wheel file name
/// (`name-version[-build]-python-abi-platform.whl`).
fn wheel_tags(file_name: &str) -> Option<(&str, &str)> {
    let parts: Vec<&str> = file_name.strip_suffix(".whl")?.split('-').collect();
    match parts[..] {
        [_, _, .., python, abi, _] => Some((python, abi)),
        _ => None,
    }
}

/// `("cp313", "cp313t")` for free-threaded 3.13, `("cp313", "cp313")` for GIL.
fn expected_tags(interpreter: &Interpreter) -> (String, String) {
    let digits: String = interpreter.version.split('.').take(2).collect();
    let python = format!("cp{digits}");
    let abi = match interpreter.kind {
        Kind::FreeThreaded => format!("{python}t"),
        Kind::Gil => python.clone(),
    };
    (python, abi)
}

/// The wheel holds `hello/hello<EXT_SUFFIX>`, the file name the interpreter
/// imports.
fn check_wheel_members(
    venv: &Venv,
    interpreter: &Interpreter,
    wheel: &Path,
    installed: &Installed,
) -> Result<()> {
    let mut python = venv.command();
    python.args(["-c", WHEEL_MEMBERS]).arg(wheel);
    let members = util::output(interpreter.library_env(&mut python))?;
    let expected = format!("{PROJECT}/{PROJECT}{}", installed.ext_suffix);
    if members.lines().any(|member| member == expected) {
        Ok(())
    } else {
        Err(format!("the wheel lacks {expected}; it holds:\n{members}"))
    }
}

/// The extension module carries no run path and does not link libpython.
fn check_extension_links(module: &Path) -> Result<()> {
    let dynamic = readelf_dynamic(module)?;
    let paths = run_paths(&dynamic);
    if !paths.is_empty() {
        return Err(format!("{} has a run path: {paths:?}", module.display()));
    }
    if links_libpython(&dynamic) {
        return Err(format!("{} links libpython", module.display()));
    }
    Ok(())
}

/// `cargo test -p hello` with the interpreter and nothing else: no
/// `LD_LIBRARY_PATH`, so the binaries find libpython through their run path.
fn cargo_test(root: &Path, interpreter: &Interpreter) -> Counts {
    let mut cmd = test_command(root, interpreter);
    cargo_stage(&mut cmd)
}

fn test_command(root: &Path, interpreter: &Interpreter) -> Command {
    let mut cmd = util::cargo();
    cmd.args(["test", "-p", PROJECT])
        .env("PYO3FT_PYTHON", &interpreter.python)
        .env("CARGO_TARGET_DIR", interpreter.kind.target_dir(root))
        .env_remove("LD_LIBRARY_PATH")
        .current_dir(root);
    cmd
}

/// Every test binary of `cargo test -p hello` has the interpreter's libdir
/// in its run path.
fn check_test_binaries(root: &Path, interpreter: &Interpreter) -> Result<()> {
    let mut cmd = test_command(root, interpreter);
    cmd.args(["--no-run", "--message-format=json"]);
    let binaries = executables(&util::output(&mut cmd)?);
    if binaries.is_empty() {
        return Err("cargo reported no test binary".to_owned());
    }
    let libdir = interpreter.libdir.to_string_lossy();
    for binary in binaries {
        let paths = run_paths(&readelf_dynamic(&binary)?);
        if !paths.iter().any(|path| *path == libdir) {
            return Err(format!(
                "{}: run path {paths:?} lacks {libdir}",
                binary.display()
            ));
        }
    }
    Ok(())
}

/// The `"executable"` paths of cargo's JSON messages.
fn executables(json: &str) -> Vec<PathBuf> {
    const KEY: &str = "\"executable\":\"";
    json.lines()
        .filter_map(|line| {
            let rest = &line[line.find(KEY)? + KEY.len()..];
            Some(PathBuf::from(&rest[..rest.find('"')?]))
        })
        .collect()
}

fn readelf_dynamic(file: &Path) -> Result<String> {
    util::output(Command::new("readelf").arg("--dynamic").arg(file))
}

/// The directories of the `RUNPATH` and `RPATH` entries of `readelf -d`.
fn run_paths(dynamic: &str) -> Vec<String> {
    dynamic
        .lines()
        .filter(|line| line.contains("(RUNPATH)") || line.contains("(RPATH)"))
        .filter_map(|line| {
            let list = &line[line.find('[')? + 1..line.rfind(']')?];
            Some(list.split(':').map(str::to_owned).collect::<Vec<_>>())
        })
        .flatten()
        .collect()
}

/// Whether `readelf -d` lists libpython among the needed libraries.
fn links_libpython(dynamic: &str) -> bool {
    dynamic
        .lines()
        .any(|line| line.contains("(NEEDED)") && line.contains("libpython"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DYNAMIC: &str = "\
 0x0000000000000001 (NEEDED)             Shared library: [libpython3.13t.so.1.0]
 0x0000000000000001 (NEEDED)             Shared library: [libc.so.6]
 0x000000000000001d (RUNPATH)            Library runpath: [/opt/py/lib:/usr/local/lib]
";

    #[test]
    fn reads_run_paths_and_libpython() {
        assert_eq!(run_paths(DYNAMIC), ["/opt/py/lib", "/usr/local/lib"]);
        assert!(links_libpython(DYNAMIC));
        let plain = " 0x0000000000000001 (NEEDED)             Shared library: [libc.so.6]\n";
        assert!(run_paths(plain).is_empty());
        assert!(!links_libpython(plain));
    }

    #[test]
    fn reads_wheel_tags() {
        assert_eq!(
            wheel_tags("hello-0.1.0-cp313-cp313t-manylinux_2_34_x86_64.whl"),
            Some(("cp313", "cp313t"))
        );
        assert_eq!(
            wheel_tags("hello-0.1.0-1-cp313-cp313-linux_x86_64.whl"),
            Some(("cp313", "cp313"))
        );
        assert_eq!(wheel_tags("hello-0.1.0.tar.gz"), None);
        assert_eq!(wheel_tags("hello-cp313.whl"), None);
    }

    #[test]
    fn expects_the_t_suffix_on_free_threaded_builds_only() {
        let mut interpreter = Interpreter {
            python: PathBuf::from("/p/bin/python3.13t"),
            version: "3.13.15".to_owned(),
            kind: Kind::FreeThreaded,
            libdir: PathBuf::from("/p/lib"),
            include: PathBuf::from("/p/include"),
        };
        assert_eq!(
            expected_tags(&interpreter),
            ("cp313".to_owned(), "cp313t".to_owned())
        );
        interpreter.kind = Kind::Gil;
        assert_eq!(
            expected_tags(&interpreter),
            ("cp313".to_owned(), "cp313".to_owned())
        );
    }

    #[test]
    fn finds_test_executables_in_cargo_messages() {
        let json = concat!(
            r#"{"reason":"compiler-artifact","target":{"name":"build-script-build"},"executable":null}"#,
            "\n",
            r#"{"reason":"compiler-artifact","profile":{"test":true},"executable":"/t/debug/deps/hello-1a2b"}"#,
            "\n",
            r#"{"reason":"build-finished","success":true}"#,
        );
        assert_eq!(
            executables(json),
            [PathBuf::from("/t/debug/deps/hello-1a2b")]
        );
    }
}
