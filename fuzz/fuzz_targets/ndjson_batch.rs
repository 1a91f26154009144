//! libFuzzer entry for `hepatica_fuzz::ndjson_batch` (`cargo +nightly fuzz run ndjson_batch`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hepatica_fuzz::ndjson_batch(data));
