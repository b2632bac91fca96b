//! A run path to libpython for the unit tests, which embed the interpreter.

fn main() {
    pyo3_ft_build::add_libpython_rpath();
}
