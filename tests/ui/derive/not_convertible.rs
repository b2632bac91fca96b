use pyo3_ft::{FromPyObject, IntoPyObject};

struct Opaque;

#[derive(FromPyObject)]
struct In {
    ok: i64,
    opaque: Opaque,
}

#[derive(IntoPyObject)]
enum Out {
    Tuple(i64, Opaque),
}

fn main() {}
