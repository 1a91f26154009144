//! `hepatica drug`, run as a real process: contract section 4 output and exit codes.

use std::process::{Command, Output};

fn hepatica(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hepatica")).args(args).env("NO_COLOR", "1").output().expect("hepatica runs")
}

fn json(args: &[&str]) -> serde_json::Value {
    let out = hepatica(args);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

#[test]
fn json_is_the_contract_shape() {
    let v = json(&["drug", "Keytruda", "--format", "json"]);
    assert_eq!(v["query"], "Keytruda");
    let m = &v["matches"][0];
    assert_eq!(m["id"], "pembrolizumab");
    assert_eq!(m["name"], "Pembrolizumab");
    assert_eq!(m["kind"], "drug");
    assert_eq!(m["class"], "immunotherapy");
    assert_eq!(m["brand_names"], serde_json::json!(["Keytruda"]));
    for field in ["given_as", "used_for", "components", "sources"] {
        assert!(m[field].is_array(), "{field} is a list");
    }
    assert!(!m["sources"].as_array().unwrap().is_empty());
}

#[test]
fn json_is_pretty_printed() {
    let out = hepatica(&["drug", "5-FU", "--format", "json"]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.starts_with("{\n  \"query\": \"5-FU\""), "{stdout}");
    assert!(stdout.ends_with("}\n"));
}

#[test]
fn a_regimen_lists_its_components_after_it() {
    let v = json(&["drug", "FOLFOX", "--format", "json"]);
    assert_eq!(v["matches"][0]["kind"], "regimen");
    assert_eq!(v["matches"][0]["components"], serde_json::json!(["folinic-acid", "fluorouracil", "oxaliplatin"]));
    let ids: Vec<&str> = v["matches"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert!(ids[1..].contains(&"oxaliplatin"), "{ids:?}");
}

#[test]
fn no_match_is_an_empty_list_and_exit_0() {
    let v = json(&["drug", "hello", "--format", "json"]);
    assert_eq!(v["matches"], serde_json::json!([]));
    let out = hepatica(&["drug", "surgery"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("No drug or regimen matched \"surgery\""));
}

#[test]
fn a_misspelling_says_did_you_mean() {
    let v = json(&["drug", "pembrolisumab", "--format", "json"]);
    assert_eq!(v["matches"][0]["id"], "pembrolizumab");
    assert_eq!(v["did_you_mean"], "Pembrolizumab");
    let out = hepatica(&["drug", "pembrolisumab"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Showing results for Pembrolizumab"));
}

#[test]
fn empty_query_is_invalid_input() {
    for query in ["", "   "] {
        let out = hepatica(&["drug", query, "--format", "json"]);
        assert_eq!(out.status.code(), Some(2));
        assert!(out.stdout.is_empty(), "nothing on stdout");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.starts_with("error: /query: expected"), "{stderr}");
        assert_eq!(stderr.lines().count(), 1);
    }
}

#[test]
fn text_output_is_friendly() {
    let out = hepatica(&["drug", "Xeloda"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    for expected in
        ["Capecitabine (chemotherapy drug)", "Brand names: Xeloda", "How it is given: tablet", "Used for:", "About:", "Sources:"]
    {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert!(!text.contains('\x1b'), "no colour with NO_COLOR");
}

#[test]
fn markdown_output_has_headings() {
    let out = hepatica(&["drug", "FOLFOX", "--format", "markdown"]);
    assert_eq!(out.status.code(), Some(0));
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.contains("## FOLFOX"), "{md}");
    assert!(md.contains("- **Made up of:** Folinic acid, Fluorouracil, Oxaliplatin"), "{md}");
    assert!(md.contains("### Sources"));
}

#[test]
fn a_very_long_query_does_not_fail() {
    let long = "x".repeat(5000);
    let v = json(&["drug", &long, "--format", "json"]);
    assert_eq!(v["matches"], serde_json::json!([]));
}
