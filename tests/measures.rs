//! Integration tests: measures (being built).
