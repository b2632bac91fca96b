//! `cargo xtask demo`: the demo program on the free-threaded interpreter,
//! then on the GIL twin.

use crate::provision;
use crate::util::{self, Result};

/// The subcommand: `cargo run --release -p demo -- --threads N` on each
/// interpreter, with the same environment and target directories as the tests.
pub fn run(threads: Option<usize>) -> Result<()> {
    let root = util::workspace_root();
    if !root
        .join("examples")
        .join("demo")
        .join("Cargo.toml")
        .is_file()
    {
        return Err(format!(
            "there is no demo program yet: {} does not exist",
            root.join("examples/demo/Cargo.toml").display()
        ));
    }
    let threads = threads.unwrap_or_else(util::cpus).to_string();
    let found = provision::interpreters(&provision::Options::default(), true)?;
    for interpreter in found.iter() {
        println!(
            "\n==== demo on {} ({threads} threads) ====",
            interpreter.label()
        );
        let mut cmd = util::cargo();
        cmd.args([
            "run",
            "--release",
            "-p",
            "demo",
            "--",
            "--threads",
            &threads,
        ])
        .current_dir(&root);
        util::run(interpreter.cargo_env(&mut cmd, &root))?;
    }
    Ok(())
}
