//! Reading test counts out of the output of `cargo test` and pytest.

use std::fmt;
use std::ops::{Add, AddAssign};
use std::process::ExitCode;

/// Passed and failed tests of one or more runs.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub passed: u64,
    pub failed: u64,
}

impl Counts {
    /// Counts one failure that no test reported (a build error, a crash).
    pub fn with_stage_failure(mut self) -> Self {
        if self.failed == 0 {
            self.failed = 1;
        }
        self
    }
}

impl Add for Counts {
    type Output = Counts;
    fn add(self, other: Counts) -> Counts {
        Counts {
            passed: self.passed + other.passed,
            failed: self.failed + other.failed,
        }
    }
}

impl AddAssign for Counts {
    fn add_assign(&mut self, other: Counts) {
        *self = *self + other;
    }
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} passed, {} failed", self.passed, self.failed)
    }
}

/// Prints the `==== summary ====` block (one line per stage, then the
/// total) and turns the total into the exit status: failure if anything
/// failed.
pub fn report(lines: &[String], total: Counts) -> ExitCode {
    println!("\n==== summary ====");
    for line in lines {
        println!("{line}");
    }
    println!("{total}");
    if total.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Sums every `test result: ok. N passed; M failed; ...` line of `cargo test`.
pub fn cargo_counts(output: &str) -> Counts {
    output
        .lines()
        .filter_map(|line| line.trim().strip_prefix("test result:"))
        .flat_map(|result| result.split(';').filter_map(piece_counts))
        .fold(Counts::default(), Add::add)
}

/// The counts of pytest's final summary line, e.g.
/// `1 failed, 40 passed, 2 skipped in 1.23s` (errors count as failures).
/// `None` if the output has no such line.
pub fn pytest_counts(output: &str) -> Option<Counts> {
    output.lines().rev().find_map(|line| {
        let line = line.trim().trim_matches('=').trim();
        let (results, _time) = line.rsplit_once(" in ")?;
        if results == "no tests ran" {
            return Some(Counts::default());
        }
        // Every piece must read `N word`, or this is not the summary line.
        results
            .split(", ")
            .map(piece_counts)
            .try_fold(Counts::default(), |sum, piece| Some(sum + piece?))
    })
}

/// One `N word` piece, e.g. `3 passed` or `1 error`; other words count zero.
fn piece_counts(piece: &str) -> Option<Counts> {
    let mut words = piece.split_whitespace().rev();
    let (word, number) = (words.next()?, words.next()?.parse::<u64>().ok()?);
    Some(match word {
        "passed" => Counts {
            passed: number,
            failed: 0,
        },
        "failed" | "error" | "errors" => Counts {
            passed: 0,
            failed: number,
        },
        _ => Counts::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_result_lines_are_summed() {
        let output = "\
running 3 tests
test a ... ok
test result: ok. 3 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s

   Doc-tests pyo3_ft
test result: FAILED. 5 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 1.20s
test result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s
";
        assert_eq!(
            cargo_counts(output),
            Counts {
                passed: 8,
                failed: 2
            }
        );
        assert_eq!(
            cargo_counts("error[E0308]: mismatched types"),
            Counts::default()
        );
    }

    #[test]
    fn pytest_final_line_is_read() {
        let counts = |passed, failed| Some(Counts { passed, failed });
        assert_eq!(pytest_counts("....\n40 passed in 1.23s\n"), counts(40, 0));
        assert_eq!(
            pytest_counts("1 failed, 40 passed, 2 skipped, 3 warnings in 2.00s"),
            counts(40, 1)
        );
        assert_eq!(
            pytest_counts("==== 3 passed, 1 error in 0.50s ===="),
            counts(3, 1)
        );
        assert_eq!(pytest_counts("2 errors in 0.1s\n\n"), counts(0, 2));
        assert_eq!(pytest_counts("no tests ran in 0.01s"), counts(0, 0));
        assert_eq!(pytest_counts("collecting ... in progress"), None);
        assert_eq!(pytest_counts(""), None);
    }

    #[test]
    fn a_failed_stage_counts_once() {
        let clean = Counts::default().with_stage_failure();
        assert_eq!(clean.failed, 1);
        let reported = Counts {
            passed: 1,
            failed: 3,
        };
        assert_eq!(reported.with_stage_failure(), reported);
        assert_eq!((clean + reported).to_string(), "1 passed, 4 failed");
    }
}
