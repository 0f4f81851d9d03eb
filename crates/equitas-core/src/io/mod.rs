//! Readers and writers for interchange formats.

#[cfg(feature = "csv")]
pub mod heat_plus;
