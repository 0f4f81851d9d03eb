//! Fuzz target `heat_plus`: see `equitas_fuzz_harness::heat_plus` for what it feeds and checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| equitas_fuzz_harness::heat_plus(data));
