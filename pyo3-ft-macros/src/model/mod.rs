//! Plain descriptions of what the user wrote, built from `syn` input and
//! the attribute options. Expansion reads only these models.

pub mod class;
pub mod derive;
pub mod function;
pub mod methods;
pub mod module;
pub mod signature;
