//! libFuzzer entry for `hepatica_fuzz::cds_token` (`cargo +nightly fuzz run cds_token`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hepatica_fuzz::cds_token(data));
