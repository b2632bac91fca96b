//! Building CPython from a source tarball into the cache.
//!
//! Each build is `configure && make && make install` in its own directory
//! under `<cache>/build/`, with all output in `<cache>/logs/<name>.log`; the
//! prefix becomes visible to the runtime's build script only once the marker
//! file is written, after the installed interpreter passed a smoke test.

use std::fs::{self, File, TryLockError};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::cache::{Provisioned, MARKER};
use crate::interpreters::Kind;
use crate::util::{self, Result};

/// Headers the standard library modules that the tasks need are built from,
/// with the Debian package that ships each.
const HEADERS: [(&str, &str); 6] = [
    ("zlib.h", "zlib1g-dev"),
    ("ffi.h", "libffi-dev"),
    ("openssl/ssl.h", "libssl-dev"),
    ("bzlib.h", "libbz2-dev"),
    ("lzma.h", "liblzma-dev"),
    ("sqlite3.h", "libsqlite3-dev"),
];

/// Modules the installed interpreter must have (pip needs ssl and zlib).
const SMOKE_TEST: &str = "import bz2, ctypes, lzma, sqlite3, ssl, zlib";

/// Builds `tarball` as a `kind` interpreter under `cache_root` and returns
/// the installed executable. Unless `replace`, an installation of the same
/// version completed meanwhile (by a concurrent run) is reused.
pub fn build(cache_root: &Path, tarball: &Path, kind: Kind, replace: bool) -> Result<PathBuf> {
    check_toolchain()?;
    let started = Instant::now();
    let build_root = cache_root.join("build");
    let staging = build_root.join(format!("extract-{}", std::process::id()));
    eprintln!(
        "provision: building {} CPython from {}",
        kind.name(),
        tarball.display()
    );
    eprintln!("  [1/4] extracting");
    let src = extract(tarball, &staging)?;
    let version = read_version(&src)?;
    let free_threaded = kind == Kind::FreeThreaded;
    let name = Provisioned::dir_name(version, free_threaded);
    let installed = Provisioned {
        prefix: cache_root.join(&name),
        version,
        free_threaded,
    };
    let _lock = lock(&build_root.join(format!("{name}.lock")), &name)?;
    if !replace && installed.prefix.join(MARKER).is_file() {
        util::remove_dir(&staging)?;
        return Ok(installed.python());
    }
    let work = build_root.join(&name);
    prepare_work_dir(&work, &src, &staging)?;
    util::remove_dir(&installed.prefix)?;
    let log = cache_root.join("logs").join(format!("{name}.log"));
    compile(&work, &log, &installed, kind, started)?;
    util::remove_dir(&work)?;
    eprintln!(
        "  done in {}: {}",
        util::minutes(started.elapsed()),
        installed.python().display()
    );
    Ok(installed.python())
}

/// A fresh `work` directory: the sources moved out of `staging` into
/// `work/src`, and an empty `work/obj` for the out-of-tree build.
fn prepare_work_dir(work: &Path, src: &Path, staging: &Path) -> Result<()> {
    util::remove_dir(work)?;
    util::create_dir(&work.join("obj"))?;
    fs::rename(src, work.join("src"))
        .map_err(|e| format!("cannot move {} to {}: {e}", src.display(), work.display()))?;
    util::remove_dir(staging)
}

/// `configure`, `make`, `make install`, smoke test, marker; output to `log`.
fn compile(
    work: &Path,
    log: &Path,
    installed: &Provisioned,
    kind: Kind,
    started: Instant,
) -> Result<()> {
    if let Some(dir) = log.parent() {
        util::create_dir(dir)?;
    }
    util::write(log, "")?;
    eprintln!("      log: {}", log.display());
    let obj = work.join("obj");
    let args = configure_args(kind, &installed.prefix);
    eprintln!("  [2/4] configure {}", args.join(" "));
    let mut configure = Command::new(work.join("src").join("configure"));
    util::run_logged(configure.args(&args).current_dir(&obj), log, started)?;
    let jobs = util::cpus();
    eprintln!("  [3/4] make -j{jobs}");
    let mut make = Command::new("make");
    util::run_logged(
        make.arg(format!("-j{jobs}")).current_dir(&obj),
        log,
        started,
    )?;
    eprintln!("  [4/4] make install");
    util::run_logged(
        Command::new("make").arg("install").current_dir(&obj),
        log,
        started,
    )?;
    smoke_test(&installed.python())?;
    let (major, minor, micro) = installed.version;
    write_marker(
        &installed.prefix,
        &format!("{major}.{minor}.{micro}"),
        &args,
    )
}

/// The `configure` arguments of a `kind` build installed into `prefix`.
fn configure_args(kind: Kind, prefix: &Path) -> Vec<String> {
    let mut args = Vec::new();
    if kind == Kind::FreeThreaded {
        args.push("--disable-gil".to_string());
    }
    args.push("--enable-shared".to_string());
    args.push(format!("--prefix={}", prefix.display()));
    args.push(format!(
        "LDFLAGS=-Wl,-rpath,{}",
        prefix.join("lib").display()
    ));
    args
}

/// Marks `prefix` complete; records the version and how it was configured.
fn write_marker(prefix: &Path, version: &str, configure_args: &[String]) -> Result<()> {
    let text = format!(
        "version: {version}\nconfigure: {}\n",
        configure_args.join(" ")
    );
    util::write(&prefix.join(MARKER), &text)
}

/// Serialises builds of one prefix across processes; the lock is released
/// when the returned file is dropped (or the process dies).
fn lock(path: &Path, name: &str) -> Result<File> {
    let file = File::create(path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => {
            eprintln!("  waiting for another `cargo xtask provision` that is building {name}…");
            file.lock()
                .map(|()| file)
                .map_err(|e| format!("cannot lock {}: {e}", path.display()))
        }
        Err(TryLockError::Error(e)) => Err(format!("cannot lock {}: {e}", path.display())),
    }
}

/// Unpacks `tarball` into a fresh `staging` and returns its top directory.
fn extract(tarball: &Path, staging: &Path) -> Result<PathBuf> {
    util::remove_dir(staging)?;
    util::create_dir(staging)?;
    util::run(
        Command::new("tar")
            .arg("-xf")
            .arg(tarball)
            .arg("-C")
            .arg(staging),
    )?;
    fs::read_dir(staging)
        .map_err(|e| format!("cannot read {}: {e}", staging.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .find(|dir| dir.join("configure").is_file())
        .ok_or_else(|| format!("{} holds no CPython source tree", tarball.display()))
}

/// The version in `Include/patchlevel.h` of a source tree.
fn read_version(src: &Path) -> Result<(u32, u32, u32)> {
    crate::runtime_headers::version_of(&src.join("Include"))
}

/// Makes sure a C compiler, make and the needed headers are present;
/// installs missing `-dev` packages when running as root.
fn check_toolchain() -> Result<()> {
    for (tool, arg) in [
        ("cc", "--version"),
        ("make", "--version"),
        ("tar", "--version"),
    ] {
        util::output(Command::new(tool).arg(arg))
            .map_err(|e| format!("building CPython needs `{tool}`: {e}"))?;
    }
    let missing = missing_packages();
    if missing.is_empty() {
        return Ok(());
    }
    if !util::is_root() {
        return Err(format!(
            "building CPython needs development headers that are missing; install them with\n    \
             sudo apt-get install {}",
            missing.join(" ")
        ));
    }
    eprintln!(
        "provision: installing missing build dependencies: {}",
        missing.join(" ")
    );
    util::run(
        Command::new("apt-get")
            .args(["install", "-y"])
            .args(&missing),
    )?;
    let still = missing_packages();
    if still.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "headers still missing after installing: {}",
            still.join(" ")
        ))
    }
}

/// Packages whose header the C compiler cannot find.
fn missing_packages() -> Vec<&'static str> {
    HEADERS
        .iter()
        .filter(|(header, _)| {
            let mut probe = Command::new("cc");
            probe.args([
                "-E",
                "-x",
                "c",
                "/dev/null",
                "-o",
                "/dev/null",
                "-include",
                header,
            ]);
            util::output(&mut probe).is_err()
        })
        .map(|(_, package)| *package)
        .collect()
}

/// Checks that the installed interpreter starts and has its key modules.
fn smoke_test(python: &Path) -> Result<()> {
    util::output(Command::new(python).args(["-c", SMOKE_TEST])).map_err(|e| {
        format!("the freshly built interpreter is incomplete (a build dependency is missing?): {e}")
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configure_args_differ_only_in_disable_gil() {
        let prefix = Path::new("/c/cpython-3.13.15-ft");
        assert_eq!(
            configure_args(Kind::FreeThreaded, prefix),
            [
                "--disable-gil",
                "--enable-shared",
                "--prefix=/c/cpython-3.13.15-ft",
                "LDFLAGS=-Wl,-rpath,/c/cpython-3.13.15-ft/lib",
            ]
        );
        assert_eq!(configure_args(Kind::Gil, prefix)[0], "--enable-shared");
    }
}
