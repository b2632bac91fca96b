//! The layout stage of `cargo xtask test`: `runtime/tests/layout.rs` once per
//! configuration, free-threaded and GIL, for every CPython version at hand:
//! 3.13 from the provisioned interpreters' own headers, 3.14 and 3.15 from
//! the header sets of `cargo xtask headers`.
//!
//! Each configuration builds only `pyo3-ft-runtime` and its layout test, in
//! header-only mode (`PYO3FT_HEADERS`, see `runtime/build/headers.rs`): the
//! build script sets the cfgs it would set for an interpreter of that
//! version and build, without running one. Each gets its own target
//! directory under `target/layout/`, so that a rerun rebuilds nothing and
//! the workspace's own builds are never invalidated. For the header sets
//! (versions that no interpreter here runs), `cargo check -p pyo3-ft` then
//! proves that the safe layer compiles under that version's cfgs; those
//! checks share `target/layout/check`, so the dependencies build once.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use crate::headers::{self, HeaderSet};
use crate::interpreters::{Interpreter, Interpreters, Kind};
use crate::provision;
use crate::runtime_headers::{ENV_FREE_THREADED, ENV_HEADERS};
use crate::summary::{self, Counts};
use crate::util::{self, Result};

/// The stage: fetches the missing header sets, then checks every
/// configuration. Returns one summary line per configuration and the
/// summed counts.
pub fn stage(root: &Path, interpreters: &Interpreters, ft_only: bool) -> (Vec<String>, Counts) {
    println!("\n==== layout check: the headers of 3.14 and 3.15 ====");
    let header_sets = headers::ensure_all();
    let mut lines = Vec::new();
    let mut total = Counts::default();
    for config in configurations(interpreters.iter(), &header_sets, ft_only) {
        println!("\n==== layout check on {} ====", config.label);
        let outcome = run(root, &config);
        let safe_api = match outcome.safe_api_compiles {
            Some(true) => "; pyo3-ft compiles",
            Some(false) => "; pyo3-ft does NOT compile",
            None => "",
        };
        lines.push(format!(
            "layout {}: cargo {}; {} items checked{safe_api}",
            config.label, outcome.counts, outcome.items
        ));
        total += outcome.counts;
    }
    (lines, total)
}

/// `cargo xtask layout`: the stage alone, with its summary.
pub fn subcommand(ft_only: bool) -> Result<ExitCode> {
    let root = util::workspace_root();
    let found = provision::interpreters(&provision::Options::default(), !ft_only)?;
    let (lines, total) = stage(&root, &found, ft_only);
    Ok(summary::report(&lines, total))
}

/// One configuration of the layout check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `3.14.10t (headers)`, for the summary.
    pub label: String,
    /// Directory name under `target/layout/`: `3.14t`, `3.14`.
    pub name: String,
    /// The directory of `Python.h`, then further include directories.
    pub include: Vec<PathBuf>,
    pub free_threaded: bool,
    /// Also `cargo check -p pyo3-ft` under these cfgs (versions that the
    /// workspace's own test stages do not build).
    pub check_safe_api: bool,
}

impl Config {
    /// The provisioned interpreter's own headers.
    pub fn of_interpreter(interpreter: &Interpreter) -> Self {
        let free_threaded = interpreter.kind == Kind::FreeThreaded;
        let suffix = if free_threaded { "t" } else { "" };
        let minor = interpreter
            .version
            .rsplit_once('.')
            .map_or(interpreter.version.as_str(), |(minor, _)| minor);
        Self {
            label: format!("{}{suffix} (interpreter)", interpreter.version),
            name: format!("{minor}{suffix}"),
            include: vec![interpreter.include.clone()],
            free_threaded,
            check_safe_api: false,
        }
    }

    /// A header set, in one of its two configurations.
    pub fn of_headers(set: &HeaderSet, free_threaded: bool) -> Self {
        let (major, minor, _) = set.version;
        let suffix = if free_threaded { "t" } else { "" };
        Self {
            label: format!("{}{suffix} (headers)", set.version_string()),
            name: format!("{major}.{minor}{suffix}"),
            include: std::iter::once(&set.include)
                .chain(&set.extra)
                .cloned()
                .collect(),
            free_threaded,
            check_safe_api: true,
        }
    }
}

/// The configurations to check: the interpreters', then each header set's
/// free-threaded and (unless `ft_only`) GIL configuration.
pub fn configurations<'a>(
    interpreters: impl Iterator<Item = &'a Interpreter>,
    header_sets: &[HeaderSet],
    ft_only: bool,
) -> Vec<Config> {
    let mut configs: Vec<Config> = interpreters.map(Config::of_interpreter).collect();
    for set in header_sets {
        configs.push(Config::of_headers(set, true));
        if !ft_only {
            configs.push(Config::of_headers(set, false));
        }
    }
    configs
}

/// The outcome of one configuration.
pub struct Outcome {
    pub counts: Counts,
    /// Items (sizes, offsets, constants) compared, summed over the areas
    /// that passed.
    pub items: u64,
    /// Whether `pyo3-ft` compiled, if it was checked.
    pub safe_api_compiles: Option<bool>,
}

/// Builds and runs the layout test for `config`, then checks `pyo3-ft` if
/// the configuration asks for it.
pub fn run(root: &Path, config: &Config) -> Outcome {
    let layout_dir = root.join("target").join("layout");
    let mut cmd = util::cargo();
    cmd.args(["test", "-p", "pyo3-ft-runtime", "--test", "layout", "--"])
        .args(["--nocapture", "--test-threads=1"])
        .env("CARGO_TARGET_DIR", layout_dir.join(&config.name));
    let Some(cmd) = header_env(&mut cmd, root, config) else {
        return Outcome {
            counts: Counts::default().with_stage_failure(),
            items: 0,
            safe_api_compiles: None,
        };
    };
    let mut outcome = outcome(cmd);
    if config.check_safe_api {
        let mut check = util::cargo();
        check
            .args(["check", "-p", "pyo3-ft"])
            .env("CARGO_TARGET_DIR", layout_dir.join("check"));
        let compiles = header_env(&mut check, root, config).is_some_and(|check| {
            util::run(check)
                .map_err(|e| eprintln!("error: {e}"))
                .is_ok()
        });
        if !compiles {
            outcome.counts = outcome.counts.with_stage_failure();
        }
        outcome.safe_api_compiles = Some(compiles);
    }
    outcome
}

/// Selects `config`'s header set for a cargo command in `root`; `None`
/// (reported) if its include path cannot be one environment variable.
fn header_env<'c>(cmd: &'c mut Command, root: &Path, config: &Config) -> Option<&'c mut Command> {
    let include = std::env::join_paths(&config.include)
        .map_err(|e| eprintln!("error: include path of {}: {e}", config.label))
        .ok()?;
    let free_threaded = if config.free_threaded { "1" } else { "0" };
    Some(
        cmd.current_dir(root)
            .env(ENV_HEADERS, include)
            .env(ENV_FREE_THREADED, free_threaded)
            // A mismatch is a list, not a backtrace.
            .env("RUST_BACKTRACE", "0"),
    )
}

fn outcome(cmd: &mut Command) -> Outcome {
    match util::run_tee(cmd) {
        Ok((status, output)) => {
            let counts = summary::cargo_counts(&output);
            let items = items_checked(&output);
            if status.success() {
                Outcome {
                    counts,
                    items,
                    safe_api_compiles: None,
                }
            } else {
                eprintln!("error: `{}` failed ({status})", util::describe(cmd));
                Outcome {
                    counts: counts.with_stage_failure(),
                    items,
                    safe_api_compiles: None,
                }
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            Outcome {
                counts: Counts::default().with_stage_failure(),
                items: 0,
                safe_api_compiles: None,
            }
        }
    }
}

/// Sums the `layout-checked AREA N` lines the layout test prints.
pub fn items_checked(output: &str) -> u64 {
    output
        .lines()
        .filter_map(|line| {
            // `--nocapture` output can share a line with the harness's own.
            let rest = &line[line.find("layout-checked ")? + "layout-checked ".len()..];
            let mut words = rest.split_whitespace();
            let _area = words.next()?;
            words.next()?.parse::<u64>().ok()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_summed_over_areas() {
        let output = "\
running 11 tests
test every_area_is_checked ... ok
layout-checked build 2
.layout-checked const 55
test critical_section_layout ... layout-checked critical_section 12
ok
layout-checked type 106
test result: ok. 11 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out
";
        assert_eq!(items_checked(output), 2 + 55 + 12 + 106);
        assert_eq!(items_checked("layout-checked type many\n"), 0);
    }

    fn header_set(minor: u32) -> HeaderSet {
        HeaderSet {
            version: (3, minor, 2),
            package_version: format!("3.{minor}.2-1"),
            include: PathBuf::from(format!("/h/include/python3.{minor}")),
            extra: vec![PathBuf::from("/h/include")],
        }
    }

    #[test]
    fn each_header_set_gives_two_configurations() {
        let interpreter = Interpreter {
            python: PathBuf::from("/p/bin/python3.13t"),
            version: "3.13.15".to_owned(),
            kind: Kind::FreeThreaded,
            libdir: PathBuf::from("/p/lib"),
            include: PathBuf::from("/p/include/python3.13t"),
        };
        let configs = configurations(
            std::iter::once(&interpreter),
            &[header_set(14), header_set(15)],
            false,
        );
        let names: Vec<&str> = configs.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["3.13t", "3.14t", "3.14", "3.15t", "3.15"]);
        assert_eq!(configs[0].label, "3.13.15t (interpreter)");
        assert_eq!(
            configs[0].include,
            [PathBuf::from("/p/include/python3.13t")]
        );
        assert!(!configs[0].check_safe_api);
        assert_eq!(configs[2].label, "3.14.2 (headers)");
        assert!(!configs[2].free_threaded);
        assert!(configs[2].check_safe_api);
        assert_eq!(
            configs[3].include,
            [
                PathBuf::from("/h/include/python3.15"),
                PathBuf::from("/h/include")
            ]
        );
        let ft_only = configurations(std::iter::empty(), &[header_set(14)], true);
        assert_eq!(ft_only.len(), 1);
        assert!(ft_only[0].free_threaded);
    }
}
