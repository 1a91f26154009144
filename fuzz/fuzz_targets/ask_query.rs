//! libFuzzer entry for `hepatica_fuzz::ask_query` (`cargo +nightly fuzz run ask_query`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hepatica_fuzz::ask_query(data));
