//! Re-exports the interpreter facts found by `pyo3-ft-runtime`'s build
//! script: cfgs for this crate, and metadata (`DEP_PYO3_FT_*`) for crates
//! that embed the interpreter and want an rpath to its libpython (read by
//! `pyo3-ft-build`): `LIBDIR`, and `EMBED`, `1` when this crate is built
//! with its `embed` feature (which links libpython).

fn main() {
    let dep = |key: &str| std::env::var(format!("DEP_PYO3_FT_PYTHON_{key}")).unwrap_or_default();
    println!("cargo:rustc-check-cfg=cfg(Py_GIL_DISABLED)");
    if dep("GIL_DISABLED") == "1" {
        println!("cargo:rustc-cfg=Py_GIL_DISABLED");
    }
    let libdir = dep("LIBDIR");
    println!("cargo:libdir={libdir}");
    let embed = std::env::var_os("CARGO_FEATURE_EMBED").is_some();
    println!("cargo:embed={}", u8::from(embed));
    // This crate's own tests and doctests embed the interpreter.
    println!("cargo:rustc-link-arg=-Wl,-rpath,{libdir}");
}
