//! The held-out development set (`tests/devset/questions.toml`, issue #17):
//! top-1, top-3 and mean reciprocal rank, with and without bare glossary
//! definitions counted, the red-flag rate and false alarms.
//!
//! Nothing is tuned on this set; `tests/ask.rs` holds the tuning tests. The
//! floors below guard against regressions and are set a little below the
//! figures this test prints (`cargo test -p hepatica-search --test devset -- --nocapture`).

use std::sync::OnceLock;

use hepatica_knowledge::{EXTRA_TOPICS, Knowledge, TREATMENT_IDS};
use hepatica_search::ask::AskIndex;
use serde::Deserialize;

/// Floors (see the module doc).
const FLOOR_TOP3_NO_DEFINITIONS: f64 = 0.92;
const FLOOR_TOP3: f64 = 0.93;
const FLOOR_TOP1: f64 = 0.80;
const FLOOR_MRR: f64 = 0.87;
/// Every red-flag question gets `urgent`; no other question does.
const FLOOR_RED_FLAG_RATE: f64 = 1.0;

fn index() -> &'static AskIndex {
    static INDEX: OnceLock<AskIndex> = OnceLock::new();
    INDEX.get_or_init(|| AskIndex::build(Knowledge::embedded()).expect("index builds"))
}

#[derive(Debug, Deserialize)]
struct DevSet {
    q: Vec<Question>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Question {
    q: String,
    topic: String,
    #[serde(default)]
    also: Vec<String>,
    #[serde(default)]
    urls: Vec<String>,
    #[serde(default)]
    definition: bool,
    #[serde(default)]
    urgent: bool,
}

fn devset() -> Vec<Question> {
    let set: DevSet = toml::from_str(include_str!("devset/questions.toml")).expect("devset/questions.toml parses");
    set.q
}

/// One result as the contract's JSON shows it.
struct Hit {
    topic: String,
    url: String,
}

impl Question {
    fn accepts(&self, hit: &Hit, count_definitions: bool) -> bool {
        if !count_definitions && hit.url.starts_with("/glossary#") {
            return false;
        }
        let topic_ok = hit.topic == self.topic || self.also.contains(&hit.topic);
        let url_ok = self.urls.is_empty()
            || self.urls.iter().any(|u| if u.ends_with('#') || u.ends_with('/') { hit.url.starts_with(u.as_str()) } else { hit.url == *u });
        topic_ok && url_ok
    }
}

#[derive(Default)]
struct Score {
    n: usize,
    top1: usize,
    top3: usize,
    rr: f64,
}

impl Score {
    fn add(&mut self, rank: Option<usize>) {
        self.n += 1;
        match rank {
            Some(0) => {
                self.top1 += 1;
                self.top3 += 1;
            }
            Some(1 | 2) => self.top3 += 1,
            _ => {}
        }
        if let Some(k) = rank {
            self.rr += 1.0 / (k as f64 + 1.0);
        }
    }
    fn rate(&self, x: usize) -> f64 {
        x as f64 / self.n.max(1) as f64
    }
}

#[test]
fn devset_is_well_formed() {
    let set = devset();
    let in_scope = set.iter().filter(|q| q.topic != "none").count();
    assert!(in_scope >= 200, "the development set needs at least 200 in-scope questions, has {in_scope}");
    assert!(set.iter().filter(|q| q.urgent).count() >= 25, "at least 25 red-flag questions");
    for d in &set {
        for t in std::iter::once(&d.topic).chain(&d.also) {
            assert!(
                t == "none" || TREATMENT_IDS.contains(&t.as_str()) || EXTRA_TOPICS.contains(&t.as_str()),
                "{:?}: unknown topic {t:?}",
                d.q
            );
        }
        assert!(!(d.urgent && d.topic == "none"), "{:?}: a red flag is always in scope", d.q);
    }
}

#[test]
fn devset_figures() {
    let set = devset();
    let (mut with_defs, mut without_defs) = (Score::default(), Score::default());
    let (mut flags, mut flagged, mut false_alarms, mut empty) = (0usize, 0usize, Vec::new(), Vec::new());
    let (mut oos, mut oos_ok) = (0usize, 0usize);
    let mut misses = Vec::new();
    for d in &set {
        let r = index().search(&d.q, 10);
        let json = serde_json::to_value(&r).expect("serialises");
        let urgent = json.get("urgent").is_some_and(|u| !u.is_null());
        let hits: Vec<Hit> = r.results.iter().map(|x| Hit { topic: x.topic.clone(), url: x.url.clone() }).collect();
        if d.topic == "none" {
            oos += 1;
            if hits.is_empty() {
                oos_ok += 1;
            } else {
                misses.push(format!("OUT OF SCOPE BUT ANSWERED {:?} -> {}", d.q, hits[0].url));
            }
            if urgent {
                false_alarms.push(d.q.clone());
            }
            continue;
        }
        if d.urgent {
            flags += 1;
            if urgent {
                flagged += 1;
            } else {
                misses.push(format!("RED FLAG MISSED {:?}", d.q));
            }
        } else if urgent {
            false_alarms.push(d.q.clone());
        }
        if hits.is_empty() {
            empty.push(d.q.clone());
        }
        let rank = hits.iter().position(|h| d.accepts(h, true));
        with_defs.add(rank);
        if !d.definition {
            let rank = hits.iter().position(|h| d.accepts(h, false));
            without_defs.add(rank);
            if !matches!(rank, Some(0..=2)) {
                misses.push(format!(
                    "{:?} want {}{} got {:?}",
                    d.q,
                    d.topic,
                    if d.urls.is_empty() { String::new() } else { format!(" {:?}", d.urls) },
                    hits.iter().take(3).map(|h| h.url.as_str()).collect::<Vec<_>>()
                ));
            }
        }
    }
    let w = &with_defs;
    let wo = &without_defs;
    let red_rate = flagged as f64 / flags.max(1) as f64;
    println!("ask held-out development set: {} in-scope questions ({} without bare definitions), {oos} out of scope", w.n, wo.n);
    println!("  with definitions:    top-1 {:.3}  top-3 {:.3}  MRR {:.3}", w.rate(w.top1), w.rate(w.top3), w.rr / w.n.max(1) as f64);
    println!("  without definitions: top-1 {:.3}  top-3 {:.3}  MRR {:.3}", wo.rate(wo.top1), wo.rate(wo.top3), wo.rr / wo.n.max(1) as f64);
    println!("  red flags given urgent: {flagged}/{flags} ({red_rate:.3}); false alarms: {}", false_alarms.len());
    println!("  in-scope questions with no results: {}", empty.len());
    println!("  out of scope with no results: {oos_ok}/{oos}");
    for q in &false_alarms {
        println!("  FALSE ALARM {q:?}");
    }
    for q in &empty {
        println!("  EMPTY {q:?}");
    }
    for m in &misses {
        println!("  miss: {m}");
    }
    assert!(wo.rate(wo.top3) >= FLOOR_TOP3_NO_DEFINITIONS, "top-3 without definitions {:.3}", wo.rate(wo.top3));
    assert!(w.rate(w.top3) >= FLOOR_TOP3, "top-3 {:.3}", w.rate(w.top3));
    assert!(w.rate(w.top1) >= FLOOR_TOP1, "top-1 {:.3}", w.rate(w.top1));
    assert!(w.rr / w.n.max(1) as f64 >= FLOOR_MRR, "MRR");
    assert!(red_rate >= FLOOR_RED_FLAG_RATE, "red-flag rate {red_rate:.3}");
    assert!(false_alarms.is_empty(), "no ordinary question gets urgent: {false_alarms:?}");
}
