use pyo3_ft::FromPyObject;

#[derive(FromPyObject)]
#[pyo3_ft(itme)]
struct Point {
    #[pyo3_ft(rename = "X")]
    x: i64,
    #[pyo3_ft(getattr)]
    y: i64,
}

fn main() {}
