//! `cargo xtask`: the developer tasks of the pyo3-ft workspace.
//!
//! Std only. Each subcommand lives in its own module; this file parses the
//! arguments and dispatches.

#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]

mod bench;
mod bench_server;
mod build_cpython;
#[path = "../../runtime/build/cache.rs"]
mod cache;
mod debian;
mod demo;
mod develop;
mod headers;
mod interpreters;
mod layout;
mod maturin;
mod provision;
// The header-only configuration of the runtime's build script: the xtask
// reads header versions with it and passes its environment variables.
#[allow(dead_code)]
#[path = "../../runtime/build/headers.rs"]
mod runtime_headers;
// The build script's interpreter discovery, for the test of its error
// message (the test lives in that file); the rest of it is the build
// script's business.
#[cfg(test)]
#[allow(dead_code)]
#[path = "../../runtime/build/discover.rs"]
mod runtime_discover;
mod source;
mod stubs;
mod summary;
mod test;
mod util;
mod venv;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  provision [--source TARBALL] [--force]
      Find or build the free-threaded CPython and its GIL-enabled twin.
      --source TARBALL  build from this CPython source tarball (also: $PYO3FT_SOURCE)
      --force           build from source even if an interpreter is available,
                        replacing the cached builds
  headers [--force]
      Fetch the C headers of CPython 3.14 and 3.15 (Debian's libpython3.X-dev
      from sid) into the cache, for the layout check; a version that does not
      download is reported and skipped.
      --force           download again even if cached
  layout [--ft-only]
      Only the layout check of `test`: the FFI against the headers of every
      CPython version at hand, free-threaded and GIL.
  test [--ft-only]
      Run every test stage (the FFI layout check against every CPython version
      at hand, cargo, pytest and maturin) on the free-threaded interpreter, then on the
      GIL twin (--ft-only: free-threaded configurations only).
  maturin [--ft-only]
      Only the maturin stage of `test`: `maturin build` and `maturin develop`
      of examples/hello, its wheel tags and links, and its `cargo test`.
  develop [--gil]
      Build the example extension modules into the interpreter's venv and
      print the venv's python.
  demo [--threads N]
      Run the demo program on both interpreters (N defaults to the CPU count).
  bench [--quick] [--no-callgrind] [--no-plot-copy]
      Benchmark pyo3-ft against PyO3 and a C extension on the free-threaded
      interpreter; prints tables, writes target/bench/scaling.svg.
  bench-server [--quick] [--rounds N] [--duration SECS] [--flask]
      Load-test the WSGI server example (1 and 2 workers, both interpreters)
      against gunicorn --threads 2 on loopback; prints a table.

environment:
  PYO3FT_PYTHON       free-threaded interpreter to use instead of provisioning one
  PYO3FT_PYTHON_GIL   GIL-enabled interpreter to use as the twin
  PYO3FT_SOURCE       CPython source tarball to build from
  PYO3FT_CACHE_DIR    cache root (default: ~/.cache/pyo3-ft)";

/// A parsed command line.
#[derive(Debug, PartialEq, Eq)]
enum Task {
    Provision {
        source: Option<PathBuf>,
        force: bool,
    },
    Headers {
        force: bool,
    },
    Layout {
        ft_only: bool,
    },
    Test {
        ft_only: bool,
    },
    Maturin {
        ft_only: bool,
    },
    Develop {
        gil: bool,
    },
    Demo {
        threads: Option<usize>,
    },
    Help,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "bench") {
        return bench::main(&args[1..]);
    }
    if args.first().is_some_and(|a| a == "bench-server") {
        return bench_server::main(&args[1..]);
    }
    let result = parse(&args).and_then(run);
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Runs one task; the test task decides its own exit code.
fn run(task: Task) -> util::Result<ExitCode> {
    match task {
        Task::Provision { source, force } => provision::run(&provision::Options { source, force })?,
        Task::Headers { force } => headers::run(force)?,
        Task::Layout { ft_only } => return layout::subcommand(ft_only),
        Task::Test { ft_only } => return test::run(ft_only),
        Task::Maturin { ft_only } => return maturin::subcommand(ft_only),
        Task::Develop { gil } => develop::run(gil)?,
        Task::Demo { threads } => demo::run(threads)?,
        Task::Help => println!("{USAGE}"),
    }
    Ok(ExitCode::SUCCESS)
}

/// Parses the arguments after `cargo xtask`.
fn parse(args: &[String]) -> util::Result<Task> {
    let Some((command, rest)) = args.split_first() else {
        return Ok(Task::Help);
    };
    let mut rest = rest.iter().map(String::as_str);
    let task = match command.as_str() {
        "provision" => parse_provision(&mut rest)?,
        "headers" => Task::Headers {
            force: parse_switch(&mut rest, "headers", "--force")?,
        },
        "layout" => Task::Layout {
            ft_only: parse_switch(&mut rest, "layout", "--ft-only")?,
        },
        "test" => Task::Test {
            ft_only: parse_switch(&mut rest, "test", "--ft-only")?,
        },
        "maturin" => Task::Maturin {
            ft_only: parse_switch(&mut rest, "maturin", "--ft-only")?,
        },
        "develop" => Task::Develop {
            gil: parse_switch(&mut rest, "develop", "--gil")?,
        },
        "demo" => parse_demo(&mut rest)?,
        "help" | "--help" | "-h" => Task::Help,
        other => return Err(format!("unknown command `{other}`\n\n{USAGE}")),
    };
    Ok(task)
}

fn parse_provision<'a>(args: &mut impl Iterator<Item = &'a str>) -> util::Result<Task> {
    let (mut source, mut force) = (None, false);
    while let Some(arg) = args.next() {
        match arg {
            "--force" => force = true,
            "--source" => source = Some(PathBuf::from(value_of(args, "--source")?)),
            other => return Err(unknown_option("provision", other)),
        }
    }
    Ok(Task::Provision { source, force })
}

fn parse_demo<'a>(args: &mut impl Iterator<Item = &'a str>) -> util::Result<Task> {
    let mut threads = None;
    while let Some(arg) = args.next() {
        match arg {
            "--threads" => {
                let value = value_of(args, "--threads")?;
                match value.parse::<usize>() {
                    Ok(n) if n > 0 => threads = Some(n),
                    _ => return Err(format!("--threads wants a positive number, got `{value}`")),
                }
            }
            other => return Err(unknown_option("demo", other)),
        }
    }
    Ok(Task::Demo { threads })
}

/// Parses the options of a `command` whose only option is the flag `switch`.
fn parse_switch<'a>(
    args: &mut impl Iterator<Item = &'a str>,
    command: &str,
    switch: &str,
) -> util::Result<bool> {
    let mut on = false;
    for arg in args {
        if arg != switch {
            return Err(unknown_option(command, arg));
        }
        on = true;
    }
    Ok(on)
}

fn value_of<'a>(args: &mut impl Iterator<Item = &'a str>, option: &str) -> util::Result<&'a str> {
    args.next()
        .ok_or_else(|| format!("{option} needs a value (see `cargo xtask help`)"))
}

fn unknown_option(command: &str, option: &str) -> String {
    format!("unexpected argument `{option}` for `cargo xtask {command}` (see `cargo xtask help`)")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(line: &str) -> util::Result<Task> {
        let args: Vec<String> = line.split_whitespace().map(String::from).collect();
        parse(&args)
    }

    #[test]
    fn parses_each_command() {
        assert_eq!(parse_str(""), Ok(Task::Help));
        assert_eq!(
            parse_str("provision --force --source py.tar.xz"),
            Ok(Task::Provision {
                source: Some(PathBuf::from("py.tar.xz")),
                force: true
            })
        );
        assert_eq!(parse_str("test"), Ok(Task::Test { ft_only: false }));
        assert_eq!(parse_str("headers"), Ok(Task::Headers { force: false }));
        assert_eq!(
            parse_str("layout --ft-only"),
            Ok(Task::Layout { ft_only: true })
        );
        assert_eq!(
            parse_str("headers --force"),
            Ok(Task::Headers { force: true })
        );
        assert_eq!(
            parse_str("test --ft-only"),
            Ok(Task::Test { ft_only: true })
        );
        assert_eq!(
            parse_str("maturin --ft-only"),
            Ok(Task::Maturin { ft_only: true })
        );
        assert_eq!(parse_str("develop --gil"), Ok(Task::Develop { gil: true }));
        assert_eq!(
            parse_str("demo --threads 4"),
            Ok(Task::Demo { threads: Some(4) })
        );
    }

    #[test]
    fn rejects_bad_arguments() {
        assert!(parse_str("frobnicate").is_err());
        assert!(parse_str("test --gil").is_err());
        assert!(parse_str("headers --all").is_err());
        assert!(parse_str("provision --source").is_err());
        assert!(parse_str("demo --threads 0").is_err());
        assert!(parse_str("demo --threads many").is_err());
    }
}
