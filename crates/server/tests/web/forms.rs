//! The questionnaire, its results, the clinician form and feedback.

use super::*;

#[tokio::test]
async fn check_form_uses_case_field_names() {
    let (_, html) = get("/check").await;
    assert!(html.contains("<form method=\"post\" action=\"/results\""));
    for name in [
        "primary_site",
        "bowel_side",
        "liver.tumour_count",
        "liver.both_lobes",
        "biomarkers.KRAS",
        "spread_elsewhere",
        "performance_status",
        "for",
    ] {
        assert!(html.contains(&format!("name=\"{name}\"")), "{name}");
    }
    for v in ["value=\"none\"", "value=\"unknown\"", "I don't know", "both sides of the liver"] {
        assert!(html.contains(v), "{v}");
    }
}

#[tokio::test]
async fn results_list_all_nine_treatments() {
    let kb = hepatica_knowledge::Knowledge::embedded();
    let (_, status, html) = post_follow(app(), "/results", BOWEL_FORM).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    for id in hepatica_knowledge::TREATMENT_IDS {
        assert!(html.contains(&format!("id=\"opt-{id}\"")), "{id} missing from results");
        // A carer's links carry the results page's sealed token, so the treatment page speaks of "them".
        assert!(html.contains(&format!("href=\"/treatments/{id}?a=")), "{id} link missing");
    }
    assert_eq!(h1(&html), "Treatment options to talk about with their care team");
    assert!(html.contains(&kb.meta.version));
    assert!(html.contains("id=\"support\""));
    assert!(html.contains("js-print"));
}

#[tokio::test]
async fn results_for_self_say_your() {
    let (_, status, html) = post_follow(app(), "/results", "for=self&primary_site=breast").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h1(&html), "Treatment options to talk about with your care team");
}

#[tokio::test]
async fn invalid_form_is_422_with_linked_errors() {
    let (status, html, _) = post_form(app(), "/results", "liver.tumour_count=lots&liver.largest_tumour_cm=45").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("class=\"error-summary\""));
    assert!(html.contains("<title>Error: "));
    assert!(html.contains("href=\"#f-primary-site-bowel\""), "primary site error links to the first radio");
    assert!(html.contains("href=\"#f-liver-tumour-count\""));
    assert!(html.contains("href=\"#f-liver-largest-tumour-cm\""));
    assert!(html.contains("aria-invalid=\"true\""));
    assert!(html.contains("id=\"f-liver-tumour-count-error\""));
    assert!(html.contains("value=\"lots\""), "answers are kept");
}

#[tokio::test]
async fn change_answers_refills_the_form() {
    let (status, html, _) = post_form(app(), "/check", "primary_site=lung&liver.tumour_count=4").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"f-primary-site-lung\" name=\"primary_site\" value=\"lung\" checked"));
    assert!(html.contains("value=\"4\""));
}

#[tokio::test]
async fn results_get_redirects_to_the_form() {
    let res = send(app(), Request::get("/results").body(Body::empty()).unwrap()).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/check");
}

#[tokio::test]
async fn clinician_form_has_every_field_and_results_show_criteria() {
    let (_, html) = get("/clinician").await;
    for b in hepatica_engine::Biomarker::ALL {
        assert!(html.contains(&format!("name=\"biomarkers.{}\"", b.as_str())), "{b}");
    }
    for q in hepatica_server::form::QUESTIONS.iter() {
        assert!(html.contains(&format!("name=\"{}\"", q.name)), "{}", q.name);
    }
    let (_, status, html) = post_follow(app(), "/clinician", &format!("id=case-1&{BOWEL_FORM}")).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("Criteria"));
    assert!(html.contains("Inputs as entered") && html.contains("case-1"), "inputs echoed");
    for internal in ["/biomarkers/", "/liver/", "depends_on"] {
        assert!(!html.contains(&format!(">{internal}")) && !html.contains(&format!(" {internal}")), "internal name {internal} shown");
    }
    for id in hepatica_knowledge::TREATMENT_IDS {
        assert!(html.contains(&format!("id=\"opt-{id}\"")), "{id}");
    }
    let (status, _, _) = post_form(app(), "/clinician", "primary_site=liver").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn feedback_is_stored_and_thanks_shown() {
    let (app, state) = app_with_state();
    let (status, _, res) = post_form(app.clone(), "/feedback", "page=%2Ftreatments%2Fsurgery&helpful=yes").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/treatments/surgery?feedback=thanks#feedback");
    post_form(app.clone(), "/feedback", "page=%2F&helpful=no").await;
    let counts = state.db().feedback_counts().unwrap();
    assert_eq!(counts.len(), 2);
    assert_eq!((counts[0].page.as_str(), counts[0].yes, counts[0].no), ("/", 0, 1));
    assert_eq!((counts[1].page.as_str(), counts[1].yes, counts[1].no), ("/treatments/surgery", 1, 0));
    let (_, html) = get("/treatments/surgery?feedback=thanks").await;
    assert!(html.contains("Thank you"));
    for bad in [
        "page=https%3A%2F%2Fevil.example&helpful=yes",
        "page=%2F%2Fevil&helpful=yes",
        "page=%2F&helpful=maybe",
        "page=%2F%3Fname%3Dx&helpful=yes",
    ] {
        let (status, _, _) = post_form(app.clone(), "/feedback", bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }
    assert_eq!(state.db().feedback_counts().unwrap().len(), 2);
}

#[tokio::test]
async fn feedback_is_refused_cross_site_unknown_or_too_often() {
    use hepatica_server::{AppState, Limits, router};
    let state = AppState::for_tests().with_limits(Limits { feedback_per_minute: 3, ..Limits::default() });
    let app = router(state.clone());
    let post = |app: Router, body: &'static str, headers: &'static [(&'static str, &'static str)]| async move {
        let mut req = Request::post("/feedback").header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        send(app, req.body(Body::from(body)).unwrap()).await.status()
    };
    // A cross-site form post.
    assert_eq!(post(app.clone(), "page=%2F&helpful=yes", &[("sec-fetch-site", "cross-site")]).await, StatusCode::FORBIDDEN);
    assert_eq!(
        post(app.clone(), "page=%2F&helpful=yes", &[("origin", "https://evil.example"), ("host", "localhost")]).await,
        StatusCode::FORBIDDEN
    );
    // A path-shaped string that is no page of the site (could hold personal data).
    assert_eq!(post(app.clone(), "page=%2FJohn-Smith-1961-03-02-NHS-9434765919&helpful=yes", &[]).await, StatusCode::BAD_REQUEST);
    // This site's own page (a browser sends Sec-Fetch-Site and, with no-referrer, Origin: null).
    let own: &[(&str, &str)] = &[("sec-fetch-site", "same-origin"), ("origin", "null")];
    for _ in 0..3 {
        assert_eq!(post(app.clone(), "page=%2Fabout&helpful=yes", own).await, StatusCode::SEE_OTHER);
    }
    assert_eq!(post(app.clone(), "page=%2Fabout&helpful=yes", own).await, StatusCode::TOO_MANY_REQUESTS, "rate per client");
    assert_eq!(state.db().feedback_rows(), 3);
    // The 429 says when to try again: the rate is per minute.
    let mut req = Request::post("/feedback").header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    for (k, v) in own {
        req = req.header(*k, *v);
    }
    let res = send(app.clone(), req.body(Body::from("page=%2Fabout&helpful=yes")).unwrap()).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(res.headers()[header::RETRY_AFTER], "60");
}

// Issue 16: a person is asked only the questions for their primary site.
#[tokio::test]
async fn next_seals_the_site_and_asks_only_its_questions() {
    let (_, html) = get("/check").await;
    assert!(html.contains("<div id=\"more-questions\" hidden>"), "the optional questions wait for the site");
    assert!(html.contains("name=\"_next\"") && html.contains("formaction=\"/check\""), "a Next button for the site's questions");
    let (to, status, html) = post_follow(app(), "/check", "primary_site=prostate&for=self&_next=1").await;
    assert_eq!(status, StatusCode::OK);
    assert!(to.starts_with("/check?a=") && !to.contains("prostate"), "{to}");
    assert!(html.contains("<div id=\"more-questions\">"), "the questions show once the site is known");
    assert!(html.contains("id=\"f-primary-site-prostate\" name=\"primary_site\" value=\"prostate\" checked"), "the site is kept");
    // The bowel-only question is hidden and disabled (never sent); the prostate one is asked.
    assert!(html.contains("data-sites=\"bowel\" hidden disabled"), "bowel question hidden for prostate");
    assert!(html.contains("data-sites=\"prostate\">"), "prostate question asked");
    assert!(html.contains("data-sites=\"bowel unknown other\" hidden"), "bowel-only treatment not offered");
    // Next without a site says what is missing, next to the question.
    let (status, html, _) = post_form(app(), "/check", "for=self&_next=1").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("href=\"#f-primary-site-bowel\""), "linked to the site question");
    assert!(html.contains("<div id=\"more-questions\" hidden>"));
}

// Issue 16: a carer's treatment pages speak of "them" in their text, not only in their questions.
#[tokio::test]
async fn carer_treatment_pages_speak_of_them() {
    let (to, _, _) = post_follow(app(), "/results", BOWEL_FORM).await;
    let token = to.split("a=").nth(1).unwrap();
    let (_, html) = get(&format!("/treatments/surgery?a={token}")).await;
    let main = &html[html.find("<main").unwrap()..html.find("id=\"sources\"").unwrap()];
    assert!(main.contains("They are fully asleep") && main.contains("can refer them"), "third person");
    for you in [" you ", " you.", "You ", " your ", "Your "] {
        assert!(!main.contains(you), "{you:?} on a carer's treatment page");
    }
    let (_, html) = get("/treatments/surgery").await;
    assert!(html.contains("You are fully asleep"), "a patient's page speaks to them");
}

// Issue 16: answers that disagree get a soft note in "What you told us", and the results still show.
#[tokio::test]
async fn disagreeing_treatment_answers_get_a_soft_note() {
    let form = "for=self&primary_site=bowel&treatment_history.lines_of_systemic_therapy=1\
        &treatment_history.previous=oxaliplatin+fluoropyrimidine&treatment_history.previous=irinotecan+fluoropyrimidine\
        &treatment_history.previous=anti_vegf";
    let (_, status, html) = post_follow(app(), "/results", form).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("history-check") && html.contains("You ticked 3 drug treatments"), "soft note");
    assert!(html.contains("FOLFOX (folinic acid, fluorouracil and oxaliplatin)"), "regimen echoed with its drugs");
    assert!(html.contains("id=\"opt-surgery\""), "never a block");
    // "No chemotherapy yet" as well: the clearer disagreement is the one shown.
    let (_, _, html) = post_follow(app(), "/results", &format!("{form}&chemotherapy_history=none")).await;
    assert!(
        html.contains("you also said there has been no chemotherapy yet") && !html.contains("You ticked 3 drug treatments"),
        "clearer note"
    );
}

// Issue 16 (outsider 12): with JavaScript, ticking "someone I care for" left
// the questions saying "you". Each question whose words differ carries both,
// for site.js to switch in place; the server's choice is the one shown.
#[tokio::test]
async fn questions_carry_both_voices_for_the_in_place_switch() {
    let (_, html) = get("/check").await;
    for (me, them) in [
        ("How old are you?", "How old are they?"),
        ("Which treatments have you had so far?", "Which treatments have they had so far?"),
        ("Is your skin or the white of your eyes yellow?", "Is their skin or the white of their eyes yellow?"),
    ] {
        let both = format!("data-self=\"{me}\" data-carer=\"{them}\"");
        assert!(html.contains(&both), "{both}");
        assert!(html.contains(&format!("{both}>{me}</")), "the patient's words shown by default: {me}");
    }
    // A question with one wording for both carries none.
    assert!(!html.contains("data-self=\"Has the main (first) tumour been removed?\""));
    let (_, _, changed) = post_follow(app(), "/check", "primary_site=bowel&for=carer&_next=1").await;
    assert!(changed.contains("data-carer=\"How old are they?\">How old are they?</"), "a carer's form shows the carer's words");
    // Hints too (outsider 13: "Your letters from the clinic often name them" on a carer's form).
    let hint = "Tick all that apply, at any time, including after an operation. Your letters from the clinic often name the treatments.";
    assert!(html.contains(&format!("data-self=\"{hint}\"")), "a hint carries its patient words");
    assert!(html.contains(
        "data-carer=\"Tick all that apply, at any time, including after an operation. Their letters from the clinic often name the treatments.\""
    ));
    // On a carer's form no hint or label speaks to the patient, in what is shown.
    let shown = strip_voices(&changed);
    for hint in shown.split("class=\"hint\"").skip(1) {
        let text = hint.split("</p>").next().unwrap_or("");
        let words: Vec<String> = text.split(|c: char| !c.is_alphanumeric() && c != '\'').map(str::to_ascii_lowercase).collect();
        for w in ["you", "your", "yours", "yourself"] {
            assert!(!words.iter().any(|x| x == w), "{w:?} in a carer's hint: {text}");
        }
    }
    // The disclaimer under the form too (outsider phone test: "right for you" on a carer's form).
    let about = shown.split("About this check").nth(1).expect("the footer");
    assert!(about.contains("right for them") && !about.contains("right for you"), "{about}");
    assert!(html.contains("right for you"), "the patient's form keeps the patient's words");
    // The site script switches them: it reads both attributes.
    let js = hepatica_server::assets::JS;
    assert!(js.contains("data-carer") && js.contains("data-self") && js.contains("input[name=for]"));
}

// Issue 16 (outsider 12): Back from the results blanked typed answers. With
// JavaScript, the answers are sealed just before sending and the sealed
// address replaces the questionnaire's; without it, the browser restores the
// form, which it does not do for fields marked autocomplete="off".
#[tokio::test]
async fn the_answers_so_far_seal_into_a_questionnaire_address() {
    let form = "primary_site=bowel&for=carer&liver.tumour_count=6&age_years=58&cea_ng_ml=1%2C200&liver.both_lobes=true&_seal=1";
    let (status, body, res) = post_form(app(), "/check", form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(res.headers()[header::CACHE_CONTROL], "no-store");
    assert!(res.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/plain"));
    assert!(body.starts_with("/check?a=") && !body.contains('&') && !body.contains('#'), "{body}");
    // (Words of four letters or more: a random token may hold "58" by chance.)
    for word in ["bowel", "carer", "tumour", "1200", "1,200"] {
        assert!(!body.contains(word), "{word} readable in {body}");
    }
    let page = send(app(), Request::get(&body).body(Body::empty()).unwrap()).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()[header::CACHE_CONTROL], "no-store");
    let html = text(page).await;
    for kept in [
        "id=\"f-liver-tumour-count\" name=\"liver.tumour_count\" value=\"6\"",
        "id=\"f-age-years\" name=\"age_years\" value=\"58\"",
        "value=\"1,200\"",
        "id=\"f-for-carer\" name=\"for\" value=\"carer\" checked",
        "How old are they?</",
    ] {
        assert!(html.contains(kept), "{kept} missing from the sealed questionnaire");
    }
    assert!(!html.contains("_seal"), "the marker is not sealed with the answers");
    let (_, get_html) = get("/check").await;
    assert!(!get_html.contains("autocomplete=\"off\" spellcheck"), "typed answers can be restored by the browser on Back");
}

/// The page without its `data-self`/`data-carer` attributes (the words not shown).
fn strip_voices(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(" data-self=\"").or_else(|| rest.find(" data-carer=\"")) {
        let at = [rest.find(" data-self=\""), rest.find(" data-carer=\"")].into_iter().flatten().min().unwrap_or(at);
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let open = after.find('"').map(|i| i + 1).unwrap_or(0);
        let close = after[open..].find('"').map(|i| open + i + 1).unwrap_or(after.len());
        rest = &after[close..];
    }
    out.push_str(rest);
    out
}

// Outsider red team 2026-12-01: 40,000 unknown fields (389 KB, under the body
// cap) took 10 s of CPU per post, and three posts starved /healthz. A post
// with more fields than the questionnaire could ever send is refused first.
#[tokio::test]
async fn a_post_with_thousands_of_fields_is_refused_before_any_work() {
    use hepatica_server::pages::check::MAX_FORM_FIELDS;
    let many = |n: usize| format!("primary_site=bowel&{}", (0..n).map(|i| format!("zz{i}=1")).collect::<Vec<_>>().join("&"));
    for path in ["/results", "/check"] {
        let (status, body, _) = post_form(app(), path, &many(40_000)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
        assert!(body.contains("Something was wrong with that request"), "{path}: the error page");
    }
    // Every real form fits with room to spare; a post at the cap is read, not refused.
    let (status, _, _) = post_form(app(), "/results", &many(MAX_FORM_FIELDS - 1)).await;
    assert_ne!(status, StatusCode::BAD_REQUEST);
}

/// The `<select>` of a biomarker in the page, with the markup just before it.
fn biomarker_field<'a>(html: &'a str, name: &str) -> &'a str {
    let at = html.find(&format!("name=\"biomarkers.{name}\"")).unwrap_or_else(|| panic!("{name} on the form"));
    &html[html[..at].rfind("<fieldset class=\"site-only bio\"").unwrap()..at]
}

// Issue 16: a person is asked only the biomarkers their site's assessment reads
// (from the engine and the knowledge base's rules), hidden and disabled otherwise;
// all of them while the site is not known.
#[tokio::test]
async fn a_site_is_asked_only_the_biomarkers_its_assessment_reads() {
    let (_, html) = get("/check").await;
    for b in ["KRAS", "ER", "EGFR", "HLA_A0201"] {
        assert!(!biomarker_field(&html, b).contains("hidden"), "{b} shown before the site is chosen");
    }
    let bowel_only = hepatica_engine::biomarkers_for_site(hepatica_knowledge::Knowledge::embedded(), hepatica_engine::PrimarySite::Bowel);
    let (_, _, html) = post_follow(app(), "/check", "primary_site=bowel&for=self&_next=1").await;
    let kb = hepatica_knowledge::Knowledge::embedded();
    let read_somewhere = |b: &hepatica_engine::Biomarker| {
        hepatica_engine::PrimarySite::ALL.iter().any(|s| hepatica_engine::biomarkers_for_site(kb, *s).contains(b))
    };
    // Those no site reads are not asked at all (results_no_site_reads_are_not_asked_of_patients).
    for b in hepatica_engine::Biomarker::ALL.iter().filter(|b| read_somewhere(b)) {
        let field = biomarker_field(&html, b.as_str());
        let off = field.contains("hidden disabled");
        assert_eq!(off, !bowel_only.contains(b), "{b} for bowel: {field}");
    }
    assert!(!biomarker_field(&html, "KRAS").contains("hidden"), "KRAS asked for bowel");
    assert!(biomarker_field(&html, "ER").contains("hidden disabled"), "ER not asked for bowel");
    // The breast tests' section is not shown to a bowel patient: HER2, which the
    // bowel assessment reads, is asked under "Other tests" instead.
    let section = |html: &str, heading: &str| -> String {
        let at = html.find(heading).unwrap_or_else(|| panic!("{heading}"));
        let open = html[..at].rfind("<details").unwrap();
        html[open..open + html[open..].find("</details>").unwrap()].to_string()
    };
    let tag = |section: &str| section[..section.find('>').unwrap()].to_string();
    let breast = section(&html, "Tests often done for breast cancer");
    assert!(tag(&breast).contains("data-own=\"breast\"") && tag(&breast).contains("hidden"), "{}", tag(&breast));
    let other = section(&html, "Other tests");
    assert!(!tag(&other).contains("hidden") && !tag(&other).contains("data-own"), "{}", tag(&other));
    assert!(other.contains("name=\"biomarkers.HER2\"") && !breast.contains("name=\"biomarkers.HER2\""), "HER2 moved for bowel");
    let bowel = section(&html, "Tests often done for bowel cancer");
    assert!(!tag(&bowel).contains("hidden") && bowel.contains("name=\"biomarkers.KRAS\""), "bowel's own section");
    // For breast, the other way round.
    let (_, _, html) = post_follow(app(), "/check", "primary_site=breast&for=self&_next=1").await;
    assert!(biomarker_field(&html, "KRAS").contains("hidden disabled"), "KRAS not asked for breast");
    assert!(!biomarker_field(&html, "ER").contains("hidden"), "ER asked for breast");
    assert!(section(&html, "Tests often done for breast cancer").contains("name=\"biomarkers.HER2\""), "HER2 at home for breast");
    assert!(tag(&section(&html, "Tests often done for bowel cancer")).contains("hidden"), "no bowel section for breast");
    // A biomarker read for every site (NTRK, tumour-agnostic) carries no site list.
    assert!(!biomarker_field(&html, "NTRK").contains("data-sites"), "{}", biomarker_field(&html, "NTRK"));
}

/// The opening tag of the `fieldset.site-group` around a field, and its heading.
fn site_group<'a>(html: &'a str, name: &str) -> Option<(&'a str, &'a str)> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let open = html[..at].rfind("<fieldset class=\"site-only site-group\"")?;
    // The field must be inside that group, not after a closed one.
    if html[open..at].matches("<fieldset").count() <= html[open..at].matches("</fieldset>").count() {
        return None;
    }
    let tag = &html[open..open + html[open..].find('>').unwrap()];
    let legend = &html[open..at];
    let l = legend.find("<legend class=\"site-for\">")? + "<legend class=\"site-for\">".len();
    Some((tag, &legend[l..l + legend[l..].find("</legend>").unwrap()]))
}

// Issue 16 leftovers (outsider phone test): CEA, the primary's lymph nodes and
// platinum sensitivity were asked for every primary site. They are asked only
// where the engine reads them (`inputs_for_site`), under a heading naming the
// cancer they are for (so without JavaScript and before the site is known the
// page says so), hidden and disabled (never sent) for other sites.
#[tokio::test]
async fn questions_for_one_cancer_are_asked_only_for_it_under_its_name() {
    let (_, html) = get("/check").await;
    for (name, sites, heading) in [
        ("cea_ng_ml", "bowel", "For bowel cancer"),
        ("primary_node_positive", "bowel", "For bowel cancer"),
        ("treatment_history.platinum_sensitive", "ovary", "For ovarian cancer"),
    ] {
        let (tag, legend) = site_group(&html, name).unwrap_or_else(|| panic!("{name}: no group"));
        assert!(tag.contains(&format!("data-sites=\"{sites}\"")) && !tag.contains("hidden"), "{name} before the site is known: {tag}");
        assert_eq!(legend, heading, "{name}");
    }
    // The lymph nodes and CEA share one heading.
    assert_eq!(html.matches("<legend class=\"site-for\">For bowel cancer</legend>").count(), 1);
    assert!(site_group(&html, "disease_free_interval_months").is_none(), "read for every site: no group");
    for (site, asked, not_asked) in [
        ("bowel", &["cea_ng_ml", "primary_node_positive"][..], &["treatment_history.platinum_sensitive"][..]),
        ("breast", &[], &["cea_ng_ml", "primary_node_positive", "treatment_history.platinum_sensitive"]),
        ("ovary", &["treatment_history.platinum_sensitive"], &["cea_ng_ml", "primary_node_positive"]),
    ] {
        let (_, _, html) = post_follow(app(), "/check", &format!("primary_site={site}&for=self&_next=1")).await;
        for name in asked {
            let (tag, _) = site_group(&html, name).unwrap();
            assert!(!tag.contains("hidden") && !tag.contains("disabled"), "{name} asked for {site}: {tag}");
        }
        for name in not_asked {
            let (tag, _) = site_group(&html, name).unwrap();
            assert!(tag.contains("hidden disabled"), "{name} not asked for {site}: {tag}");
        }
        let dfi = html.find("name=\"disease_free_interval_months\"").unwrap();
        assert!(!html[html[..dfi].rfind("<div class=\"question").unwrap()..dfi].contains("disabled"), "months asked for {site}");
    }
}

// Issue 16 leftovers (outsider phone test): ESR1 and HRD were asked on the
// patient form though no rule reads them. A result no site's assessment reads
// is not asked of a patient at all; the clinician form and the API keep it.
#[tokio::test]
async fn results_no_site_reads_are_not_asked_of_patients() {
    let kb = hepatica_knowledge::Knowledge::embedded();
    let unread: Vec<hepatica_engine::Biomarker> = hepatica_engine::Biomarker::ALL
        .iter()
        .copied()
        .filter(|b| hepatica_engine::PrimarySite::ALL.iter().all(|s| !hepatica_engine::biomarkers_for_site(kb, *s).contains(b)))
        .collect();
    let names: Vec<&str> = unread.iter().map(|b| b.as_str()).collect();
    // Knowledge base 2026.12.6 reads ESR1 for breast (elacestrant after a CDK4/6
    // inhibitor), so only HRD is left unread.
    assert!(names.contains(&"HRD") && !names.contains(&"ESR1"), "{names:?}");
    let (_, before) = get("/check").await;
    let (_, _, breast) = post_follow(app(), "/check", "primary_site=breast&for=self&_next=1").await;
    let (_, _, ovary) = post_follow(app(), "/check", "primary_site=ovary&for=self&_next=1").await;
    let (_, clinician) = get("/clinician").await;
    for b in &names {
        let field = format!("name=\"biomarkers.{b}\"");
        for (page, html) in [("no site", &before), ("breast", &breast), ("ovary", &ovary)] {
            assert!(!html.contains(&field), "{b} asked on the patient form ({page})");
        }
        assert!(clinician.contains(&field), "{b} kept on the clinician form");
    }
    assert!(!biomarker_field(&breast, "ESR1").contains("hidden"), "ESR1 asked for breast");
    assert!(biomarker_field(&ovary, "ESR1").contains("hidden disabled"), "ESR1 not asked for ovary");
    // The API still takes them (contract section 8.1).
    let res = post_json("/api/v1/assess", r#"{"primary_site":"ovary","biomarkers":{"HRD":"positive","ESR1":"present"}}"#).await;
    assert_eq!(res.status(), StatusCode::OK);
}
