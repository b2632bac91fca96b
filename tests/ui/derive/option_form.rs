use pyo3_ft::FromPyObject;

#[derive(FromPyObject)]
enum Value {
    #[pyo3_ft(annotation)]
    Int(i64),
    Named {
        #[pyo3_ft(attribute = 5, item = some::path)]
        x: i64,
    },
}

#[derive(FromPyObject)]
struct Broken {
    #[pyo3_ft(item(x))]
    x: i64,
}

fn main() {}
