//! Misuses of `#[derive(FromPyObject)]` and `#[derive(IntoPyObject)]` fail
//! to compile, each with every error spanned at its offending token.

#[test]
fn derive_misuse_is_a_compile_error() {
    trybuild::TestCases::new().compile_fail("ui/derive/*.rs");
}
