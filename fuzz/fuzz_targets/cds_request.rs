//! libFuzzer entry for `hepatica_fuzz::cds_request` (`cargo +nightly fuzz run cds_request`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hepatica_fuzz::cds_request(data));
