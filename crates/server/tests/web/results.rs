//! The decision aid: sealed results addresses, the option grid, "what you told
//! us", carer wording, the appointment sheet and the MDT summary.

use super::*;

/// First-person words that must never appear on a carer's page.
const FIRST_PERSON: &[&str] = &[" I ", " I'm ", " I've ", " I'd ", " I'll ", " me ", " my ", " My ", " mine ", " myself "];

/// Removes every `<tag class="class" …>…</tag>` (citations quote other works' titles,
/// such as "How do I find a clinical trial?", which are not our sentences).
fn without(html: &str, tag: &str, class: &str) -> String {
    let open = format!("<{tag} class=\"{class}\"");
    let close = format!("</{tag}>");
    let mut out = html.to_string();
    while let Some(start) = out.find(&open) {
        let end = out[start..].find(&close).map(|e| start + e + close.len()).unwrap_or(out.len());
        out.replace_range(start..end, "");
    }
    out
}

/// The words a sighted reader sees: [`words`] without the visually hidden
/// parts (such as a word-list link's "(word list)").
fn visible_words(html: &str) -> String {
    words(&without(html, "span", "visually-hidden"))
}

/// The visible words of a page, citations left out (tags dropped, punctuation spaced out).
fn words(html: &str) -> String {
    let html = without(&without(html, "p", "cite"), "ol", "sources");
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            _ if in_tag => {}
            c if c.is_alphanumeric() || c == '\'' => out.push(c),
            _ => out.push(' '),
        }
    }
    format!(" {} ", out.split_whitespace().collect::<Vec<_>>().join(" "))
}

#[tokio::test]
async fn results_are_a_sealed_get_with_no_answer_in_the_address() {
    let (to, status, html) = post_follow(app(), "/results", BOWEL_FORM).await;
    assert_eq!(status, StatusCode::OK);
    assert!(to.starts_with("/results?a="), "{to}");
    for answer in ["bowel", "left", "tumour", "carer", "2.5", "none"] {
        assert!(!to.to_lowercase().contains(answer), "{answer} readable in {to}");
    }
    // Reloading (Back) is a plain GET that shows the same page again.
    let again = send(app(), Request::get(&to).body(Body::empty()).unwrap()).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(again.headers()[header::CACHE_CONTROL], "no-store");
    assert_eq!(h1(&text(again).await), h1(&html));
}

#[tokio::test]
async fn a_tampered_or_foreign_token_shows_the_form_with_a_note() {
    let (to, _, _) = post_follow(app(), "/results", BOWEL_FORM).await;
    let mut bad = to.clone();
    let last = bad.pop().unwrap();
    bad.push(if last == 'A' { 'B' } else { 'A' });
    let (status, html) = get(&bad).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("no longer available"), "note shown");
    assert!(html.contains("action=\"/results\""), "the form is shown");
    let (status, html) = get("/results?a=nonsense").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("no longer available"));
}

#[tokio::test]
async fn the_grid_comes_first_with_all_nine_and_the_choice_not_to() {
    let (_, _, html) = post_follow(app(), "/results", BOWEL_FORM).await;
    let grid = html.find("class=\"glance\"").expect("grid");
    let detail = html.find("id=\"detail-h\"").expect("detail");
    assert!(grid < detail, "the grid comes before the detail");
    let grid_html = &html[grid..detail];
    for id in hepatica_knowledge::TREATMENT_IDS {
        assert!(grid_html.contains(&format!("href=\"#opt-{id}\"")), "{id} missing from the grid");
    }
    assert!(grid_html.contains("href=\"#not-having\""), "the choice not to have treatment");
    assert!(grid_html.contains("in 100"), "natural frequencies in the grid: {grid_html}");
    assert!(html.contains("id=\"not-having\""));
    // One plain sentence that reads properly.
    assert!(html.contains(
        "You told us the person you care for has cancer that started in the bowel that has spread to the liver and nowhere else. \
         There are 2 tumours in the liver, on one side of it."
    ));
}

#[tokio::test]
async fn summary_sentences_read_for_every_site() {
    for (site, phrase) in [
        ("neuroendocrine", "a neuroendocrine tumour (NET) that has spread"),
        ("other", "somewhere else in the body"),
        ("unknown", "could not find where it started"),
    ] {
        let (_, status, html) = post_follow(app(), "/results", &format!("for=self&primary_site={site}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(phrase), "{site}: {phrase}");
        assert!(!html.contains("started in the neuroendocrine") && !html.contains("in the other"), "{site}");
    }
}

#[tokio::test]
async fn what_you_told_us_repeats_the_answers_with_change_links() {
    let form = "for=self&primary_site=breast&liver.tumour_count=8&liver.both_lobes=true&spread_elsewhere=bone&biomarkers.ER=positive&cea_ng_ml=1%2C200";
    let (to, _, html) = post_follow(app(), "/results", form).await;
    let token = to.trim_start_matches("/results?a=");
    for shown in ["Bones", "Oestrogen receptor (ER)", "Positive", "8", "1200"] {
        assert!(html.contains(&format!(">{shown}<")), "{shown} not repeated");
    }
    assert!(html.contains(&format!("href=\"/check?a={token}#f-liver-tumour-count\"")), "change link to the question");
    // The change link fills the form in.
    let (status, form_html) = get(&format!("/check?a={token}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form_html.contains("id=\"f-primary-site-breast\" name=\"primary_site\" value=\"breast\" checked"));
    assert!(form_html.contains("value=\"8\""));
}

#[tokio::test]
async fn carer_pages_have_no_first_person_words() {
    let (to, _, html) = post_follow(app(), "/results", BOWEL_FORM).await;
    let text = words(&html);
    for w in FIRST_PERSON {
        assert!(
            !text.contains(w),
            "carer results say {w:?}: …{}…",
            &text[text.find(w).unwrap().saturating_sub(80)..][..160.min(text.len() - text.find(w).unwrap().saturating_sub(80))]
        );
    }
    assert!(html.contains("Questions to ask together"));
    let token = to.trim_start_matches("/results?a=");
    let q = "What+are+the+main+risks+of+this+operation+for+them%3F";
    let (_, status, sheet) = post_follow(app(), "/sheet", &format!("a={token}&_v=longer&_q={q}")).await;
    assert_eq!(status, StatusCode::OK);
    let text = words(&sheet);
    for w in FIRST_PERSON {
        assert!(!text.contains(w), "carer sheet says {w:?}");
    }
    // The patient's own voice is kept for people asking for themselves.
    let (_, _, own) = post_follow(app(), "/results", "for=self&primary_site=bowel").await;
    assert!(words(&own).contains(" my "), "self mode keeps first-person questions");
    // Issue 16 leftovers: the support services and the questionnaire's hints too.
    // A service's words name the service, never "their team" or "your family": a
    // carer reads "their" as the person they care for, and "your" as their own.
    let support = &html[html.find("id=\"support\"").expect("support section")..];
    let support = words(&support[..support.find("</section>").unwrap()]);
    for w in FIRST_PERSON.iter().chain(&[" their ", " Their ", " they ", " They ", " them ", " your ", " Your "]) {
        let services = &support[support.find(" These services can help too ").expect("the services list")..];
        assert!(!services.contains(w), "carer support text says {w:?}: {services}");
    }
    let kb = hepatica_knowledge::Knowledge::embedded();
    for s in &kb.support {
        let text = words(&s.how);
        for w in [" their ", " Their ", " they ", " They ", " them ", " your ", " Your "] {
            assert!(!text.contains(w), "{}: {w:?} in {:?}", s.id, s.how);
        }
    }
    // Hints: a carer's name no one in the first person; a patient's speak of no one else.
    for site in hepatica_knowledge::PRIMARY_SITES {
        for (who, bad) in [("carer", FIRST_PERSON.to_vec()), ("self", vec![" they ", " They ", " their ", " Their ", " them "])] {
            let (_, _, form) = post_follow(app(), "/check", &format!("primary_site={site}&for={who}&_next=1")).await;
            for hint in form.split("<p class=\"hint\"").skip(1) {
                let shown = &hint[hint.find('>').unwrap() + 1..hint.find("</p>").unwrap()];
                // An answer quoted by name (“I don't know”) is the form's furniture, not a sentence about anyone.
                let unquoted: String = shown.split('\u{201c}').map(|p| p.split_once('\u{201d}').map_or(p, |(_, after)| after)).collect();
                let text = words(&unquoted);
                for w in &bad {
                    assert!(!text.contains(w), "{site} {who}: hint says {w:?}: {shown}");
                }
            }
        }
    }
}

#[tokio::test]
async fn the_sheet_holds_ticks_and_own_question_sealed() {
    let (to, _, _) = post_follow(app(), "/results", BOWEL_FORM).await;
    let token = to.trim_start_matches("/results?a=");
    let (sheet_to, status, sheet) =
        post_follow(app(), "/sheet", &format!("a={token}&_v=hospital&_q=Who+do+we+call%3F&_own=Can+they+fly+in+May%3F")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(sheet_to.starts_with("/sheet?a=") && !sheet_to.contains("fly"), "{sheet_to}");
    for shown in [
        "Spending less time in hospital or travelling",
        "Who do we call?",
        "Can they fly in May?",
        "24-hour line",
        "Notes from the appointment",
    ] {
        assert!(sheet.contains(shown), "{shown}: {sheet}");
    }
    let kb = hepatica_knowledge::Knowledge::embedded();
    assert!(sheet.contains(&kb.meta.version));
    let (status, _) = get("/sheet").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn duplicate_fields_and_ambiguous_numbers_are_errors() {
    let (status, html, _) = post_form(app(), "/results", "primary_site=bowel&liver.tumour_count=2&liver.tumour_count=3").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("more than once") && html.contains("liver.tumour_count"), "names the field");
    let (status, html, _) = post_form(app(), "/results", "primary_site=bowel&liver.largest_tumour_cm=2%2C5").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("full stop"));
    assert!(html.contains("value=\"2,5\""), "the answer is echoed back");
}

#[tokio::test]
async fn the_form_asks_the_required_question_first_with_show_now_after_it() {
    let (_, html) = get("/check").await;
    let site = html.find("name=\"primary_site\"").unwrap();
    let now = html.find("Show my options now").unwrap();
    let next = html.find("name=\"bowel_side\"").unwrap();
    assert!(site < now && now < next, "required question, then the button, then the rest");
    assert!(html.find("name=\"for\"").unwrap() > site, "the required question comes first");
}

/// The first-screen sentence (`p.lede`) of a results page.
fn lede(html: &str) -> String {
    let start = html.find("<p class=\"lede\">").expect("lede") + "<p class=\"lede\">".len();
    let end = start + html[start..].find("</p>").expect("lede end");
    html[start..end].to_string()
}

/// The option grid's HTML.
fn grid(html: &str) -> &str {
    let start = html.find("class=\"glance\"").expect("grid");
    let end = start + html[start..].find("</section>").expect("grid end");
    &html[start..end]
}

#[tokio::test]
async fn the_summary_sentence_reads_properly_for_every_site_and_spread() {
    // (form fields, words the sentence must hold)
    let spreads: [(&str, &str); 5] = [
        ("", "spread to the liver."),
        ("&spread_elsewhere=none", "spread to the liver and nowhere else."),
        ("&spread_elsewhere=bone", "spread to the liver and also to the bones."),
        (
            "&spread_elsewhere=lung&spread_elsewhere=bone&spread_elsewhere=other",
            "spread to the liver and also to the lungs, the bones and another part of the body.",
        ),
        ("&spread_elsewhere=unknown", "spread to the liver. It is not known yet if it has spread anywhere else."),
    ];
    let livers: [(&str, &str); 3] = [
        ("", ""),
        ("&liver.tumour_count=3&liver.both_lobes=true", " There are 3 tumours in the liver, on both sides of it."),
        ("&liver.tumour_count=1", " There is 1 tumour in the liver."),
    ];
    let mut n = 0;
    for site in hepatica_knowledge::PRIMARY_SITES {
        for (i, (spread, said)) in spreads.iter().enumerate() {
            let (liver, liver_said) = livers[(i + n) % livers.len()];
            let carer = n % 2 == 0;
            n += 1;
            let form = format!("{}primary_site={site}{spread}{liver}", if carer { "for=carer&" } else { "" });
            let (_, status, html) = post_follow(app(), "/results", &form).await;
            assert_eq!(status, StatusCode::OK, "{form}");
            let s = lede(&html);
            let who = if carer { "You told us the person you care for has " } else { "You told us you have " };
            assert!(s.starts_with(who), "{form}: {s}");
            assert!(s.ends_with(&format!("{said}{liver_said}")), "{form}: {s}");
            for bad in [":", "also in", ", and", "..", " ,", "  "] {
                let after = &s[s.find("spread to the liver").expect("spread")..];
                assert!(!after.contains(bad), "{form}: {bad:?} in {s}");
            }
            for sentence in s.split(". ").skip(1) {
                assert!(sentence.starts_with(char::is_uppercase), "{form}: {s}");
            }
        }
    }
    // The two reports from the outside test, word for word.
    let (_, _, html) = post_follow(app(), "/results", "for=carer&primary_site=breast&spread_elsewhere=bone").await;
    assert_eq!(
        lede(&html),
        "You told us the person you care for has cancer that started in the breast that has spread to the liver and also to the bones."
    );
    let (_, _, html) = post_follow(app(), "/results", "primary_site=bowel&liver.tumour_count=3&spread_elsewhere=lung").await;
    assert_eq!(
        lede(&html),
        "You told us you have cancer that started in the bowel that has spread to the liver and also to the lungs. There are 3 tumours in the liver."
    );
}

#[tokio::test]
async fn study_figures_show_only_for_the_sites_their_studies_covered() {
    let kb = hepatica_knowledge::Knowledge::embedded();
    let collision = kb.treatment("ablation").and_then(|t| t.glance.as_ref()).expect("ablation glance");
    let sabr = kb.treatment("radiotherapy").and_then(|t| t.glance.as_ref()).expect("radiotherapy glance");
    let fong = kb.treatment("surgery").and_then(|t| t.glance.as_ref()).expect("surgery glance");
    let lines = |g: &hepatica_knowledge::Glance| -> Vec<String> {
        [&g.offers, &g.harms].into_iter().flatten().map(|l| l.replace('\'', "&#39;")).collect()
    };
    let groups = "Numbers like 37 in 100";
    // Pancreas: no COLLISION, SABR-COMET or Fong figures, and so no note about numbers.
    let (_, _, html) = post_follow(app(), "/results", "primary_site=pancreas&spread_elsewhere=none").await;
    let g = grid(&html);
    // Words, not markup: a word-list term in a row is a link.
    let seen = visible_words(g);
    let mut rows = 0;
    for (id, glance) in [("ablation", collision), ("radiotherapy", sabr), ("surgery", fong)] {
        if g.contains(&format!("class=\"og-title\" href=\"#opt-{id}\"")) {
            rows += 1;
            assert!(seen.contains(&words(&glance.involves)), "the row's plain words stay: {}", glance.involves);
        }
        for l in lines(glance) {
            assert!(!seen.contains(&words(&l)), "pancreas page shows {l}");
        }
    }
    assert!(rows > 0, "at least one of these options is a row for pancreas");
    assert!(!g.contains("lived as long as after surgery") && !g.contains("42 in 100"));
    assert!(!g.contains(groups), "no number, so no note about numbers");
    assert!(g.contains("for pancreatic cancer in this situation") || !g.contains("og-unlikely"), "plain site name");
    assert!(!html.contains("pancreas cancer"));
    // Bowel (the sites the studies covered): the figures, and the note, are back.
    let (_, _, html) = post_follow(app(), "/results", BOWEL_FORM).await;
    let g = grid(&html);
    assert!(g.contains("37 in 100 people were alive") && g.contains(groups), "bowel shows the figures and the note");
    // Breast: SABR-COMET enrolled it, COLLISION did not.
    let (_, _, html) = post_follow(app(), "/results", "primary_site=breast&spread_elsewhere=none").await;
    let g = grid(&html);
    assert!(!g.contains("lived as long as after surgery"), "COLLISION is bowel only");
}

#[tokio::test]
async fn the_disclaimer_shows_once_on_the_results_page() {
    let kb = hepatica_knowledge::Knowledge::embedded();
    let t = kb.questionnaire.text("disclaimer").expect("disclaimer text");
    for (form, words) in [(BOWEL_FORM, t.carer.clone().expect("carer words")), ("primary_site=pancreas", t.patient.clone())] {
        let (_, _, html) = post_follow(app(), "/results", form).await;
        assert_eq!(html.matches("not medical advice").count(), 1, "{form}: the disclaimer shown more than once");
        assert!(html.contains(&words), "{form}: the disclaimer in the reader's voice");
    }
    // Other pages keep it in the footer.
    let (_, html) = get("/treatments/surgery").await;
    assert!(html.contains(&kb.meta.disclaimer));
}

#[tokio::test]
async fn new_answers_are_repeated_in_plain_words_and_answers_not_used_are_named() {
    let form = "for=carer&primary_site=bowel&treatment_history.previous=oxaliplatin+fluoropyrimidine&treatment_history.previous=sirt\
        &treatment_history.lines_of_systemic_therapy=1&liver_function.jaundice=true&liver_function.ascites=moderate_severe\
        &primary_resected=false&age_years=72&treatment_history.castration_resistant=true";
    let (to, status, html) = post_follow(app(), "/results", form).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    // Only the sealed token is in the address (a random token may hold any letters, so no word search).
    assert!(to.starts_with("/results?a=") && !to.contains('&'), "{to}");
    for shown in [
        "FOLFOX (folinic acid, fluorouracil and oxaliplatin) or CAPOX (capecitabine and oxaliplatin), SIRT (tiny radioactive beads)",
        "Yes: the belly is clearly swollen",
        "72",
        "Is their skin or the white of their eyes yellow?",
    ] {
        assert!(html.contains(shown), "{shown} not repeated");
    }
    // The prostate-only answer is accepted but named as not used for bowel cancer.
    assert!(html.contains("These answers were not used"), "input warning shown");
    assert!(html.contains("For prostate cancer: has the cancer grown even with hormone injections"), "the unused answer is named");
    // Treatment pages reached from a carer's results speak of "them".
    let token = to.trim_start_matches("/results?a=");
    assert!(html.contains(&format!("href=\"/treatments/surgery?a={token}\"")), "carer token passed to the treatment page");
    let (status, page) = get(&format!("/treatments/surgery?a={token}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("for them") && !words(&page).contains(" for me"), "carer treatment page");
    // The footer's disclaimer too (outsider carer test: it still said "right for you").
    let kb = hepatica_knowledge::Knowledge::embedded();
    assert!(!page.contains(&kb.meta.disclaimer), "the patient's disclaimer on a carer's treatment page");
    assert!(page.contains("right for them"), "the carer's disclaimer in the footer");
    let (_, own) = get("/treatments/surgery").await;
    assert!(own.contains("for me"), "the plain page keeps the reader's own voice");
    assert!(own.contains(&kb.meta.disclaimer), "the plain page keeps the knowledge base's disclaimer");
}

// Issue 16 (outsider 12): the opening sentence left out what the person has
// had. It names the treatments so far in plain words, in the carer's voice too.
#[tokio::test]
async fn the_opening_sentence_names_past_treatments() {
    let outsider = "primary_site=bowel&liver.tumour_count=6&liver.both_lobes=true&liver_function.jaundice=true\
        &treatment_history.previous=oxaliplatin+fluoropyrimidine&treatment_history.previous=irinotecan+fluoropyrimidine\
        &treatment_history.previous=fluoropyrimidine&chemotherapy_history=refractory";
    let (_, status, html) = post_follow(app(), "/results", &format!("for=self&{outsider}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        lede(&html),
        "You told us you have cancer that started in the bowel that has spread to the liver. There are 6 tumours in the liver, \
         on both sides of it. You have had chemotherapy (FOLFOX or CAPOX, FOLFIRI and capecitabine or 5-FU). The cancer grew despite chemotherapy. Jaundice (yellow skin or eyes) \
         changes some of the options."
    );
    let (_, _, html) = post_follow(
        app(),
        "/results",
        &format!("for=carer&{outsider}&treatment_history.previous=liver_surgery&treatment_history.previous=anti_egfr"),
    )
    .await;
    assert!(
        lede(&html)
            .contains("They have had chemotherapy (FOLFOX or CAPOX, FOLFIRI and capecitabine or 5-FU), targeted therapy and an operation on the liver. The cancer grew despite chemotherapy."),
        "{}",
        lede(&html)
    );
    let (_, _, html) = post_follow(app(), "/results", "primary_site=bowel&treatment_history.previous=none").await;
    assert!(lede(&html).ends_with("spread to the liver. You have not had chemotherapy yet."), "{}", lede(&html));
    // The chemotherapy answer alone names no drug: none is made up.
    let (_, _, html) = post_follow(app(), "/results", "primary_site=bowel&chemotherapy_history=responding").await;
    assert!(lede(&html).contains("You have had chemotherapy. The cancer shrank"), "{}", lede(&html));
}

// Issue 16 leftovers (outsider phone test): the opening sentence left out
// whether the main tumour was removed and the test results given. It names
// them in plain words, and only the results the site's assessment reads.
#[tokio::test]
async fn the_opening_sentence_names_the_primary_removed_and_key_results() {
    let (_, status, html) = post_follow(
        app(),
        "/results",
        "for=carer&primary_site=bowel&liver.tumour_count=2&primary_resected=true&biomarkers.KRAS=wild_type&biomarkers.NRAS=wild_type\
         &biomarkers.BRAF_V600=present&biomarkers.ER=positive",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let s = lede(&html);
    assert!(s.contains("There are 2 tumours in the liver. The main (first) tumour has been removed."), "{s}");
    assert!(s.contains("Test results: KRAS gene normal, NRAS gene normal and BRAF V600 change found."), "{s}");
    assert!(!s.contains("Oestrogen"), "ER is not read for bowel cancer, so it is not named: {s}");
    let (_, _, html) = post_follow(
        app(),
        "/results",
        "primary_site=breast&primary_resected=false&biomarkers.ER=positive&biomarkers.PR=negative&biomarkers.HER2=low",
    )
    .await;
    let s = lede(&html);
    assert!(s.contains("The main (first) tumour has not been removed."), "{s}");
    assert!(s.ends_with("Test results: HER2-low, Oestrogen receptor (ER) positive and Progesterone receptor (PR) negative."), "{s}");
    // Nothing given, nothing said.
    let (_, _, html) = post_follow(app(), "/results", "primary_site=bowel").await;
    let s = lede(&html);
    assert!(!s.contains("main (first) tumour") && !s.contains("Test results"), "{s}");
}

// The earlier-treatment list keeps apart drugs the contract keeps apart, so an
// answer is never recorded as the wrong drug (Enhertu is not "another HER2
// drug") or left out (an ALK tablet, tebentafusp: both read by the rules).
#[tokio::test]
async fn earlier_treatments_the_rules_tell_apart_are_separate_choices() {
    for (site, value, offered_for) in [
        ("breast", "trastuzumab_deruxtecan", "f-treatment-history-previous-trastuzumab-deruxtecan"),
        ("lung", "alk_tki", "f-treatment-history-previous-alk-tki"),
        ("uveal_melanoma", "tebentafusp", "f-treatment-history-previous-tebentafusp"),
        ("prostate", "cabazitaxel", "f-treatment-history-previous-cabazitaxel"),
    ] {
        let (_, status, form) = post_follow(app(), "/check", &format!("primary_site={site}&_next=1")).await;
        assert_eq!(status, StatusCode::OK);
        let at = form.find(&format!("id=\"{offered_for}\"")).unwrap_or_else(|| panic!("{value} not offered for {site}"));
        let tag = &form[form[..at].rfind('<').unwrap()..at + form[at..].find('>').unwrap()];
        assert!(!tag.contains("disabled"), "{value} offered but disabled for {site}: {tag}");
        use hepatica_server::form::{Answers, Wording, to_case};
        let answers = Answers::new(vec![("primary_site".into(), site.into()), ("treatment_history.previous".into(), value.into())]);
        let case = to_case(&answers, Wording::Patient).unwrap_or_else(|p| panic!("{site} {value}: {p:?}"));
        let had: Vec<&str> = case.treatment_history.previous.iter().flatten().map(|p| p.as_str()).collect();
        assert_eq!(had, [value], "{site}: the box gives its own contract value");
    }
    let kb = hepatica_knowledge::Knowledge::embedded();
    let her2 =
        kb.questionnaire.question("treatment_history.previous").unwrap().choices.iter().find(|c| c.value == "her2_targeted").unwrap();
    assert!(her2.label.contains("not Enhertu"), "{}", her2.label);
}

// Issue 16 leftovers (outsider phone test): jargon on the results page (SABR,
// TACE, SIRT, CDK4/6 ...) was not linked to the word list. The first use of
// each glossary term links to its entry, once per page, without JavaScript.
#[tokio::test]
async fn jargon_links_to_the_word_list_at_its_first_use() {
    let (_, glossary) = get("/glossary").await;
    for (form, must) in [
        (BOWEL_FORM, &["sabr", "sirt", "mdt", "msi"][..]),
        ("primary_site=breast&biomarkers.ER=positive&biomarkers.HER2=negative", &["cdk46-inhibitor"][..]),
    ] {
        let (_, status, html) = post_follow(app(), "/results", form).await;
        assert_eq!(status, StatusCode::OK);
        let ids: Vec<&str> = html
            .match_indices("<a class=\"gloss\" href=\"/glossary#")
            .map(|(i, m)| {
                let rest = &html[i + m.len()..];
                &rest[..rest.find('"').unwrap()]
            })
            .collect();
        for id in must {
            assert!(ids.contains(id), "{form}: {id} not linked; linked {ids:?}");
        }
        let mut once = ids.clone();
        once.sort();
        once.dedup();
        assert_eq!(once.len(), ids.len(), "{form}: a term linked twice: {ids:?}");
        for id in &ids {
            assert!(glossary.contains(&format!("<dt id=\"{id}\">")), "{id}: no such entry in the word list");
        }
        assert!(!lede(&html).contains("<a"), "the opening sentence is the person's own words");
        // Each link says where it goes to a screen reader.
        assert_eq!(html.matches("<span class=\"visually-hidden\"> (word list)</span></a>").count(), ids.len(), "{form}");
    }
}

/// The detail card of one option.
fn option_card<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html.find(&format!("aria-labelledby=\"opt-{id}\"")).unwrap_or_else(|| panic!("{id} card"));
    &html[at..at + html[at..].find("</article>").unwrap()]
}

// Issue 16 leftovers (outsider phone test): for bowel cancer, targeted therapy
// said "depends" next to "bevacizumab does not depend on the gene tests", and
// its row "Only if a test finds the target". The reason now says what the tests
// decide, so it agrees with "depends" and with what would decide it, and the
// row allows for a drug that needs no test; the engine's decision is unchanged.
#[tokio::test]
async fn a_depends_option_agrees_with_its_reasons() {
    let (_, _, html) = post_follow(app(), "/results", "for=self&primary_site=bowel").await;
    let card = option_card(&html, "targeted_therapy");
    assert!(card.contains("badge s-depends"), "still depends: {card}");
    let text = visible_words(card);
    assert!(text.contains(" Bevacizumab is a targeted drug In trials it was added to chemo for bowel cancer whatever the gene tests showed But the NHS in England does not usually fund it with first chemo The tests decide the other targeted drugs "), "{text}");
    assert!(!text.contains("does not depend"), "{text}");
    assert!(text.contains(" What would decide it ") && text.contains(" KRAS gene "), "the tests named as what decides it: {text}");
    let g = grid(&html);
    let row = &g[g.find("href=\"#opt-targeted_therapy\"").unwrap()..];
    let row = visible_words(&row[..row.find("</li>").unwrap()]);
    assert!(!row.contains("Only if a test"), "the row allows for bevacizumab: {row}");
    assert!(row.contains(" Most need a test first "), "{row}");
}

/// Outsider phone test, issue 16 leftovers: a NET's grid rows describe a NET's
/// treatments (a jab, not hormone tablets with hot flushes; PRRT by drip, not
/// SABR's beams), while breast keeps the general rows.
#[tokio::test]
async fn a_nets_grid_rows_describe_a_nets_treatments() {
    let (_, status, net) = post_follow(app(), "/results", "for=self&primary_site=neuroendocrine&biomarkers.SSTR=positive").await;
    assert_eq!(status, StatusCode::OK);
    let net_grid = grid(&net);
    assert!(net_grid.contains("A jab every 4 weeks or so"), "{net_grid}");
    assert!(!net_grid.contains("Hot flushes") && !net_grid.contains("Tablets at home each day"), "{net_grid}");
    // Its words, not its markup: "drip" may be the page's first use of the word-list term (a link).
    let net_words = visible_words(net_grid);
    assert!(net_words.contains("radioactive drug by drip") && !net_grid.contains("Precise beams"), "{net_grid}");
    let (_, _, breast) = post_follow(app(), "/results", "for=self&primary_site=breast&biomarkers.ER=positive").await;
    assert!(grid(&breast).contains("Tablets at home each day"), "the general row for other sites");
}

/// Outsider phone test: the numbers to call are tappable on the results, and
/// each source links to its own page, not to a line of the long About list.
#[tokio::test]
async fn numbers_are_tappable_and_sources_link_to_their_pages() {
    let (_, _, html) = post_follow(app(), "/results", BOWEL_FORM).await;
    for tel in ["href=\"tel:111\"", "href=\"tel:999\"", "href=\"tel:08088080000\""] {
        assert!(html.contains(tel), "{tel} missing");
    }
    assert!(html.contains("href=\"/sources/"), "sources link to their own pages");
    assert!(!html.contains("/about#source-"), "no link to a line of the About list");
}

/// Outsider phone test: the statements' own words speak of the person cared
/// for on a carer's page ("whether they are up and about"), as written on the
/// person's own.
#[tokio::test]
async fn a_carers_results_speak_of_them_in_the_statements_too() {
    let (_, _, carer) = post_follow(app(), "/results", "for=carer&primary_site=unknown").await;
    let text = words(&carer);
    assert!(!text.contains("whether you are up and about"), "carer page says 'you' of the person");
    assert!(text.contains("whether they are up and about"), "the performance status text, in their voice");
    let (_, _, own) = post_follow(app(), "/results", "for=self&primary_site=unknown").await;
    assert!(words(&own).contains("whether you are up and about"), "the person's own page as written");
}
