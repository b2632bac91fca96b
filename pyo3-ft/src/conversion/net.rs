//! IP addresses ↔ the `ipaddress` module's address objects.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::{FromPyObject, IntoPyObject};
use crate::err::PyResult;
use crate::exceptions::PyValueError;
use crate::instance::{Borrowed, Bound, Py};
use crate::python::Python;
use crate::sync::PyOnceLock;
use crate::types::{PyAny, PyBytes, PyString};

/// `ipaddress.<name>`, imported once per class.
fn address_class<'py>(
    py: Python<'py>,
    cell: &'static PyOnceLock<Py<PyAny>>,
    name: &str,
) -> PyResult<&'py Bound<'py, PyAny>> {
    cell.import(py, "ipaddress", name)
}

impl<'py> IntoPyObject<'py> for Ipv4Addr {
    const OUTPUT_TYPE: crate::stubs::TypeHint =
        crate::stubs::TypeHint::Name("ipaddress.IPv4Address");

    /// An `ipaddress.IPv4Address`.
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        static CLASS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
        address_class(py, &CLASS, "IPv4Address")?.call1((u32::from(self),))
    }
}

impl<'py> IntoPyObject<'py> for Ipv6Addr {
    const OUTPUT_TYPE: crate::stubs::TypeHint =
        crate::stubs::TypeHint::Name("ipaddress.IPv6Address");

    /// An `ipaddress.IPv6Address`.
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        static CLASS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
        address_class(py, &CLASS, "IPv6Address")?.call1((u128::from(self),))
    }
}

impl<'py> IntoPyObject<'py> for IpAddr {
    const OUTPUT_TYPE: crate::stubs::TypeHint = crate::stubs::TypeHint::Union(&[
        crate::stubs::TypeHint::Name("ipaddress.IPv4Address"),
        crate::stubs::TypeHint::Name("ipaddress.IPv6Address"),
    ]);

    /// An `ipaddress.IPv4Address` or `IPv6Address`.
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self {
            IpAddr::V4(address) => address.into_pyobject(py),
            IpAddr::V6(address) => address.into_pyobject(py),
        }
    }
}

impl FromPyObject<'_, '_> for IpAddr {
    const INPUT_TYPE: crate::stubs::TypeHint = crate::stubs::TypeHint::Union(&[
        crate::stubs::TypeHint::Name("ipaddress.IPv4Address"),
        crate::stubs::TypeHint::Name("ipaddress.IPv6Address"),
        crate::stubs::TypeHint::Name("str"),
    ]);

    /// An `ipaddress` address (its `packed` bytes) or a `str` in either
    /// notation (`ValueError` if it does not parse).
    fn extract(object: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        if let Ok(text) = object.downcast::<PyString>() {
            let text = text.to_str()?;
            return text.parse().map_err(|_| {
                PyValueError::new_err(format!(
                    "'{text}' does not appear to be an IPv4 or IPv6 address"
                ))
            });
        }
        let packed = object.getattr("packed")?;
        let packed = packed.downcast::<PyBytes>()?.as_bytes();
        if let Ok(octets) = <[u8; 4]>::try_from(packed) {
            Ok(IpAddr::from(octets))
        } else if let Ok(octets) = <[u8; 16]>::try_from(packed) {
            Ok(IpAddr::from(octets))
        } else {
            Err(PyValueError::new_err(format!(
                "an IP address packs into 4 or 16 bytes, not {}",
                packed.len()
            )))
        }
    }
}

/// Each address family extracts through [`IpAddr`], rejecting the other.
macro_rules! ip_family {
    ($($ty:ident: $variant:ident, $name:literal);*) => {$(
        impl FromPyObject<'_, '_> for $ty {
            #[doc = concat!("An ", $name, " (see [`IpAddr`]); `ValueError` for the other family.")]
            fn extract(object: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
                match IpAddr::extract(object)? {
                    IpAddr::$variant(address) => Ok(address),
                    other => Err(PyValueError::new_err(format!("{other} is not an {}", $name))),
                }
            }
        }
    )*};
}

ip_family!(Ipv4Addr: V4, "IPv4 address"; Ipv6Addr: V6, "IPv6 address");
