use pyo3_ft::FromPyObject;

#[derive(FromPyObject)]
#[pyo3_ft(annotation = "Point", item = "key", default)]
struct Point {
    #[pyo3_ft(annotation = "int")]
    x: i64,
    #[pyo3_ft(default, default)]
    y: i64,
}

#[derive(FromPyObject)]
enum Shape {
    #[pyo3_ft(default, attribute)]
    Circle { radius: f64 },
}

fn main() {}
