//! libFuzzer entry for `hepatica_fuzz::strict_json` (`cargo +nightly fuzz run strict_json`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hepatica_fuzz::strict_json(data));
