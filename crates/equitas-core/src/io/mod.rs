//! Readers and writers for interchange formats (being built: issue 3, the HEAT Plus template).

#[cfg(feature = "csv")]
pub mod columns;
