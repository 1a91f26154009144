//! libFuzzer entry for `hepatica_fuzz::http_post` (`cargo +nightly fuzz run http_post`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hepatica_fuzz::http_post(data));
