//! Fuzz target `records`: see `equitas_fuzz_harness::records` for what it feeds and checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| equitas_fuzz_harness::records(data));
