//! Fuzz target `fingertips`: see `equitas_fuzz_harness::fingertips` for what it feeds and checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| equitas_fuzz_harness::fingertips(data));
