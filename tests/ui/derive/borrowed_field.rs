use pyo3_ft::FromPyObject;

#[derive(FromPyObject)]
struct Person<'a> {
    name: &'a str,
    tags: Vec<String>,
}

#[derive(FromPyObject)]
struct Pair<'a, 'b, 'py>(&'a str, &'b str, pyo3_ft::Bound<'py, pyo3_ft::types::PyAny>);

fn main() {}
