use pyo3_ft::FromPyObject;

#[derive(FromPyObject)]
struct Point {
    #[pyo3_ft(item, attribute)]
    x: i64,
    #[pyo3_ft(attribute = "why")]
    #[pyo3_ft(item = "y")]
    y: i64,
}

fn main() {}
