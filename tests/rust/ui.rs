//! Compile-fail tests: misuses of the macros (`ui/macros/`) and breaches
//! of the sharing rules (`ui/sharing/`) are rejected by the compiler, each
//! with the diagnostic recorded next to its case. The sharing cases' allowed
//! twins compile and run in `sharing_positive.rs`.

#[test]
fn macro_misuse_is_a_compile_error() {
    trybuild::TestCases::new().compile_fail("ui/macros/*.rs");
}

#[test]
fn sharing_rules_are_enforced_by_the_compiler() {
    trybuild::TestCases::new().compile_fail("ui/sharing/*.rs");
}
