//! libFuzzer entry for `hepatica_fuzz::case_json` (`cargo +nightly fuzz run case_json`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hepatica_fuzz::case_json(data));
