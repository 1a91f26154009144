//! libFuzzer entry for `hepatica_fuzz::drug_query` (`cargo +nightly fuzz run drug_query`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hepatica_fuzz::drug_query(data));
