//! The host embeds the interpreter: give it an rpath to it.

fn main() {
    let libdir = std::env::var("DEP_PYO3_FT_LIBDIR").unwrap_or_default();
    println!("cargo:rustc-link-arg=-Wl,-rpath,{libdir}");
}
