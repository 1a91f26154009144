//! Snippets: the extract shown under each result, plain and as HTML.
//!
//! tantivy's [`SnippetGenerator`] picks the part of the body with the most
//! matched words and marks them; when nothing matched in the body (the match
//! was in a title or keyword), the start of the body is shown instead. The HTML
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
    let mut snippet = generator.snippet(body);
    if snippet.fragment().is_empty() {
        let start = lead(body, SNIPPET_CHARS);
        let html = escape_html(&start);
        (start, html)
    } else {
        snippet.set_snippet_prefix_postfix("<mark>", "</mark>");
        (snippet.fragment().to_string(), snippet.to_html())
    }
}

/// The first `max` characters of `s`, cut at a character boundary.
pub(crate) fn truncate_chars(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// The start of `text`, at most `max` characters, cut after a whole word.
pub(crate) fn lead(text: &str, max: usize) -> String {
    let cut = truncate_chars(text, max);
    if cut.len() == text.len() {
        return cut.to_string();
    }
    match cut.rfind(' ') {
        Some(i) if i > 0 => format!("{}…", &cut[..i]),
        _ => format!("{cut}…"),
    }
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
        assert_eq!(lead("one two three", 7), "one…");
        assert_eq!(escape_html("<a & 'b'>"), "&lt;a &amp; &#39;b&#39;&gt;");
    }
}
