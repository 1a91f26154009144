//! libFuzzer entry for `hepatica_fuzz::cds_feedback` (`cargo +nightly fuzz run cds_feedback`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hepatica_fuzz::cds_feedback(data));
