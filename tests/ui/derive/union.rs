use pyo3_ft::{FromPyObject, IntoPyObject};

#[derive(FromPyObject)]
union Bits {
    int: u32,
    float: f32,
}

#[derive(IntoPyObject)]
union Raw {
    byte: u8,
}

fn main() {}
