//! libFuzzer entry for `hepatica_fuzz::fhir_bundle` (`cargo +nightly fuzz run fhir_bundle`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hepatica_fuzz::fhir_bundle(data));
