//! Parsing and validation of CDS Hooks feedback (`POST …/feedback`).
//!
//! Every problem is reported by JSON pointer. Storage is the server's job.

use hepatica_engine::FieldError;
use serde_json::Value;

use super::types::{AcceptedSuggestion, Coding, FeedbackItem, Outcome, OverrideReason};
use crate::datetime::epoch_seconds;

/// Most items accepted in one feedback call.
pub const MAX_ITEMS: usize = 100;
/// Longest `userComment` kept, in characters.
pub const MAX_COMMENT_CHARS: usize = 2000;

/// Validates a feedback body: `{ "feedback": [ … ] }`.
pub fn parse(body: &Value) -> Result<Vec<FeedbackItem>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut e = |p: String, d: &str| errors.push(FieldError { pointer: p, detail: d.to_string() });
    let Some(items) = body.get("feedback").and_then(Value::as_array) else {
        return Err(vec![FieldError { pointer: "/feedback".into(), detail: "expected a list of feedback items".into() }]);
    };
    if items.is_empty() || items.len() > MAX_ITEMS {
        return Err(vec![FieldError {
            pointer: "/feedback".into(),
            detail: format!("expected 1 to {MAX_ITEMS} feedback items, got {}", items.len()),
        }]);
    }
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let p = format!("/feedback/{i}");
        let Some(obj) = item.as_object() else {
            e(p, "expected an object");
            continue;
        };
        let card = match obj.get("card").and_then(Value::as_str) {
            Some(c) if !c.is_empty() && c.len() <= 128 => Some(c.to_string()),
            _ => {
                e(format!("{p}/card"), "expected the card's uuid (a non-empty string)");
                None
            }
        };
        let outcome = match obj.get("outcome").and_then(Value::as_str) {
            Some("accepted") => Some(Outcome::Accepted),
            Some("overridden") => Some(Outcome::Overridden),
            _ => {
                e(format!("{p}/outcome"), "expected \"accepted\" or \"overridden\"");
                None
            }
        };
        let mut accepted = Vec::new();
        match obj.get("acceptedSuggestions") {
            None | Some(Value::Null) => {
                if outcome == Some(Outcome::Accepted) {
                    e(format!("{p}/acceptedSuggestions"), "expected a list of {\"id\"} for an accepted outcome");
                }
            }
            Some(Value::Array(a)) => {
                for (j, s) in a.iter().enumerate() {
                    match s.get("id").and_then(Value::as_str) {
                        Some(id) if !id.is_empty() => accepted.push(AcceptedSuggestion { id: id.to_string() }),
                        _ => e(format!("{p}/acceptedSuggestions/{j}/id"), "expected the suggestion's uuid"),
                    }
                }
            }
            Some(_) => e(format!("{p}/acceptedSuggestions"), "expected a list"),
        }
        let override_reason = match obj.get("overrideReason") {
            None | Some(Value::Null) => None,
            Some(Value::Object(r)) => {
                let reason = match r.get("reason") {
                    None | Some(Value::Null) => None,
                    Some(c) => match (c.get("code").and_then(Value::as_str), c.get("system").and_then(Value::as_str)) {
                        (Some(code), Some(system)) => Some(Coding {
                            code: code.to_string(),
                            system: system.to_string(),
                            display: c.get("display").and_then(Value::as_str).map(str::to_string),
                        }),
                        _ => {
                            e(format!("{p}/overrideReason/reason"), "expected a Coding with code and system");
                            None
                        }
                    },
                };
                let user_comment = match r.get("userComment") {
                    None | Some(Value::Null) => None,
                    Some(Value::String(s)) if s.chars().count() <= MAX_COMMENT_CHARS => Some(s.clone()),
                    Some(Value::String(_)) => {
                        e(format!("{p}/overrideReason/userComment"), "expected at most 2000 characters");
                        None
                    }
                    Some(_) => {
                        e(format!("{p}/overrideReason/userComment"), "expected a string");
                        None
                    }
                };
                Some(OverrideReason { reason, user_comment })
            }
            Some(_) => {
                e(format!("{p}/overrideReason"), "expected an object");
                None
            }
        };
        let ts = match obj.get("outcomeTimestamp").and_then(Value::as_str) {
            Some(t) if is_rfc3339(t) => Some(t.to_string()),
            _ => {
                e(format!("{p}/outcomeTimestamp"), "expected an RFC 3339 date-time with a time zone, e.g. 2026-11-27T10:00:00Z");
                None
            }
        };
        if let (Some(card), Some(outcome), Some(outcome_timestamp)) = (card, outcome, ts) {
            out.push(FeedbackItem { card, outcome, accepted_suggestions: accepted, override_reason, outcome_timestamp });
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

fn is_rfc3339(t: &str) -> bool {
    let Some((_, time)) = t.split_once('T') else { return false };
    (time.ends_with('Z') || time.contains('+') || time.contains('-')) && time.len() >= 9 && epoch_seconds(t).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn accepts_valid_feedback() {
        let v = json!({ "feedback": [
            { "card": "c1", "outcome": "overridden", "overrideReason": { "reason": { "code": "x", "system": "http://example.org" }, "userComment": "n/a" }, "outcomeTimestamp": "2026-11-27T10:00:00Z" },
            { "card": "c1", "outcome": "accepted", "acceptedSuggestions": [], "outcomeTimestamp": "2026-11-27T10:00:00+01:00" }
        ]});
        let items = parse(&v).expect("valid");
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].outcome, Outcome::Overridden);
    }

    #[test]
    fn reports_every_problem() {
        let v = json!({ "feedback": [ { "outcome": "ignored", "outcomeTimestamp": "yesterday" }, { "card": "c", "outcome": "accepted", "outcomeTimestamp": "2026-11-27T10:00:00Z" } ]});
        let errs = parse(&v).expect_err("invalid");
        let ptrs: Vec<&str> = errs.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(ptrs, ["/feedback/0/card", "/feedback/0/outcome", "/feedback/0/outcomeTimestamp", "/feedback/1/acceptedSuggestions"]);
        assert!(parse(&json!({})).is_err());
        assert!(parse(&json!({ "feedback": [] })).is_err());
    }
}
