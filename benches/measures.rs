//! Benchmarks: measures (being built).
fn main() {}
