//! The integration tests embed the interpreter: a run path to its
//! libpython, and the interpreter itself for tests that make a virtual
//! environment.

fn main() {
    pyo3_ft_build::add_libpython_rpath();
    let libdir = std::env::var("DEP_PYO3_FT_LIBDIR").unwrap_or_default();
    println!("cargo:rustc-env=PYO3FT_TEST_PYTHON={libdir}/../bin/python3");
}
