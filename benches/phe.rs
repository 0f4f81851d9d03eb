//! Benchmarks: phe (being built).
fn main() {}
