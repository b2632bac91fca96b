//! The integration tests embed the interpreter: give them an rpath to it.

fn main() {
    let libdir = std::env::var("DEP_PYO3_FT_LIBDIR").unwrap_or_default();
    println!("cargo:rustc-link-arg=-Wl,-rpath,{libdir}");
    // The interpreter itself, for tests that make a virtual environment.
    println!("cargo:rustc-env=PYO3FT_TEST_PYTHON={libdir}/../bin/python3");
}
