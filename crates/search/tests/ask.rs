//! `hepatica ask` against the embedded knowledge base: the development set's
//! accuracy (top-1, top-3, mean reciprocal rank), spelling variants, synonyms,
//! typos, out-of-scope questions and hostile input.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use hepatica_knowledge::{EXTRA_TOPICS, Knowledge, TREATMENT_IDS};
use hepatica_search::ask::{AskIndex, AskResponse};
use serde::Deserialize;

/// Floors for the development set, set a little below what the index reaches
/// (see the figures printed by `devset_accuracy`). They guard against regressions.
const FLOOR_TOP1: f64 = 0.76;
const FLOOR_TOP3: f64 = 0.88;
const FLOOR_MRR: f64 = 0.83;
const FLOOR_OUT_OF_SCOPE: f64 = 0.80;

/// The index over the embedded knowledge base, or over the content folder named
/// by `HEPATICA_ASK_CONTENT_DIR` (to measure a content change before it is embedded).
fn index() -> &'static AskIndex {
    static INDEX: OnceLock<AskIndex> = OnceLock::new();
    INDEX.get_or_init(|| match std::env::var_os("HEPATICA_ASK_CONTENT_DIR") {
        Some(dir) => {
            let kb = Knowledge::load_dir(std::path::Path::new(&dir)).expect("content folder loads");
            AskIndex::build(&kb).expect("index builds")
        }
        None => AskIndex::build(Knowledge::embedded()).expect("index builds"),
    })
}

fn ask(q: &str) -> AskResponse {
    index().search(q, 10)
}

fn topics(r: &AskResponse) -> Vec<&str> {
    r.results.iter().map(|x| x.topic.as_str()).collect()
}

#[derive(Debug, Deserialize)]
struct DevSet {
    q: Vec<DevQuestion>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DevQuestion {
    q: String,
    topic: String,
    #[serde(default)]
    also: Vec<String>,
    #[serde(default)]
    url: Option<String>,
}

fn devset() -> Vec<DevQuestion> {
    let text = include_str!("ask_devset.toml");
    let set: DevSet = toml::from_str(text).expect("ask_devset.toml parses");
    set.q
}

#[test]
fn devset_is_well_formed() {
    let set = devset();
    assert!(set.len() >= 80, "the development set needs at least 80 questions, has {}", set.len());
    for d in &set {
        for t in std::iter::once(&d.topic).chain(&d.also) {
            assert!(
                t == "none" || TREATMENT_IDS.contains(&t.as_str()) || EXTRA_TOPICS.contains(&t.as_str()),
                "{:?}: unknown topic {t:?}",
                d.q
            );
        }
    }
}

#[test]
fn devset_accuracy() {
    let set = devset();
    let (mut n, mut top1, mut top3, mut rr, mut url_hits, mut urls) = (0usize, 0usize, 0usize, 0f64, 0usize, 0usize);
    let (mut oos, mut oos_ok, mut empty_in_scope) = (0usize, 0usize, 0usize);
    let mut by_topic: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut misses = Vec::new();
    for d in &set {
        let r = ask(&d.q);
        if d.topic == "none" {
            oos += 1;
            if r.results.is_empty() && r.note.is_some() {
                oos_ok += 1;
            } else {
                misses.push(format!("OUT OF SCOPE BUT ANSWERED {:?} -> {:?}", d.q, r.results.first().map(|x| &x.url)));
            }
            continue;
        }
        n += 1;
        if r.results.is_empty() {
            empty_in_scope += 1;
        }
        let ok = |t: &str| t == d.topic || d.also.iter().any(|a| a == t);
        let rank = topics(&r).iter().position(|t| ok(t));
        let entry = by_topic.entry(d.topic.as_str()).or_default();
        entry.0 += 1;
        match rank {
            Some(0) => {
                top1 += 1;
                top3 += 1;
                entry.1 += 1;
            }
            Some(1 | 2) => top3 += 1,
            _ => {}
        }
        if let Some(k) = rank {
            rr += 1.0 / (k as f64 + 1.0);
        }
        if rank != Some(0) {
            misses.push(format!(
                "{:?} want {} got {:?}",
                d.q,
                d.topic,
                r.results.iter().take(3).map(|x| x.url.as_str()).collect::<Vec<_>>()
            ));
        }
        if let Some(u) = &d.url {
            urls += 1;
            if r.results.first().is_some_and(|x| &x.url == u) {
                url_hits += 1;
            }
        }
    }
    let top1 = top1 as f64 / n as f64;
    let top3 = top3 as f64 / n as f64;
    let mrr = rr / n as f64;
    let oos_rate = oos_ok as f64 / oos.max(1) as f64;
    println!("ask development set: {n} in-scope questions, {oos} out-of-scope");
    println!("  top-1 topic accuracy {top1:.3}");
    println!("  top-3 topic accuracy {top3:.3}");
    println!("  mean reciprocal rank {mrr:.3}");
    println!("  out-of-scope answered with no results and a note: {oos_ok}/{oos}");
    println!("  in-scope questions with no results: {empty_in_scope}");
    if urls > 0 {
        println!("  expected url first: {url_hits}/{urls}");
    }
    for (t, (total, hit)) in &by_topic {
        println!("  {t:<17} top-1 {hit}/{total}");
    }
    for m in &misses {
        println!("  miss: {m}");
    }
    assert!(top1 >= FLOOR_TOP1, "top-1 {top1:.3} fell below {FLOOR_TOP1}");
    assert!(top3 >= FLOOR_TOP3, "top-3 {top3:.3} fell below {FLOOR_TOP3}");
    assert!(mrr >= FLOOR_MRR, "MRR {mrr:.3} fell below {FLOOR_MRR}");
    assert!(oos_rate >= FLOOR_OUT_OF_SCOPE, "out-of-scope rate {oos_rate:.3} fell below {FLOOR_OUT_OF_SCOPE}");
}

fn first_topic(q: &str) -> String {
    ask(q).results.first().map(|r| r.topic.clone()).unwrap_or_else(|| panic!("no result for {q:?}"))
}

fn urls(q: &str) -> Vec<String> {
    ask(q).results.into_iter().map(|r| r.url).collect()
}

#[test]
fn spelling_variants_find_the_same_content() {
    for (uk, us) in [
        ("tumour ablation", "tumor ablation"),
        ("chemoembolisation", "chemoembolization"),
        ("radioembolisation", "radioembolization"),
        ("embolisation", "embolization"),
        ("cancer of the oesophagus", "cancer of the esophagus"),
    ] {
        assert_eq!(urls(uk), urls(us), "{uk:?} and {us:?} differ");
        assert!(!urls(uk).is_empty(), "{uk:?} finds nothing");
    }
}

#[test]
fn synonyms_and_abbreviations() {
    assert_eq!(first_topic("SIRT"), "embolisation");
    assert_eq!(first_topic("Y-90 treatment"), "embolisation");
    assert_eq!(first_topic("radioactive beads"), "embolisation");
    assert_eq!(first_topic("TACE"), "embolisation");
    assert_eq!(first_topic("SBRT"), "radiotherapy");
    assert_eq!(first_topic("SABR"), "radiotherapy");
    assert_eq!(first_topic("RFA"), "ablation");
    assert_eq!(first_topic("MWA"), "ablation");
    assert_eq!(first_topic("what is an MDT"), "general");
    assert_eq!(first_topic("chemo"), "chemotherapy");
    assert_eq!(first_topic("immuno for bowel cancer"), "immunotherapy");
    // "mets", "secondaries" and "spread" are the same thing.
    assert!(!ask("liver mets").results.is_empty());
    assert!(!ask("liver secondaries").results.is_empty());
}

#[test]
fn typos_are_tolerated() {
    // The corrected word is found: the topic is among the first three results.
    for (typo, topic) in [
        ("chemotheraphy", "chemotherapy"),
        ("imunotherapy", "immunotherapy"),
        ("radiotherapie", "radiotherapy"),
        ("what is ablasion", "ablation"),
        ("embolisaton", "embolisation"),
        ("oxaliplatine", "drugs"),
    ] {
        let r = ask(typo);
        assert!(topics(&r).iter().take(3).any(|t| *t == topic), "{typo:?}: {:?}", topics(&r));
    }
}

#[test]
fn out_of_scope_questions_get_a_note_and_no_results() {
    for q in ["best pizza in Leeds", "how do I renew my passport", "football scores today", "zzzz qqqq"] {
        let r = ask(q);
        assert!(r.results.is_empty(), "{q:?} should find nothing, found {:?}", r.results.first().map(|x| &x.url));
        let note = r.note.expect("a note");
        assert!(note.contains("care team"), "{note}");
    }
    let r = ask("");
    assert!(r.results.is_empty());
    assert!(r.note.is_some());
}

#[test]
fn hostile_input_never_panics() {
    let long = "liver ".repeat(2000);
    let weird = "a".repeat(10_000);
    let inputs = [
        "\"(:*^~-",
        "title:foo AND body:bar OR NOT baz",
        "chemo^10 ~2 \"unclosed",
        "🙂🙂🙂 liver 🙂",
        "\u{0}\u{1}\u{7f}",
        "   \t\n  ",
        "Ωμέγα ünïcödé тест 中文",
        "<script>alert(1)</script> ablation",
        long.as_str(),
        weird.as_str(),
    ];
    for q in inputs {
        let r = index().search(q, 10);
        assert_eq!(r.query, q);
        assert!(r.results.len() <= 10);
    }
    assert!(index().search("ablation", 0).results.is_empty());
    assert!(index().search("ablation", usize::MAX).results.len() <= hepatica_search::ask::MAX_RESULTS);
}

#[test]
fn results_are_well_formed_and_deterministic() {
    let allowed: Vec<&str> = TREATMENT_IDS.iter().chain(EXTRA_TOPICS.iter()).copied().collect();
    for q in ["ablation", "side effects", "liver", "support for carers", "what is FOLFOX", "palliative care"] {
        let a = ask(q);
        let b = ask(q);
        assert_eq!(a, b, "{q:?} is not deterministic");
        for (i, r) in a.results.iter().enumerate() {
            assert!(allowed.contains(&r.topic.as_str()), "{q:?}: topic {:?}", r.topic);
            assert!(
                r.url.starts_with("/treatments/")
                    || r.url.starts_with("/questions#")
                    || r.url.starts_with("/glossary#")
                    || r.url.starts_with("/drugs/")
                    || r.url.starts_with("/support#"),
                "{q:?}: url {:?}",
                r.url
            );
            assert!(!r.title.is_empty() && !r.snippet.is_empty(), "{q:?}: {r:?}");
            if i > 0 {
                let prev = &a.results[i - 1];
                assert!(prev.score > r.score || (prev.score == r.score && prev.url < r.url), "{q:?}: order");
            }
        }
    }
}

#[test]
fn snippets_mark_the_matched_words_and_escape_html() {
    let r = ask("microwave ablation");
    let first = r.results.first().expect("a result");
    assert!(first.snippet_html.contains("<mark>"), "{}", first.snippet_html);
    assert!(!first.snippet.contains("<mark>"));
    for res in &r.results {
        let stripped = res.snippet_html.replace("<mark>", "").replace("</mark>", "");
        assert!(!stripped.contains('<') && !stripped.contains('>'), "unescaped HTML in {}", res.snippet_html);
    }
}

#[test]
fn every_kind_of_content_is_searchable() {
    let kb = Knowledge::embedded();
    for t in &kb.treatments {
        assert!(urls(&t.title).iter().any(|u| u.starts_with(&format!("/treatments/{}", t.id))), "treatment {:?}", t.id);
    }
    if let Some(q) = kb.faqs.first() {
        assert!(urls(&q.question).contains(&format!("/questions#{}", q.id)), "FAQ {:?}", q.id);
    }
    if let Some(g) = kb.glossary.iter().find(|g| g.term.split_whitespace().count() == 1) {
        assert!(urls(&g.term).contains(&format!("/glossary#{}", g.id)), "term {:?}", g.term);
    }
    if let Some(d) = kb.drugs.iter().find(|d| d.id == "oxaliplatin").or(kb.drugs.first()) {
        let r = ask(&d.name);
        assert!(r.results.iter().any(|x| x.url == format!("/drugs/{}", d.id) && x.topic == "drugs"), "drug {:?}", d.id);
    }
    if let Some(s) = kb.support.first() {
        assert!(urls(&s.name).iter().any(|u| u.starts_with("/support#")), "support {:?}", s.id);
    }
}

/// Issue #17's examples: phrases mean what people mean, and forum words find content.
#[test]
fn lay_phrases_mean_what_people_mean() {
    // "first line", "PICC line", "Hickman line" are not the Support Line; "stage 4" is not two-stage surgery.
    for q in ["what does first line chemo mean", "PICC line", "Hickman line", "what does stage 4 mean"] {
        let r = ask(q);
        let first = r.results.first().unwrap_or_else(|| panic!("{q:?} finds nothing"));
        assert!(!first.title.to_lowercase().contains("support line"), "{q:?} -> {}", first.title);
        assert!(!first.url.contains("two_stage") && !first.url.contains("two-stage"), "{q:?} -> {}", first.url);
    }
    // "onc" is the oncologist, not elacestrant; pins and needles and cold sensitivity are not ablation.
    assert!(urls("my onc said").iter().all(|u| !u.contains("elacestrant")));
    for q in ["pins and needles", "cold sensitivity"] {
        let r = ask(q);
        assert!(r.results.iter().take(3).all(|x| x.topic != "ablation"), "{q:?}: {:?}", topics(&r));
    }
    // Forum words and abbreviations find something.
    for q in [
        "NED",
        "LFTs",
        "bili",
        "DNACPR",
        "scanxiety",
        "knackered",
        "chemo brain",
        "hand-foot syndrome",
        "mouth ulcers",
        "blue badge",
        "free prescriptions",
        "PIP",
        "DS1500",
        "SR1",
        "stoma",
        "mCRC",
        "DPD",
        "too small to characterise",
        "the beads",
    ] {
        assert!(!ask(q).results.is_empty(), "{q:?} finds nothing");
    }
}

/// "liver" is in nearly every question: it must not put liver transplant or resection first.
#[test]
fn the_common_word_liver_does_not_decide_the_ranking() {
    for q in ["radiotherapy for liver mets", "tiredness with liver secondaries", "immunotherapy for liver metastases"] {
        let r = ask(q);
        let first = r.results.first().unwrap_or_else(|| panic!("{q:?} finds nothing"));
        assert!(!first.url.contains("liver_transplant") && !first.url.contains("liver_resection"), "{q:?} -> {}", first.url);
    }
}

/// No silent failures: a wordy, worried question that names something we cover gets results.
#[test]
fn wordy_questions_are_answered() {
    let r = ask("sorry to ask but my dad has been so poorly and we are all worried sick, what does palliative care actually mean for him");
    assert!(!r.results.is_empty(), "{:?}", r.note);
}

/// Where the answer about when and whom to call is.
const CALL_NOW_URL: &str = "/questions#when-to-call-the-24-hour-line";

/// Contract 8.3: repeated vomiting on treatment and passing little or no urine
/// are same-day red flags, in lay words, and always come with results.
#[test]
fn vomiting_and_little_urine_are_urgent_with_results() {
    for q in [
        "been sick 6 times today on chemo",
        "vomiting all day after chemo",
        "cant stop being sick on chemo",
        "hardly peed today",
        "barely weeing since yesterday",
        "mum has passed much less urine than usual",
        "he's not passing water",
    ] {
        let r = ask(q);
        assert!(r.urgent.is_some(), "{q:?} should be urgent");
        assert!(!r.results.is_empty(), "{q:?}: an urgent question never gets an empty list");
    }
    for q in ["can chemo make me sick", "what is anti-sickness medicine", "how much should I drink on chemo", "will I be sick on chemo"] {
        assert!(ask(q).urgent.is_none(), "{q:?} should not be urgent: {:?}", index().red_flags(q));
    }
}

/// When `urgent` is set, the answer about when and whom to call comes first.
#[test]
fn urgent_questions_put_who_to_call_first() {
    for q in [
        "been sick blood",
        "temp of 38.5 on chemo",
        "pooing black tarry stuff",
        "hardly peed today",
        "my wife is confussed",
        "chest pain on capecitabine",
        "black tarry poo after sirt",
    ] {
        let r = ask(q);
        assert!(r.urgent.is_some(), "{q:?} should be urgent");
        let first = r.results.first().unwrap_or_else(|| panic!("{q:?} finds nothing"));
        assert_eq!(first.url, CALL_NOW_URL, "{q:?}: first is {:?}", first.title);
        assert!(r.results.iter().filter(|x| x.url == CALL_NOW_URL).count() == 1, "{q:?}: listed once");
    }
    // Not urgent: no forced answer.
    let r = ask("what is a CEA blood test");
    assert!(r.urgent.is_none() && r.results.first().is_some_and(|x| x.url != CALL_NOW_URL));
}

/// Snippets end on a whole word and show "…" wherever the text was cut.
#[test]
fn snippets_cut_at_words_and_show_the_cut() {
    let kb = Knowledge::embedded();
    let faq_body = |url: &str| {
        let id = url.strip_prefix("/questions#")?;
        kb.faqs.iter().find(|f| f.id == id).map(|f| f.answer.split_whitespace().collect::<Vec<_>>().join(" "))
    };
    let mut checked = 0;
    for q in [
        "been sick blood",
        "temp of 38.5 on chemo",
        "when to call the helpline",
        "side effects of embolisation",
        "pain after sirt",
        "tiredness after radiotherapy",
        "what happens after ablation",
        "hardly peed today",
        "fever after chemo",
        "how long does recovery take",
    ] {
        for r in ask(q).results {
            let Some(body) = faq_body(&r.url) else { continue };
            let s = r.snippet.as_str();
            let lead = s.starts_with('…');
            let tail = s.ends_with('…');
            let core = s.trim_start_matches('…').trim_end_matches('…').trim();
            let at = body.find(core).unwrap_or_else(|| panic!("{q:?}: snippet {s:?} is not in {:?}", r.url));
            let end = at + core.len();
            let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
            assert!(!word(body[..at].chars().next_back()) || !word(core.chars().next()), "{q:?}: starts mid-word: {s:?}");
            assert!(!word(body[end..].chars().next()) || !word(core.chars().next_back()), "{q:?}: ends mid-word: {s:?}");
            assert_eq!(lead, at > 0, "{q:?}: a cut at the start shows \"…\" (and only then): {s:?}");
            assert_eq!(tail, end < body.len(), "{q:?}: a cut at the end shows \"…\" (and only then): {s:?}");
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} FAQ snippets checked");
}
