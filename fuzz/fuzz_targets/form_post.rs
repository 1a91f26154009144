//! libFuzzer entry for `hepatica_fuzz::form_post` (`cargo +nightly fuzz run form_post`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hepatica_fuzz::form_post(data));
