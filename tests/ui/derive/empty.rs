use pyo3_ft::{FromPyObject, IntoPyObject};

#[derive(FromPyObject)]
enum Never {}

#[derive(FromPyObject)]
struct Unit;

#[derive(IntoPyObject)]
struct Braces {}

#[derive(FromPyObject, IntoPyObject)]
enum Parens {
    Empty(),
    Fine(i64),
}

fn main() {}
