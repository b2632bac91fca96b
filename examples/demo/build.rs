//! The demo embeds the interpreter: a run path to its libpython.

fn main() {
    pyo3_ft_build::add_libpython_rpath();
}
