//! Every page answers 200 with its one h1; unknown pages answer an HTML 404.

use super::*;

#[tokio::test]
async fn every_page_is_200_with_one_h1() {
    for path in page_paths() {
        let (status, html) = get(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let h = h1(&html);
        assert!(!h.trim().is_empty(), "{path} has an empty h1");
        assert!(html.starts_with("<!DOCTYPE html><html lang=\"en-GB\">"), "{path}");
        for landmark in ["<header", "<nav", "<main", "<footer", "href=\"#main\"", "action=\"/ask\"", "action=\"/feedback\""] {
            assert!(html.contains(landmark), "{path} lacks {landmark}");
        }
        let kb = hepatica_knowledge::Knowledge::embedded();
        assert!(html.contains(&kb.meta.version), "{path} footer lacks the knowledge-base version");
        assert!(html.contains("next review due"), "{path} footer lacks review dates");
        assert!(!html.contains("style=\"") && !html.contains("<style"), "{path} has inline styles");
        assert!(!html.contains("<script>") && !html.contains("onclick"), "{path} has inline script");
    }
}

#[tokio::test]
async fn expected_h1s() {
    let kb = hepatica_knowledge::Knowledge::embedded();
    for (path, want) in [
        ("/", "Treatment options for cancer that has spread to the liver"),
        ("/check", "Check which treatments might be options"),
        ("/clinician", "Clinician assessment"),
        ("/glossary", "Word list"),
        ("/drugs", "Medicines"),
        ("/ask", "Search"),
        ("/questions", "Questions and answers"),
        ("/about", "About Hepatica"),
        ("/support", "Support"),
    ] {
        assert_eq!(h1(&get(path).await.1), want, "{path}");
    }
    for t in &kb.treatments {
        assert_eq!(h1(&get(&format!("/treatments/{}", t.id)).await.1), maud::html! { (t.title) }.into_string());
    }
}

#[tokio::test]
async fn treatment_pages_have_kind_anchors_questions_and_sources() {
    let kb = hepatica_knowledge::Knowledge::embedded();
    for t in &kb.treatments {
        let (_, html) = get(&format!("/treatments/{}", t.id)).await;
        for k in &t.kinds {
            assert!(html.contains(&format!("id=\"kind-{}\"", k.id)), "{} kind {}", t.id, k.id);
        }
        for s in &t.sections {
            assert!(html.contains(&format!("id=\"{}\"", s.id)), "{} section {}", t.id, s.id);
            for src in &s.sources {
                assert!(html.contains(&format!("/sources/{src}")), "{} source {src}", t.id);
            }
        }
        assert!(html.contains("Next review due"), "{}", t.id);
    }
}

#[tokio::test]
async fn anchors_on_about_glossary_questions_support() {
    let kb = hepatica_knowledge::Knowledge::embedded();
    let about = get("/about").await.1;
    for s in &kb.sources {
        assert!(about.contains(&format!("id=\"source-{}\"", s.id)), "source {}", s.id);
        if s.citation.is_some() {
            assert!(about.contains(&format!("href=\"/sources/{}\"", s.id)), "source {} links its page", s.id);
        }
    }
    // What each source gave is on its own page (the About page stays light).
    let papmet = kb.source("papmet-2021").expect("a source");
    let (status, page) = get("/sources/papmet-2021").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h1(&page), papmet.title.replace('&', "&amp;"));
    assert!(page.contains("9.0 months with cabozantinib"), "the citation is shown");
    assert!(!about.contains("9.0 months with cabozantinib"), "and not on /about");
    let glossary = get("/glossary").await.1;
    for t in &kb.glossary {
        assert!(glossary.contains(&format!("id=\"{}\"", t.id)), "term {}", t.id);
    }
    let questions = get("/questions").await.1;
    for f in &kb.faqs {
        assert!(questions.contains(&format!("id=\"{}\"", f.id)), "faq {}", f.id);
    }
    let support = get("/support").await.1;
    for s in &kb.support {
        assert!(support.contains(&format!("id=\"{}\"", s.id)), "support {}", s.id);
    }
}

#[tokio::test]
async fn unknown_pages_are_html_404() {
    for path in ["/nope", "/treatments/liver_transplant", "/drugs/not-a-drug", "/sources/not-a-source"] {
        let (status, html) = get(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(h1(&html), "Page not found");
    }
}

#[tokio::test]
async fn search_pages_escape_queries() {
    let (status, html) = get("/ask?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("<script>alert"));
    assert!(html.contains("&lt;script&gt;"));
    let (_, html) = get("/drugs?q=%3Cb%3E").await;
    assert!(!html.contains("<b>"));
}

#[tokio::test]
async fn assets_are_cached_for_a_year() {
    let css = hepatica_server::assets::css_url();
    let res = send(app(), Request::get(&css).body(Body::empty()).unwrap()).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()[header::CACHE_CONTROL].to_str().unwrap().contains("max-age=31536000"));
    assert!(res.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/css"));
    let res = send(app(), Request::get("/assets/site.0000000000.css").body(Body::empty()).unwrap()).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

/// Issue #17: the support page opens with the urgent box at `#urgent` (the
/// contract 8.3 url), phone numbers are tappable, /ask shows the urgent box
/// for a red flag and not otherwise, the glossary can be searched, and drug
/// pages show what a medicine is for and its side effects but no search aliases.
#[tokio::test]
async fn urgent_help_tel_links_glossary_search_and_drug_pages() {
    let support = get("/support").await.1;
    let urgent = support.find("id=\"urgent\"").expect("support page has #urgent");
    let first_service = support.find("class=\"panel\"").unwrap_or(usize::MAX);
    assert!(urgent < first_service, "the urgent box comes before the services");
    assert!(support.contains("href=\"tel:999\"") && support.contains("href=\"tel:08088080000\""), "tel: links");

    let (_, html) = get("/ask?q=mum%20has%20gone%20really%20confused%20and%20sleepy%20and%20her%20eyes%20are%20yellow").await;
    assert!(html.contains("role=\"alert\"") && html.contains("href=\"/support#urgent\""), "urgent box on /ask");
    assert!(html.contains("<ol class=\"results\""), "results as well");
    let (_, html) = get("/ask?q=what%20is%20SIRT").await;
    assert!(!html.contains("role=\"alert\""), "no alarm for an ordinary question");

    let (_, html) = get("/glossary?q=picc").await;
    assert!(html.contains("id=\"picc-line\"") && !html.contains("id=\"sirt\""), "glossary search filters");

    let (_, html) = get("/drugs/capecitabine").await;
    assert!(html.contains("What it is for") && html.contains("How it is given"));
    assert!(!html.contains("Also called"), "no internal aliases on the page");
    let (_, html) = get("/drugs/fruquintinib").await;
    assert!(html.contains("Common side effects") && html.contains("UK status") && html.contains("NICE"));
    assert!(html.contains("href=\"tel:999\""), "when to call, with a tappable number");
}

// Issue 16 leftovers (outsider phone test): a source's page showed only its
// citation. It says in a plain sentence what kind of source it is, and links
// back to the pages and lists the statements that cite it.
#[tokio::test]
async fn a_source_page_says_what_it_is_and_what_cites_it() {
    let kb = hepatica_knowledge::Knowledge::embedded();
    let lede = |html: &str| {
        let start = html.find("<p class=\"lede\">").expect("lede") + "<p class=\"lede\">".len();
        html[start..start + html[start..].find("</p>").unwrap()].to_string()
    };
    let (status, html) = get("/sources/sabr-comet").await;
    assert_eq!(status, StatusCode::OK);
    assert!(lede(&html).starts_with("A report of a clinical trial"), "{}", lede(&html));
    assert!(html.contains("href=\"/treatments/radiotherapy\""), "back to the treatment page that cites it");
    let statement = kb.statements.iter().find(|s| s.sources.iter().any(|x| x == "sabr-comet")).expect("a statement cites SABR-COMET");
    assert!(html.contains(&statement.patient.replace('\'', "&#39;")), "the statement that cites it: {}", statement.patient);
    let (_, html) = get("/sources/nice-ng151").await;
    assert!(lede(&html).starts_with("A clinical guideline from NICE, published in 2020."), "{}", lede(&html));
    // A drug's source links back to the drug's page.
    let drug = kb.drugs.iter().find(|d| !d.sources.is_empty()).expect("a drug with a source");
    let (_, html) = get(&format!("/sources/{}", drug.sources[0])).await;
    assert!(html.contains(&format!("href=\"/drugs/{}\"", drug.id)), "{} from {}", drug.id, drug.sources[0]);
    // Every source has a sentence for its kind, and every page is under the weight budget.
    for s in &kb.sources {
        let res =
            send(app(), Request::get(format!("/sources/{}", s.id)).header(header::ACCEPT_ENCODING, "gzip").body(Body::empty()).unwrap())
                .await;
        assert_eq!(res.status(), StatusCode::OK, "{}", s.id);
        let n = to_bytes(res.into_body(), 10 << 20).await.unwrap().len();
        assert!(n < 30 * 1024, "/sources/{}: {n} bytes gzipped", s.id);
    }
}
