//! `/support`: where to get support, one anchor per service id.
//!
//! The page opens with the urgent-help box (`id="urgent"`, contract 8.3's
//! `/support#urgent`): who to call now, from `content/urgent.toml`, with
//! tappable `tel:` links. Then the knowledge base's services, with a
//! deployment's own services first when `<data-dir>/support.toml` exists (see
//! [`crate::support`]). Phone numbers in a service's text become `tel:` links.

use axum::extract::State;
use hepatica_knowledge::Knowledge;
use maud::{Markup, html};

use super::{Ctx, Opts, Page, cite, layout};
use crate::AppState;

/// `GET /support`.
pub async fn page(State(state): State<AppState>, ctx: Ctx) -> Page {
    let kb = state.kb();
    let body = html! {
        h1 { "Support" }
        (urgent_box(kb, "h2"))
        p.lede { "You don't have to cope on your own. Your care team, including your specialist nurse, is the first place to ask. These services can also help people with cancer and the people who care for them." }
        @if state.support().is_empty() {
            p { "The list of services is being written. Please ask your care team." }
        }
        @for s in state.support() {
            section.panel aria-labelledby=(s.id) {
                h2 id=(s.id) { (s.name) }
                p { (tel_links(&s.how)) }
                @if let Some(url) = &s.url { p { a href=(url) { "Visit the " (s.name) " website" } } }
                p.meta { "Region: " (s.region) @if s.local { ". Added by this service." } }
            }
        }
    };
    layout(kb, &ctx, "Support", body, Opts::default())
}

/// The urgent-help box: who to call now, with 999 and 111 as `tel:` links.
/// `heading` is the heading level to use (`h2` on the support page, `h2` or
/// `h3` elsewhere). On the support page it carries `id="urgent"`.
pub fn urgent_box(kb: &Knowledge, heading: &str) -> Markup {
    let (title, text, sources) = match &kb.urgent {
        Some(u) => (u.title.as_str(), u.text.as_str(), u.sources.as_slice()),
        None => (
            "If you feel unwell",
            "If you are having treatment and feel unwell, call the number your care team gave you, at any time. In an emergency, call 999.",
            &[][..],
        ),
    };
    html! {
        section.panel.urgent #urgent aria-labelledby="urgent-h" {
            @if heading == "h3" { h3 #urgent-h { (title) } } @else { h2 #urgent-h { (title) } }
            p { (tel_links(text.trim())) }
            ul {
                li { "Emergency: " a href="tel:999" { "call 999" } }
                li { "Not sure what to do: " a href="tel:111" { "call NHS 111" } }
            }
            @if !sources.is_empty() { (cite(kb, sources)) }
        }
    }
}

/// `text` with every phone number turned into a `tel:` link.
///
/// A phone number is a run of digit groups separated by single spaces, starting
/// with `0` and 10 or 11 digits long (`0808 808 00 00`), or one of the short
/// UK numbers 999, 111 and 116 123. Everything else is escaped text.
pub fn tel_links(text: &str) -> Markup {
    let parts = split_phone_numbers(text);
    html! {
        @for (is_phone, part) in &parts {
            @if *is_phone {
                a href={ "tel:" (part.replace(' ', "")) } { (part) }
            } @else {
                (part)
            }
        }
    }
}

/// Splits `text` into `(is_phone_number, text)` pieces.
fn split_phone_numbers(text: &str) -> Vec<(bool, String)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<(bool, String)> = Vec::new();
    let mut plain = String::new();
    let mut i = 0;
    while i < chars.len() {
        let boundary = i == 0 || !chars[i - 1].is_alphanumeric();
        if boundary && chars[i].is_ascii_digit() {
            // Take digit groups joined by single spaces.
            let mut j = i;
            let mut end = i;
            let mut digits = 0;
            while j < chars.len() {
                if chars[j].is_ascii_digit() {
                    digits += 1;
                    j += 1;
                    end = j;
                } else if chars[j] == ' ' && j + 1 < chars.len() && chars[j + 1].is_ascii_digit() {
                    j += 1;
                } else {
                    break;
                }
            }
            let candidate: String = chars[i..end].iter().collect();
            let after_ok = end >= chars.len() || !chars[end].is_alphanumeric();
            let compact = candidate.replace(' ', "");
            let is_phone = after_ok
                && ((compact.starts_with('0') && (10..=11).contains(&digits)) || ["999", "111", "116123"].contains(&compact.as_str()));
            if is_phone {
                if !plain.is_empty() {
                    out.push((false, std::mem::take(&mut plain)));
                }
                out.push((true, candidate));
                i = end;
                continue;
            }
        }
        plain.push(chars[i]);
        i += 1;
    }
    if !plain.is_empty() {
        out.push((false, plain));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_become_tel_links() {
        let html = tel_links("Call free on 0808 808 00 00, 7 days a week, 8am to 8pm.").into_string();
        assert!(html.contains(r#"<a href="tel:08088080000">0808 808 00 00</a>"#), "{html}");
        assert!(!html.contains("tel:7"), "{html}");
        let html = tel_links("Samaritans: 116 123. In an emergency call 999.").into_string();
        assert!(html.contains(r#"href="tel:116123""#) && html.contains(r#"href="tel:999""#), "{html}");
        let html = tel_links("Since 2026, about 37 in 100 people.").into_string();
        assert!(!html.contains("tel:"), "years and counts are not phone numbers: {html}");
        let html = tel_links("<b>0800 123 4567</b>").into_string();
        assert!(html.contains("&lt;b&gt;") && html.contains("tel:08001234567"), "{html}");
    }
}
