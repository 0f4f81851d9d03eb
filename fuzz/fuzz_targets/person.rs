//! Fuzz target `person`: see `equitas_fuzz_harness::person` for what it feeds and checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| equitas_fuzz_harness::person(data));
