//! Benchmarks: assessment (being built).
fn main() {}
