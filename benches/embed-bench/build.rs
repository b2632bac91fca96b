//! The bench embeds the interpreter: give it an rpath to libpython (the same
//! directory for both bindings).

fn main() {
    let libdir = std::env::var("DEP_PYO3_FT_LIBDIR").unwrap_or_default();
    println!("cargo:rustc-link-arg=-Wl,-rpath,{libdir}");
}
