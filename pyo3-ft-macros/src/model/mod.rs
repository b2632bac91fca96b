//! Plain descriptions of what the user wrote, built from `syn` input and
//! the attribute options. Expansion reads only these models.

pub mod function;
pub mod module;
pub mod signature;
