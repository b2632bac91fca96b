use pyo3_ft::FromPyObject;

#[derive(FromPyObject)]
#[pyo3_ft(item)]
struct Pair(#[pyo3_ft(default)] i64, #[pyo3_ft(attribute = "b")] i64);

#[derive(FromPyObject)]
enum Value {
    #[pyo3_ft(item)]
    Int(#[pyo3_ft(default)] i64),
}

fn main() {}
