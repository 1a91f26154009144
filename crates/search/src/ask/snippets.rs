//! Snippets: the extract shown under each result, plain and as HTML.
//!
//! tantivy's [`SnippetGenerator`] picks the part of the body with the most
//! matched words and marks them; when nothing matched in the body (the match
//! was in a title or keyword), the start of the body is shown instead. Either
//! way the extract starts and ends on whole words (ending at a sentence when
//! that loses no matched word), with "…" wherever the text was cut. The HTML
//! form is escaped, with `<mark>` around matched words and no other markup.

use std::collections::BTreeMap;

use tantivy::schema::Field;
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::TextAnalyzer;

/// Longest snippet, in characters.
pub(crate) const SNIPPET_CHARS: usize = 180;

/// The snippet of `body` for the weighted `terms`: `(plain text, HTML)`.
pub(crate) fn snippet(terms: BTreeMap<String, f32>, analyzer: TextAnalyzer, field: Field, body: &str) -> (String, String) {
    let generator = SnippetGenerator::new(terms, analyzer, field, SNIPPET_CHARS);
    let snippet = generator.snippet(body);
    if snippet.fragment().is_empty() {
        let start = lead(body, SNIPPET_CHARS);
        let html = escape_html(&start);
        (start, html)
    } else {
        let range = snippet.fragment_range();
        let marks: Vec<(usize, usize)> = snippet.highlighted().iter().map(|h| (range.start + h.start, range.start + h.end)).collect();
        window(body, range.start, range.end, &marks)
    }
}

/// Whether `c` ends a sentence.
fn sentence_end(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | ':' | ';')
}

/// The byte offset just after the last sentence end in `text[from..to]`:
/// punctuation followed by a space or the end of `text` ("37.5C" is no end).
fn last_sentence_end(text: &str, from: usize, to: usize) -> Option<usize> {
    text[from..to].char_indices().rev().map(|(i, c)| (from + i, c)).find_map(|(i, c)| {
        let after = i + c.len_utf8();
        (sentence_end(c) && text[after..].chars().next().is_none_or(char::is_whitespace)).then_some(after)
    })
}

/// The part of `body` from byte `start` to `end`, moved to whole words (and,
/// when that keeps the marked words, to a sentence end), with "…" where text
/// was cut and `<mark>` around the `marks` in the HTML: `(plain text, HTML)`.
fn window(body: &str, start: usize, end: usize, marks: &[(usize, usize)]) -> (String, String) {
    let word = |c: char| c.is_alphanumeric();
    let mut s = start.min(body.len());
    while !body.is_char_boundary(s) {
        s -= 1;
    }
    let mut e = end.clamp(s, body.len());
    while !body.is_char_boundary(e) {
        e -= 1;
    }
    // Start: forward past a cut word, then past spaces.
    if body[..s].ends_with(word) {
        s = body[s..e].find(char::is_whitespace).map_or(e, |i| s + i);
    }
    s += body[s..e].len() - body[s..e].trim_start().len();
    // End: over closing punctuation, then back off a cut word.
    e += body[e..].len() - body[e..].trim_start_matches(|c: char| !word(c) && !c.is_whitespace()).len();
    if body[e..].starts_with(word) {
        e = body[s..e].rfind(char::is_whitespace).map_or(s, |i| s + i);
    }
    e = s + body[s..e].trim_end().len();
    // Prefer a sentence end, if it keeps every marked word and half the text.
    if e < body.len() && !body[..e].ends_with(sentence_end) {
        let last_mark = marks.iter().map(|m| m.1).filter(|&m| m <= e).max().unwrap_or(s);
        if let Some(after) = last_sentence_end(body, s, e)
            && after >= last_mark
            && (after - s) * 2 >= e - s
        {
            e = after;
        }
    }
    if s >= e {
        let text = lead(body, SNIPPET_CHARS);
        let html = escape_html(&text);
        return (text, html);
    }
    let (mut text, mut html) = (String::new(), String::new());
    if !body[..s].trim().is_empty() {
        text.push('…');
        html.push('…');
    }
    let mut at = s;
    for &(ms, me) in marks {
        let (ms, me) = (ms.max(at), me.min(e));
        if ms >= me || !body.is_char_boundary(ms) || !body.is_char_boundary(me) {
            continue;
        }
        html.push_str(&escape_html(&body[at..ms]));
        html.push_str("<mark>");
        html.push_str(&escape_html(&body[ms..me]));
        html.push_str("</mark>");
        at = me;
    }
    html.push_str(&escape_html(&body[at..e]));
    text.push_str(&body[s..e]);
    if !body[e..].trim().is_empty() {
        let sep = if body[..e].ends_with(sentence_end) { " …" } else { "…" };
        text.push_str(sep);
        html.push_str(sep);
    }
    (text, html)
}

/// The first `max` characters of `s`, cut at a character boundary.
pub(crate) fn truncate_chars(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// The start of `text`, at most `max` characters, cut after a whole word
/// (after a sentence when one ends in the second half), with "…" if cut.
pub(crate) fn lead(text: &str, max: usize) -> String {
    let cut = truncate_chars(text, max);
    if cut.len() == text.len() {
        return cut.to_string();
    }
    let mut e = if text[cut.len()..].starts_with(char::is_whitespace) {
        cut.len()
    } else {
        match cut.rfind(char::is_whitespace) {
            Some(i) if i > 0 => i,
            _ => return format!("{cut}…"),
        }
    };
    e = cut[..e].trim_end().len();
    if let Some(after) = last_sentence_end(text, 0, e)
        && after * 2 >= e
    {
        e = after;
    }
    let sep = if text[..e].ends_with(sentence_end) { " …" } else { "…" };
    format!("{}{sep}", &text[..e])
}

/// HTML-escapes `s`.
pub(crate) fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Collapses every run of whitespace to one space.
pub(crate) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_respects_characters() {
        assert_eq!(truncate_chars("héllo", 2), "hé");
        assert_eq!(truncate_chars("🙂🙂🙂", 1), "🙂");
        assert_eq!(lead("one two three", 7), "one two…");
        assert_eq!(lead("one two three", 6), "one…");
        assert_eq!(lead("One two. Three four five", 12), "One two. …");
        assert_eq!(lead("Take 37.5C seriously now", 12), "Take 37.5C…");
        assert_eq!(escape_html("<a & 'b'>"), "&lt;a &amp; &#39;b&#39;&gt;");
    }

    #[test]
    fn windows_end_on_words_and_show_cuts() {
        let body = "Pain lasts for a few days. In most people it goes. Call it straight away.";
        // Cut mid-word at both ends: whole words only, "…" at both cuts.
        let (text, html) = window(body, 2, 60, &[(15, 18)]);
        assert_eq!(text, "…lasts for a few days. In most people it goes. …");
        assert_eq!(html, "…lasts for <mark>a f</mark>ew days. In most people it goes. …");
        // A cut that would lose a marked word keeps whole words instead of a sentence end.
        let (text, _) = window(body, 0, 65, &[(51, 55)]);
        assert_eq!(text, "Pain lasts for a few days. In most people it goes. Call it…");
        // The whole body: nothing cut, no "…".
        let (text, _) = window(body, 0, body.len(), &[]);
        assert_eq!(text, body);
    }
}
