//! Configuring the embedded interpreter before it starts
//! (`pyo3_ft::embed::Config`). The interpreter starts once per process, so
//! every scenario runs in its own child process.

use std::path::{Path, PathBuf};

use pyo3_ft::embed::{Config, EmbedError};
use pyo3_ft::prelude::*;
use pyo3_ft_tests::run_child;

/// The interpreter the tests were built against.
const PYTHON: &str = env!("PYO3FT_TEST_PYTHON");

/// A fresh directory for this process.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pyo3-ft-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `python -m venv --without-pip DIR`, with a module `in_venv` in its
/// site-packages.
fn make_venv(dir: &Path) {
    let status = std::process::Command::new(PYTHON)
        .args(["-m", "venv", "--without-pip"])
        .arg(dir)
        .status()
        .unwrap();
    assert!(status.success(), "{PYTHON} -m venv failed");
    let site = std::fs::read_dir(dir.join("lib"))
        .unwrap()
        .map(|entry| entry.unwrap().path().join("site-packages"))
        .find(|site| site.is_dir())
        .expect("the venv's site-packages");
    std::fs::write(site.join("in_venv.py"), "WHERE = 'venv'\n").unwrap();
}

fn eval<T: for<'a, 'py> FromPyObject<'a, 'py>>(code: &str) -> T {
    Python::attach(|py| py.eval(code, None, None).unwrap().extract().unwrap())
}

#[test]
fn venv_sets_prefix_and_site_packages_as_cpython_does() {
    run_child("child_venv");
}

#[test]
#[ignore = "run in a child process by its parent test"]
fn child_venv() {
    let venv = scratch("venv");
    make_venv(&venv);
    Config::new().venv(&venv).start().unwrap();
    let venv = std::fs::canonicalize(&venv).unwrap();
    let prefix: String = eval("__import__('sys').prefix");
    assert_eq!(Path::new(&prefix), venv);
    let base: String = eval("__import__('sys').base_prefix");
    assert_ne!(Path::new(&base), venv);
    let executable: String = eval("__import__('sys').executable");
    assert_eq!(Path::new(&executable), venv.join("bin/python"));
    let site: Vec<String> = eval("__import__('site').getsitepackages()");
    assert!(
        site.iter().all(|dir| Path::new(dir).starts_with(&venv)),
        "{site:?}"
    );
    let where_: String = eval("__import__('in_venv').WHERE");
    assert_eq!(where_, "venv");
    let _ = std::fs::remove_dir_all(&venv);
}

#[test]
fn settings_reach_sys() {
    run_child("child_settings");
}

#[test]
#[ignore = "run in a child process by its parent test"]
fn child_settings() {
    let dir = scratch("settings");
    std::fs::create_dir_all(dir.join("a")).unwrap();
    std::fs::write(dir.join("a/from_a.py"), "X = 1\n").unwrap();
    std::env::set_current_dir(&dir).unwrap();
    // Ignored below: it would put /from/environment on sys.path.
    std::env::set_var("PYTHONPATH", "/from/environment");
    Config::new()
        .program_name("embed-config-test")
        .sys_path("a")
        .sys_path(dir.join("b"))
        .argv(["host", "--flag", "ü"])
        .safe_path(true)
        .utf8_mode(true)
        .ignore_environment(true)
        .start()
        .unwrap();
    let argv: Vec<String> = eval("__import__('sys').argv");
    assert_eq!(argv, ["host", "--flag", "ü"]);
    let path: Vec<String> = eval("__import__('sys').path");
    let dir = std::fs::canonicalize(&dir).unwrap();
    assert_eq!(Path::new(&path[0]), dir.join("a"));
    assert_eq!(Path::new(&path[1]), dir.join("b"));
    assert!(
        !path.iter().any(|p| p.contains("from/environment")),
        "{path:?}"
    );
    let flags: (i64, i64, i64, i64) = eval(
        "(lambda f: (f.safe_path, f.utf8_mode, f.ignore_environment, f.isolated))(__import__('sys').flags)",
    );
    assert_eq!(flags, (1, 1, 1, 0));
    assert_eq!(eval::<i64>("__import__('from_a').X"), 1);
}

#[test]
fn isolated_mode() {
    run_child("child_isolated");
}

#[test]
#[ignore = "run in a child process by its parent test"]
fn child_isolated() {
    std::env::set_var("PYTHONPATH", "/from/environment");
    Config::new().isolated(true).start().unwrap();
    let flags: (i64, i64, i64, i64) = eval(
        "(lambda f: (f.isolated, f.ignore_environment, f.safe_path, f.no_user_site))(__import__('sys').flags)",
    );
    assert_eq!(flags, (1, 1, 1, 1));
    let path: Vec<String> = eval("__import__('sys').path");
    assert!(
        !path.iter().any(|p| p.contains("from/environment")),
        "{path:?}"
    );
}

#[test]
fn environment_is_used_by_default() {
    run_child("child_environment_used");
}

#[test]
#[ignore = "run in a child process by its parent test"]
fn child_environment_used() {
    std::env::set_var("PYTHONPATH", "/from/environment");
    Config::new().start().unwrap();
    let path: Vec<String> = eval("__import__('sys').path");
    assert!(path.iter().any(|p| p == "/from/environment"), "{path:?}");
}

#[test]
fn starting_twice_or_after_attach_is_an_error() {
    run_child("child_start_twice");
    run_child("child_start_after_attach");
}

#[test]
#[ignore = "run in a child process by its parent test"]
fn child_start_twice() {
    Config::new().start().unwrap();
    assert_eq!(Config::new().start(), Err(EmbedError::AlreadyStarted));
    assert_eq!(eval::<i64>("6 * 7"), 42);
}

#[test]
#[ignore = "run in a child process by its parent test"]
fn child_start_after_attach() {
    assert_eq!(eval::<i64>("6 * 7"), 42);
    let err = Config::new().argv(["late"]).start().unwrap_err();
    assert_eq!(err, EmbedError::AlreadyStarted);
    assert!(err.to_string().contains("already started"), "{err}");
    let argv: Vec<String> = eval("__import__('sys').argv");
    assert_ne!(argv, ["late"]);
}

#[test]
fn cpython_rejection_is_an_error_with_its_message() {
    run_child("child_bad_home");
}

#[test]
#[ignore = "run in a child process by its parent test"]
fn child_bad_home() {
    let err = Config::new()
        .home("/nonexistent/pyo3-ft-home")
        .start()
        .unwrap_err();
    let EmbedError::Config { message, .. } = &err else {
        panic!("expected CPython's status, got {err:?}");
    };
    assert!(
        message.contains("encodings"),
        "CPython's message: {message}"
    );
    assert!(err.to_string().contains(message.as_str()));
    // The interpreter stays down, with a defined outcome.
    assert_eq!(
        Python::try_attach(|_| ()),
        Err(pyo3_ft::AttachError::StartFailed)
    );
    assert_eq!(Config::new().start(), Err(EmbedError::StartFailed));
}

#[test]
fn invalid_settings_are_refused_before_cpython_sees_them() {
    run_child("child_invalid_settings");
}

#[test]
#[ignore = "run in a child process by its parent test"]
fn child_invalid_settings() {
    let not_a_venv = scratch("not-a-venv");
    let err = Config::new().venv(&not_a_venv).start().unwrap_err();
    assert!(matches!(err, EmbedError::InvalidSetting(_)), "{err:?}");
    assert!(
        err.to_string().contains("not a virtual environment"),
        "{err}"
    );
    // Nothing reached CPython: a corrected configuration still starts.
    Config::new().argv(["second"]).start().unwrap();
    assert_eq!(eval::<Vec<String>>("__import__('sys').argv"), ["second"]);
}
