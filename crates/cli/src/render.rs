//! Rendering an assessment as JSON, terminal text or Markdown.
//!
//! Text output groups the nine options by suitability, wraps to the terminal
//! width and uses colour only when stdout is a terminal and `NO_COLOR` is unset.
//! Text and Markdown open with the case as given (every fact the Case holds,
//! contract 8.1 included), so the output can be checked against the record.

use std::fmt::Write;
use std::io::IsTerminal;

use hepatica_engine::{Assessment, Audience, Case, CriterionStatus, OptionAssessment, Suitability};
use hepatica_knowledge::Knowledge;

use crate::Format;

/// Renders an assessment in `format`, ending with a newline.
pub fn assessment(a: &Assessment, format: Format, kb: &Knowledge) -> String {
    match format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(a).expect("assessment serialises");
            s.push('\n');
            s
        }
        Format::Text => text(a, kb, Style::detect()),
        Format::Markdown => markdown(a),
    }
}

/// Renders an assessment with a summary of the case it was made from (text
/// and Markdown; JSON is the contract's Assessment alone).
pub fn assessment_with_case(a: &Assessment, case: &Case, format: Format, kb: &Knowledge) -> String {
    let body = assessment(a, format, kb);
    let facts = case_facts(case, kb);
    if facts.is_empty() {
        return body;
    }
    match format {
        Format::Json => body,
        Format::Text => {
            let st = Style::detect();
            let mut summary = format!("\n{}\n", st.bold("The case as given"));
            for (label, value) in &facts {
                wrap(&mut summary, &format!("{label}: {value}"), "      ", "  - ", st.width);
            }
            insert_after_disclaimer(body, &a.disclaimer, &summary)
        }
        Format::Markdown => {
            let mut summary = String::from("## The case as given\n\n");
            for (label, value) in &facts {
                let _ = writeln!(summary, "- **{label}**: {value}");
            }
            summary.push('\n');
            let marker = format!("> {}\n\n", a.disclaimer);
            match body.find(&marker) {
                Some(i) => format!("{}{summary}{}", &body[..i + marker.len()], &body[i + marker.len()..]),
                None => format!("{summary}{body}"),
            }
        }
    }
}

fn insert_after_disclaimer(body: String, disclaimer: &str, summary: &str) -> String {
    // The disclaimer is wrapped; the first option group starts with a blank line after it.
    let first = disclaimer.split_whitespace().next().unwrap_or_default();
    match body.find(first).and_then(|i| body[i..].find("\n\n").map(|j| i + j + 1)) {
        Some(at) => format!("{}{summary}{}", &body[..at], &body[at..]),
        None => format!("{body}{summary}"),
    }
}

fn yes_no(b: bool) -> String {
    if b { "yes".into() } else { "no".into() }
}

fn num(n: f64) -> String {
    if n.fract() == 0.0 { format!("{n:.0}") } else { format!("{n}") }
}

/// The facts the case gives, labelled, in contract order (nothing for what was left out).
pub fn case_facts(c: &Case, kb: &Knowledge) -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> = Vec::new();
    let mut add = |label: &'static str, v: Option<String>| {
        if let Some(v) = v {
            out.push((label, v));
        }
    };
    add("Primary site", Some(c.primary_site.as_str().replace('_', " ")));
    add("Bowel side", c.bowel_side.map(|b| b.as_str().to_string()));
    add("Age", c.age_years.map(|a| format!("{a} years")));
    add("Performance status (ECOG)", c.performance_status.map(|p| p.to_string()));
    add("Fit for major surgery", c.fit_for_major_surgery.map(yes_no));
    add("Primary tumour removed", c.primary_resected.map(yes_no));
    add(
        "Spread outside the liver",
        c.spread_elsewhere.as_ref().map(|s| {
            if s.is_empty() { "none".to_string() } else { s.iter().map(|x| x.as_str().replace('_', " ")).collect::<Vec<_>>().join(", ") }
        }),
    );
    let l = &c.liver;
    add("Liver tumours", l.tumour_count.map(|n| n.to_string()));
    add("Largest liver tumour", l.largest_tumour_cm.map(|n| format!("{} cm", num(n))));
    add("Both lobes", l.both_lobes.map(yes_no));
    add("Near major vessels or bile ducts", l.near_major_vessels.map(yes_no));
    add("All tumours removable (MDT)", l.all_removable.map(yes_no));
    add("Future liver remnant", l.future_liver_remnant_percent.map(|n| format!("{}%", num(n))));
    add("Liver replaced by tumour", l.percent_liver_replaced.map(|n| format!("{}%", num(n))));
    add("Background liver", l.liver_condition.map(|x| x.as_str().replace('_', " ")));
    let f = &c.liver_function;
    let uln = f.bilirubin_uln_umol_l.unwrap_or(hepatica_engine::LiverFunction::DEFAULT_BILIRUBIN_ULN);
    add(
        "Bilirubin",
        f.bilirubin_umol_l.map(|b| {
            let times = f.bilirubin_times_uln().unwrap_or(b / uln);
            let assumed = if f.bilirubin_uln_umol_l.is_none() { " (taken as 21)" } else { "" };
            format!("{} µmol/L, {times:.1} × the upper limit of normal of {}{assumed}", num(b), num(uln))
        }),
    );
    add("Albumin", f.albumin_g_l.map(|a| format!("{} g/L", num(a))));
    add("Ascites", f.ascites.map(|a| a.as_str().replace('_', " or ")));
    add("Jaundice", f.jaundice.map(yes_no));
    add("Biliary obstruction", f.biliary_obstruction.map(yes_no));
    add("Child-Pugh class", f.child_pugh.map(|x| x.as_str().to_string()));
    let t = &c.treatment_history;
    add("Chemotherapy so far", c.chemotherapy_history.map(|x| x.as_str().to_string()));
    add("Completed lines for metastatic disease", t.lines_of_systemic_therapy.map(|n| n.to_string()));
    add(
        "Previous treatment",
        t.previous
            .as_ref()
            .map(|p| if p.is_empty() { "none".to_string() } else { p.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(", ") }),
    );
    add("Platinum-sensitive", t.platinum_sensitive.map(yes_no));
    add("Castration-resistant", t.castration_resistant.map(yes_no));
    add("Endocrine-resistant", t.endocrine_resistant.map(yes_no));
    add("Months disease controlled on current treatment", c.months_disease_controlled.map(num));
    add("Histology", c.histology.map(|x| x.as_str().replace('_', " ")));
    add("NET origin", c.net_origin.map(|x| x.as_str().replace('_', " ")));
    add("Grade", c.tumour_grade.map(|x| x.as_str().to_string()));
    add("Ki-67", c.ki67_percent.map(|n| format!("{}%", num(n))));
    add("Carcinoid syndrome", c.carcinoid_syndrome.map(yes_no));
    add("Node-positive primary", c.primary_node_positive.map(yes_no));
    add("Disease-free interval", c.disease_free_interval_months.map(|n| format!("{} months", num(n))));
    add("CEA", c.cea_ng_ml.map(|n| format!("{} ng/mL", num(n))));
    let b = &c.biomarkers;
    // Result words from the knowledge base (`labels.toml`, clinician wording); a release without them shows the value.
    let mut markers: Vec<String> = b
        .iter()
        .map(|(k, v)| format!("{} {}", k.as_str(), kb.biomarker_value_label(k.as_str(), v.as_str(), true).unwrap_or(v.as_str())))
        .collect();
    if let Some(ihc) = b.her2_ihc {
        markers.push(format!("HER2 IHC {}", ihc.as_str()));
    }
    if let Some(o) = b.brca_origin {
        markers.push(format!("BRCA {}", o.as_str()));
    }
    for (name, v) in [("PD-L1 CPS", b.pd_l1_cps), ("PD-L1 TPS", b.pd_l1_tps), ("PD-L1 IC", b.pd_l1_ic)] {
        if let Some(v) = v {
            let pct = if name == "PD-L1 CPS" { "" } else { "%" };
            markers.push(format!("{name} {}{pct}", num(v)));
        }
    }
    add("Biomarkers", (!markers.is_empty()).then(|| markers.join(", ")));
    out
}

/// Terminal styling: ANSI sequences or nothing.
#[derive(Clone, Copy)]
pub struct Style {
    colour: bool,
    width: usize,
}

impl Style {
    /// Colour on a terminal without `NO_COLOR`; width from `COLUMNS`, at most 100.
    pub fn detect() -> Style {
        let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        let width = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).unwrap_or(80usize).clamp(40, 100);
        Style { colour, width }
    }

    fn paint(&self, code: &str, s: &str) -> String {
        if self.colour { format!("\x1b[{code}m{s}\x1b[0m") } else { s.to_string() }
    }

    fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }

    fn suitability(&self, s: Suitability) -> String {
        let (code, label) = match s {
            Suitability::Usual => ("1;32", "USUAL"),
            Suitability::Possible => ("1;36", "POSSIBLE"),
            Suitability::Depends => ("1;33", "DEPENDS"),
            Suitability::Unlikely => ("1;90", "UNLIKELY"),
        };
        self.paint(code, label)
    }
}

fn heading_for(s: Suitability) -> &'static str {
    match s {
        Suitability::Usual => "commonly used in this situation",
        Suitability::Possible => "may be an option; the specialist team decides",
        Suitability::Depends => "depends on information not given yet",
        Suitability::Unlikely => "not usually used in this situation",
    }
}

fn wrap(out: &mut String, text: &str, indent: &str, first: &str, width: usize) {
    // Never split a URL or a source id such as "fong-1999" across lines.
    let opts = textwrap::Options::new(width)
        .initial_indent(first)
        .subsequent_indent(indent)
        .break_words(false)
        .word_splitter(textwrap::WordSplitter::NoHyphenation);
    for line in textwrap::wrap(text, opts) {
        out.push_str(&line);
        out.push('\n');
    }
}

fn text(a: &Assessment, kb: &Knowledge, st: Style) -> String {
    let w = st.width;
    let mut out = String::new();
    let title = match &a.case_id {
        Some(id) => format!("Treatment options for secondary cancer in the liver (case {id})"),
        None => "Treatment options for secondary cancer in the liver".to_string(),
    };
    let _ = writeln!(out, "{}", st.bold(&title));
    let _ = writeln!(out, "{}", kb_line(&a.knowledge_base));
    out.push('\n');
    wrap(&mut out, &a.disclaimer, "", "", w);
    for s in Suitability::ALL {
        let group: Vec<&OptionAssessment> = a.options.iter().filter(|o| o.suitability == s).collect();
        if group.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{} {}", st.suitability(s), st.paint("2", &format!("({})", heading_for(s))));
        for o in group {
            option_text(&mut out, o, a.audience, st);
        }
    }
    scores_text(&mut out, a, st);
    if !a.missing_information.is_empty() {
        let _ = writeln!(out, "\n{}", st.bold("What would sharpen this answer"));
        for m in &a.missing_information {
            wrap(&mut out, &format!("{} ({})", m.why, m.pointer), "    ", "  - ", w);
        }
    }
    if !a.input_warnings.is_empty() {
        let _ = writeln!(out, "\n{}", st.bold("Parts of the record that were not used"));
        for iw in &a.input_warnings {
            wrap(&mut out, &format!("{} ({})", iw.detail, iw.pointer), "    ", "  - ", w);
        }
    }
    if !a.support.is_empty() {
        let _ = writeln!(out, "\n{}", st.bold("Support"));
        for s in &a.support {
            wrap(&mut out, &format!("{}: {}", s.name, s.how), "    ", "  - ", w);
        }
    }
    let _ = writeln!(out, "\n{}", st.bold("Sources"));
    for s in &a.sources {
        wrap(&mut out, &format!("[{}] {}. {}, {}. {}", s.id, s.title, s.publisher, s.year, s.url), "    ", "  ", w);
    }
    let _ = kb;
    out
}

fn option_text(out: &mut String, o: &OptionAssessment, audience: Audience, st: Style) {
    let w = st.width;
    let _ = writeln!(out, "\n  {}", st.bold(&o.title));
    wrap(out, &o.summary, "    ", "    ", w);
    if !o.reasons.is_empty() {
        let _ = writeln!(out, "    Why:");
        for r in &o.reasons {
            let evidence = match (&r.evidence, audience) {
                (Some(e), Audience::Clinician) => format!(" (evidence: {})", e.display),
                _ => String::new(),
            };
            wrap(out, &format!("{}{evidence} [{}]", r.text, r.sources.join(", ")), "        ", "      - ", w);
        }
    }
    if !o.depends_on.is_empty() {
        let _ = writeln!(out, "    What would decide it:");
        for d in &o.depends_on {
            wrap(out, d, "        ", "      - ", w);
        }
    }
    let kinds = shown_kinds(o, audience);
    if !kinds.is_empty() {
        wrap(out, &format!("Kinds: {}", kinds.join("; ")), "      ", "    ", w);
    }
    if audience == Audience::Clinician && !o.criteria.is_empty() {
        let _ = writeln!(out, "    Criteria:");
        for c in &o.criteria {
            let mark = match c.status {
                CriterionStatus::Met => st.paint("32", "met    "),
                CriterionStatus::NotMet => st.paint("31", "not met"),
                CriterionStatus::Unknown => st.paint("33", "unknown"),
            };
            wrap(out, &format!("{mark} {} ({})", c.label, c.inputs.join(", ")), "                ", "      ", w);
        }
    }
    if !o.questions_to_ask.is_empty() {
        let _ = writeln!(out, "    Questions to ask your team:");
        for q in &o.questions_to_ask {
            wrap(out, q, "        ", "      - ", w);
        }
    }
}

fn scores_text(out: &mut String, a: &Assessment, st: Style) {
    let s = &a.scores;
    let mut lines = Vec::new();
    if let Some(f) = &s.fong_clinical_risk_score {
        lines.push(format!("Fong clinical risk score: {} ({} risk group)", f.value, f.group));
    }
    if let Some(t) = &s.tumour_burden_score {
        lines.push(format!("Tumour burden score: {:.2} ({})", t.value, t.group));
    }
    if let Some(g) = &s.game_score {
        lines.push(format!("GAME score: {} ({} risk group)", g.value, g.group));
    }
    if let Some(r) = &s.future_liver_remnant {
        let verdict = if r.adequate { "at or above" } else { "below" };
        lines.push(format!("Future liver remnant: {}% ({verdict} the {}% threshold for this liver)", r.value, r.threshold));
    }
    if !lines.is_empty() {
        let _ = writeln!(out, "\n{}", st.bold("Scores"));
        for l in lines {
            let _ = writeln!(out, "  - {l}");
        }
        for e in &a.score_explanations {
            wrap(out, &format!("{} [{}]", e.text, e.sources.join(", ")), "      ", "    ", st.width);
        }
    }
}

fn markdown(a: &Assessment) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Treatment options for secondary cancer in the liver\n");
    if let Some(id) = &a.case_id {
        let _ = writeln!(out, "Case: `{id}`  ");
    }
    let _ = writeln!(out, "{}\n", kb_line(&a.knowledge_base));
    let _ = writeln!(out, "> {}\n", a.disclaimer);
    for s in Suitability::ALL {
        let group: Vec<&OptionAssessment> = a.options.iter().filter(|o| o.suitability == s).collect();
        if group.is_empty() {
            continue;
        }
        let _ = writeln!(out, "## {} ({})\n", capitalise(s.as_str()), heading_for(s));
        for o in group {
            let _ = writeln!(out, "### {}\n\n{}\n", o.title, o.summary);
            if !o.reasons.is_empty() {
                let _ = writeln!(out, "**Why**\n");
                for r in &o.reasons {
                    let cites: Vec<String> = r.sources.iter().map(|s| format!("[{s}]")).collect();
                    let evidence = match (&r.evidence, a.audience) {
                        (Some(e), Audience::Clinician) => format!(" *Evidence: {}.*", e.display),
                        _ => String::new(),
                    };
                    let _ = writeln!(out, "- {}{evidence} {}", r.text, cites.join(" "));
                }
                out.push('\n');
            }
            if !o.depends_on.is_empty() {
                let _ = writeln!(out, "**What would decide it**\n");
                for d in &o.depends_on {
                    let _ = writeln!(out, "- {d}");
                }
                out.push('\n');
            }
            let kinds = shown_kinds(o, a.audience);
            if !kinds.is_empty() {
                let _ = writeln!(out, "**Kinds:** {}\n", kinds.join("; "));
            }
            if a.audience == Audience::Clinician && !o.criteria.is_empty() {
                let _ = writeln!(out, "| Criterion | Status | Inputs |\n|---|---|---|");
                for c in &o.criteria {
                    let status = match c.status {
                        CriterionStatus::Met => "met",
                        CriterionStatus::NotMet => "not met",
                        CriterionStatus::Unknown => "unknown",
                    };
                    let _ = writeln!(out, "| {} | {status} | {} |", c.label, c.inputs.join(", "));
                }
                out.push('\n');
            }
            if !o.questions_to_ask.is_empty() {
                let _ = writeln!(out, "**Questions to ask your team**\n");
                for q in &o.questions_to_ask {
                    let _ = writeln!(out, "- {q}");
                }
                out.push('\n');
            }
        }
    }
    if !a.score_explanations.is_empty() {
        let _ = writeln!(out, "## Scores\n");
        for e in &a.score_explanations {
            let value = match e.score.as_str() {
                "fong_clinical_risk_score" => a.scores.fong_clinical_risk_score.as_ref().map(|s| format!("{} ({})", s.value, s.group)),
                "tumour_burden_score" => a.scores.tumour_burden_score.as_ref().map(|s| format!("{:.2} ({})", s.value, s.group)),
                "game_score" => a.scores.game_score.as_ref().map(|s| format!("{} ({})", s.value, s.group)),
                _ => a.scores.future_liver_remnant.as_ref().map(|s| format!("{}% (threshold {}%)", s.value, s.threshold)),
            };
            let _ = writeln!(out, "- `{}` {}: {} [{}]", e.score, value.unwrap_or_default(), e.text, e.sources.join("] ["));
        }
        out.push('\n');
    }
    if !a.missing_information.is_empty() {
        let _ = writeln!(out, "## What would sharpen this answer\n");
        for m in &a.missing_information {
            let _ = writeln!(out, "- {} (`{}`)", m.why, m.pointer);
        }
        out.push('\n');
    }
    if !a.input_warnings.is_empty() {
        let _ = writeln!(out, "## Parts of the record that were not used\n");
        for iw in &a.input_warnings {
            let _ = writeln!(out, "- {} (`{}`)", iw.detail, iw.pointer);
        }
        out.push('\n');
    }
    if !a.support.is_empty() {
        let _ = writeln!(out, "## Support\n");
        for s in &a.support {
            let _ = writeln!(out, "- **{}**: {}", s.name, s.how);
        }
        out.push('\n');
    }
    let _ = writeln!(out, "## Sources\n");
    for s in &a.sources {
        let _ = writeln!(out, "- [{}] {}. {}, {}. <{}>", s.id, s.title, s.publisher, s.year, s.url);
    }
    out
}

/// Kinds to show: all for clinicians; for patients only those that may apply
/// (a breast-cancer reader need not see prostate hormone therapy as "unlikely").
fn shown_kinds(o: &OptionAssessment, audience: Audience) -> Vec<String> {
    o.kinds
        .iter()
        .filter(|k| audience == Audience::Clinician || k.suitability != Suitability::Unlikely)
        .map(|k| format!("{} ({})", k.title, k.suitability.as_str()))
        .collect()
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// The knowledge-base stamp line of text and markdown output: version,
/// publication date, the content hash (first 12 hex digits), and, when they
/// apply, the newer release and the draft warning.
fn kb_line(kb: &hepatica_engine::KbStamp) -> String {
    let short: String = kb.content_hash.chars().take(12).collect();
    let mut line = format!("Knowledge base {} (published {}, content hash {short})", kb.version, kb.published);
    if let Some(newer) = &kb.superseded_by {
        line.push_str(&format!("; superseded by {newer}"));
    }
    if kb.draft {
        line.push_str("; draft: not the released content of this version");
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_case_summary_names_the_new_facts() {
        let case = hepatica_engine::case_from_json(
            br#"{"primary_site":"breast","treatment_history":{"lines_of_systemic_therapy":2,"previous":["cdk4_6_inhibitor","endocrine"],"endocrine_resistant":true},
                "liver_function":{"bilirubin_umol_l":42,"jaundice":true,"ascites":"mild","child_pugh":"B"},"liver":{"percent_liver_replaced":55},
                "histology":"lobular","biomarkers":{"HER2":"low","HER2_IHC":"1+","BRCA":"present","BRCA_origin":"germline"},"age_years":70}"#,
        )
        .unwrap();
        let kb = Knowledge::embedded();
        let a = hepatica_engine::assess(kb, &case, Audience::Clinician);
        let text = assessment_with_case(&a, &case, Format::Text, kb);
        for want in [
            "The case as given",
            "Completed lines for metastatic disease: 2",
            "Previous treatment: cdk4_6_inhibitor, endocrine",
            "Endocrine-resistant: yes",
            "Bilirubin: 42 µmol/L, 2.0 × the upper limit of normal of 21 (taken as 21)",
            "Jaundice: yes",
            "Ascites: mild",
            "Child-Pugh class: B",
            "Liver replaced by tumour: 55%",
            "Histology: lobular",
            "HER2 IHC 1+",
            // Result words from content/labels.toml (clinician wording), not the wire values.
            "HER2 low",
            "BRCA detected",
            "BRCA germline",
            "Age: 70 years",
        ] {
            assert!(text.contains(want), "{want} missing from\n{text}");
        }
        assert!(!text.contains("BRCA present"), "wire value shown:\n{text}");
        // The summary comes before the options.
        assert!(text.find("The case as given") < text.find("Chemotherapy"));
        let md = assessment_with_case(&a, &case, Format::Markdown, kb);
        assert!(md.contains("## The case as given") && md.contains("- **Child-Pugh class**: B"), "{md}");
        // JSON stays the contract's Assessment.
        let json = assessment_with_case(&a, &case, Format::Json, kb);
        assert!(!json.contains("The case as given"));
    }
}
