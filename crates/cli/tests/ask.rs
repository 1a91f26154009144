//! `hepatica ask` run as a user would: the built binary, its output and exit codes.

use std::process::{Command, Output};

fn hepatica(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hepatica")).args(args).env("NO_COLOR", "1").output().expect("hepatica runs")
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

#[test]
fn json_has_the_contract_shape() {
    let out = hepatica(&["ask", "what is microwave ablation", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let v = json(&out);
    assert_eq!(v["query"], "what is microwave ablation");
    let results = v["results"].as_array().expect("results is an array");
    assert!(!results.is_empty(), "microwave ablation is covered");
    for r in results {
        for key in ["title", "topic", "snippet", "url"] {
            assert!(r[key].is_string(), "{key} is a string in {r}");
        }
        assert!(r["url"].as_str().unwrap().starts_with('/'));
    }
    assert_eq!(results[0]["topic"], "ablation");
    // Pretty-printed.
    assert!(String::from_utf8_lossy(&out.stdout).contains("\n  \"results\""));
}

#[test]
fn no_results_is_success_with_a_note() {
    let out = hepatica(&["ask", "best pizza in Leeds", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    assert_eq!(v["results"].as_array().map(Vec::len), Some(0));
    assert!(v["note"].as_str().is_some_and(|n| n.contains("care team")));
}

#[test]
fn empty_question_is_invalid_input() {
    for q in ["", "   "] {
        let out = hepatica(&["ask", q, "--format", "json"]);
        assert_eq!(out.status.code(), Some(2));
        assert!(out.stdout.is_empty(), "nothing on stdout");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("error: /question: expected"), "stderr: {err}");
        assert_eq!(err.lines().count(), 1);
    }
}

#[test]
fn text_and_markdown_are_readable() {
    let out = hepatica(&["ask", "SIRT radioactive beads"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Read more: /"), "{text}");
    assert!(text.contains("not medical advice"));

    let out = hepatica(&["ask", "SIRT radioactive beads", "--format", "markdown"]);
    assert_eq!(out.status.code(), Some(0));
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(md.starts_with("## Your question:"), "{md}");
    assert!(md.contains("](/"), "{md}");
}

#[test]
fn hostile_input_does_not_crash() {
    let long = "liver ".repeat(2000);
    for q in ["\"(:*^~-", "🙂🙂 chemo 🙂", "a:b OR c AND NOT d", "\u{7}\u{1b}[31m", long.as_str()] {
        let out = hepatica(&["ask", q, "--format", "json"]);
        assert_eq!(out.status.code(), Some(0), "question {q:?}: {}", String::from_utf8_lossy(&out.stderr));
        json(&out);
    }
}

/// Contract 8.3: a question describing a same-day red flag gets `urgent`
/// (and results); an ordinary question does not.
#[test]
fn urgent_symptoms_get_the_urgent_object_and_results() {
    let out = hepatica(&["ask", "mum has gone really confused and sleepy and her eyes are yellow", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    let u = &v["urgent"];
    assert!(u["title"].is_string() && u["text"].is_string(), "{v}");
    assert_eq!(u["url"], "/support#urgent");
    assert!(u["text"].as_str().unwrap().contains("999"));
    assert!(!v["results"].as_array().unwrap().is_empty(), "urgent never replaces results");

    let v = json(&hepatica(&["ask", "what is jaundice", "--format", "json"]));
    assert!(v.get("urgent").is_none(), "no alarm for a general question: {v}");

    let text = String::from_utf8_lossy(&hepatica(&["ask", "temp of 38.5 on chemo"]).stdout).to_string();
    assert!(text.contains("/support#urgent"), "{text}");
}
