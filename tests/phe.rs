//! Integration tests: phe (being built).
