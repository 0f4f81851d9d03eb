//! Integration tests: assessment (being built).
