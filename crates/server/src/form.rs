//! The questionnaire's questions, and turning a posted form into a Case.
//!
//! Form field names are the contract's Case field names, nested ones with a
//! dot (`liver.tumour_count`, `biomarkers.KRAS`). An empty value means "I don't
//! know" and leaves the field out of the Case. Numbers are parsed here; every
//! other check is the engine's own (`case_from_value`), whose JSON-pointer
//! errors are mapped back to the form field they came from, so the form and
//! the API can never disagree about what is valid.
//!
//! Nothing here stores or logs what was submitted.

use hepatica_engine::{Biomarker, BiomarkerValue, Case, FieldError, case_from_value};
use serde_json::{Map, Number, Value};

/// How a question is answered.
#[derive(Debug, Clone, Copy)]
pub enum Input {
    /// One of several values (radio buttons, or a select on the clinician form).
    Choice(&'static [(&'static str, &'static str)]),
    /// Yes / No / I don't know.
    YesNo,
    /// A whole number.
    Whole,
    /// A number with decimals allowed.
    Decimal,
    /// The spread-elsewhere checkboxes.
    Spread,
    /// One biomarker result.
    Biomarker(Biomarker),
    /// Free text (the clinician form's case id).
    Text,
}

/// One question on the forms.
#[derive(Debug, Clone, Copy)]
pub struct Question {
    /// Form field name = Case field name (`liver.tumour_count`).
    pub name: &'static str,
    /// The question as patients and carers see it.
    pub patient: &'static str,
    /// Short clinical label.
    pub clinician: &'static str,
    /// Plain help text under the question ("" for none).
    pub help: &'static str,
    /// How it is answered.
    pub input: Input,
    /// What to do when the answer is not valid (patient wording).
    pub fix: &'static str,
}

impl Question {
    /// The JSON pointer of the Case field.
    pub fn pointer(&self) -> String {
        format!("/{}", self.name.replace('.', "/"))
    }

    /// The HTML id of the question's first input (error links point here).
    pub fn input_id(&self) -> String {
        match self.input {
            Input::Choice(c) => choice_id(self.name, c.first().map(|x| x.0).unwrap_or("")),
            Input::YesNo => choice_id(self.name, "true"),
            Input::Spread => choice_id(self.name, "lung"),
            _ => field_id(self.name),
        }
    }
}

/// The id of a text input or select.
pub fn field_id(name: &str) -> String {
    format!("f-{}", name.replace(['.', '_'], "-").to_lowercase())
}

/// The id of one radio button or checkbox.
pub fn choice_id(name: &str, value: &str) -> String {
    let v = if value.is_empty() { "unknown" } else { value };
    format!("{}-{}", field_id(name), v.replace('_', "-").to_lowercase())
}

/// Primary sites with patient wording, in contract order.
pub const PRIMARY_SITES: &[(&str, &str)] = &[
    ("bowel", "Bowel (colon or rectum)"),
    ("breast", "Breast"),
    ("prostate", "Prostate"),
    ("lung", "Lung"),
    ("melanoma", "Melanoma of the skin"),
    ("uveal_melanoma", "Melanoma of the eye (uveal melanoma)"),
    ("neuroendocrine", "Neuroendocrine tumour (NET)"),
    ("pancreas", "Pancreas"),
    ("stomach", "Stomach"),
    ("oesophagus", "Oesophagus (food pipe)"),
    ("kidney", "Kidney"),
    ("ovary", "Ovary"),
    ("womb", "Womb (uterus)"),
    ("gist", "GIST (gastrointestinal stromal tumour)"),
    ("unknown", "Not found: doctors could not tell where it started (unknown primary)"),
    ("other", "Somewhere else"),
];

const BOWEL_SIDE: &[(&str, &str)] =
    &[("left", "Left side (including the rectum and sigmoid colon)"), ("right", "Right side (the first part of the colon)")];

const LIVER_CONDITION: &[(&str, &str)] = &[
    ("normal", "Healthy: no other liver problems"),
    ("chemotherapy_injured", "Some damage from earlier chemotherapy"),
    ("cirrhosis", "Scarring of the liver (cirrhosis)"),
];

const PERFORMANCE: &[(&str, &str)] = &[
    ("0", "0: fully active, can do everything as before the illness"),
    ("1", "1: cannot do heavy physical work, but can walk and do light work such as housework or office work"),
    ("2", "2: up and about more than half the day and can look after themselves, but cannot work"),
    ("3", "3: in a bed or chair for more than half the day; needs some help with personal care"),
    ("4", "4: in a bed or chair all the time and needs help with all personal care"),
];

const CHEMO: &[(&str, &str)] = &[
    ("none", "No chemotherapy yet"),
    ("responding", "Had chemotherapy and the cancer shrank"),
    ("stable", "Had chemotherapy and the cancer stayed the same"),
    ("refractory", "The cancer grew despite chemotherapy"),
    ("intolerant", "Had to stop chemotherapy because of side effects"),
];

/// Places outside the liver, patient wording.
pub const SPREAD: &[(&str, &str)] = &[
    ("lung", "Lungs"),
    ("bone", "Bones"),
    ("brain", "Brain"),
    ("lymph_nodes", "Lymph nodes (glands) outside the liver"),
    ("peritoneum", "Lining of the tummy (peritoneum)"),
    ("adrenal", "Adrenal glands"),
    ("other", "Somewhere else"),
];

/// Every non-biomarker question, in form order.
pub const QUESTIONS: &[Question] = &[
    Question {
        name: "id",
        patient: "Case reference",
        clinician: "Case reference (echoed as case_id; do not enter identifiable data)",
        help: "",
        input: Input::Text,
        fix: "Enter a reference of at most 256 characters.",
    },
    Question {
        name: "primary_site",
        patient: "Where did the cancer first start?",
        clinician: "Primary site",
        help: "This is the one question we need. Cancer that spreads to the liver is treated according to where it started. If you are not sure, ask your care team.",
        input: Input::Choice(PRIMARY_SITES),
        fix: "Choose where the cancer first started. If doctors could not find where it started, choose \u{201c}Not found\u{201d}.",
    },
    Question {
        name: "bowel_side",
        patient: "For bowel cancer: which side of the bowel did it start in?",
        clinician: "Bowel side (bowel only)",
        help: "The left side includes the rectum. Only answer this for bowel cancer.",
        input: Input::Choice(BOWEL_SIDE),
        fix: "Choose left or right, or \u{201c}I don't know\u{201d}.",
    },
    Question {
        name: "liver.tumour_count",
        patient: "How many tumours are in the liver?",
        clinician: "Liver tumour count (1\u{2013}100)",
        help: "Your scan report or your team can tell you. Leave it blank if you don't know.",
        input: Input::Whole,
        fix: "Enter the number of tumours as a whole number from 1 to 100, or leave it blank.",
    },
    Question {
        name: "liver.largest_tumour_cm",
        patient: "How big is the largest tumour, in centimetres?",
        clinician: "Largest tumour (cm, >0 to 30)",
        help: "For example 2.5. A 1 cm tumour is about the size of a pea. Leave it blank if you don't know.",
        input: Input::Decimal,
        fix: "Enter the size in centimetres as a number more than 0 and at most 30, for example 2.5, or leave it blank.",
    },
    Question {
        name: "liver.both_lobes",
        patient: "Are there tumours on both sides of the liver?",
        clinician: "Both lobes involved",
        help: "The liver has a right half and a left half (lobes). \u{201c}Both sides\u{201d} means there are tumours in each half.",
        input: Input::YesNo,
        fix: "Choose yes, no or \u{201c}I don't know\u{201d}.",
    },
    Question {
        name: "liver.near_major_vessels",
        patient: "Are any tumours close to a large blood vessel or bile duct?",
        clinician: "Near major vessels or bile ducts",
        help: "Your scan report may mention this. It can make surgery or some kinds of ablation harder.",
        input: Input::YesNo,
        fix: "Choose yes, no or \u{201c}I don't know\u{201d}.",
    },
    Question {
        name: "liver.all_removable",
        patient: "Has the specialist team said all the liver tumours could be removed?",
        clinician: "All tumours resectable (MDT view)",
        help: "Only answer yes or no if a liver specialist team has said so.",
        input: Input::YesNo,
        fix: "Choose yes, no or \u{201c}I don't know\u{201d}.",
    },
    Question {
        name: "liver.future_liver_remnant_percent",
        patient: "What percentage of the liver would be left after surgery?",
        clinician: "Future liver remnant (%)",
        help: "Surgeons work this out from scans before an operation. Most people will not know it. Leave it blank if you don't know.",
        input: Input::Decimal,
        fix: "Enter a percentage from 0 to 100, or leave it blank.",
    },
    Question {
        name: "liver.liver_condition",
        patient: "Apart from the tumours, how healthy is the rest of the liver?",
        clinician: "Background liver",
        help: "",
        input: Input::Choice(LIVER_CONDITION),
        fix: "Choose one answer, or \u{201c}I don't know\u{201d}.",
    },
    Question {
        name: "spread_elsewhere",
        patient: "Has the cancer spread anywhere else outside the liver?",
        clinician: "Extrahepatic disease",
        help: "Tick all that apply. Or choose \u{201c}Only in the liver\u{201d}, or \u{201c}I don't know\u{201d}.",
        input: Input::Spread,
        fix: "Tick the places the cancer has spread to, or \u{201c}Only in the liver\u{201d}, or \u{201c}I don't know\u{201d}, but not a mix.",
    },
    Question {
        name: "performance_status",
        patient: "Which best describes daily life at the moment?",
        clinician: "ECOG / WHO performance status",
        help: "Doctors call this \u{201c}performance status\u{201d}. It helps them judge which treatments the body can cope with.",
        input: Input::Choice(PERFORMANCE),
        fix: "Choose the description that fits best, or \u{201c}I don't know\u{201d}.",
    },
    Question {
        name: "fit_for_major_surgery",
        patient: "Has the team said they are fit enough for a major operation?",
        clinician: "Fit for major surgery",
        help: "",
        input: Input::YesNo,
        fix: "Choose yes, no or \u{201c}I don't know\u{201d}.",
    },
    Question {
        name: "chemotherapy_history",
        patient: "What has happened with chemotherapy so far?",
        clinician: "Chemotherapy history",
        help: "",
        input: Input::Choice(CHEMO),
        fix: "Choose one answer, or \u{201c}I don't know\u{201d}.",
    },
    Question {
        name: "primary_node_positive",
        patient: "When the cancer was first found, had it spread to nearby lymph nodes?",
        clinician: "Node-positive primary",
        help: "Lymph nodes are small glands. This is usually in the report from the first operation.",
        input: Input::YesNo,
        fix: "Choose yes, no or \u{201c}I don't know\u{201d}.",
    },
    Question {
        name: "disease_free_interval_months",
        patient: "How many months passed between the first diagnosis and finding cancer in the liver?",
        clinician: "Disease-free interval (months)",
        help: "Enter 0 if they were found at the same time. Leave it blank if you don't know.",
        input: Input::Decimal,
        fix: "Enter a number of months, 0 or more, or leave it blank.",
    },
    Question {
        name: "cea_ng_ml",
        patient: "What was the latest CEA blood test result (ng/mL)?",
        clinician: "CEA (ng/mL)",
        help: "CEA is a blood test used mostly in bowel cancer. Leave it blank if you don't know.",
        input: Input::Decimal,
        fix: "Enter the CEA level as a number, 0 or more, or leave it blank.",
    },
];

/// The patient form's steps: title, short intro, question names.
pub const STEPS: &[(&str, &str, &[&str])] = &[
    ("Where the cancer started", "", &["primary_site", "bowel_side"]),
    (
        "The liver",
        "These answers usually come from scans. Skip anything you don't know.",
        &[
            "liver.tumour_count",
            "liver.largest_tumour_cm",
            "liver.both_lobes",
            "liver.near_major_vessels",
            "liver.all_removable",
            "liver.liver_condition",
            "liver.future_liver_remnant_percent",
        ],
    ),
    ("Other parts of the body", "", &["spread_elsewhere"]),
    ("Health and treatment so far", "", &["performance_status", "fit_for_major_surgery", "chemotherapy_history"]),
    (
        "Test results",
        "Your team may have tested the cancer for changes in certain genes or proteins (biomarkers). These tests can open up some medicines. Skip this if you don't know.",
        &["primary_node_positive", "disease_free_interval_months", "cea_ng_ml"],
    ),
];

/// Biomarker groups on the patient form (each biomarker appears once).
pub const BIOMARKER_GROUPS: &[(&str, &[Biomarker])] = {
    use Biomarker::*;
    &[
        ("Tests often done for bowel cancer", &[Kras, Nras, BrafV600, Msi]),
        ("Tests often done for breast cancer", &[Er, Pr, Her2, Pik3ca, Esr1, Brca]),
        ("Tests often done for lung cancer", &[Egfr, Alk, Ros1, Ret, MetEx14, PdL1]),
        ("Other tests", &[Ntrk, Hrr, Kit, Pdgfra, HlaA0201, Sstr, Psma]),
    ]
};

/// The question for a form field name (biomarkers included).
pub fn question(name: &str) -> Option<Question> {
    if let Some(key) = name.strip_prefix("biomarkers.") {
        return Biomarker::parse(key).map(biomarker_question);
    }
    QUESTIONS.iter().find(|q| q.name == name).copied()
}

/// The question for one biomarker.
pub fn biomarker_question(b: Biomarker) -> Question {
    let (name, patient, help) = biomarker_words(b);
    Question {
        name,
        patient,
        clinician: patient,
        help,
        input: Input::Biomarker(b),
        fix: "Choose a result from the list, or \u{201c}Not known\u{201d}.",
    }
}

fn biomarker_words(b: Biomarker) -> (&'static str, &'static str, &'static str) {
    use Biomarker::*;
    match b {
        Kras => ("biomarkers.KRAS", "KRAS gene", ""),
        Nras => ("biomarkers.NRAS", "NRAS gene", ""),
        BrafV600 => ("biomarkers.BRAF_V600", "BRAF V600 change", ""),
        Msi => ("biomarkers.MSI", "MSI or MMR (mismatch repair)", "MSI-high is also called dMMR."),
        Her2 => ("biomarkers.HER2", "HER2", "Also tested in bowel and stomach cancer."),
        Er => ("biomarkers.ER", "Oestrogen receptor (ER)", ""),
        Pr => ("biomarkers.PR", "Progesterone receptor (PR)", ""),
        Ntrk => ("biomarkers.NTRK", "NTRK gene fusion", ""),
        Egfr => ("biomarkers.EGFR", "EGFR gene change", ""),
        Alk => ("biomarkers.ALK", "ALK gene change", ""),
        Ros1 => ("biomarkers.ROS1", "ROS1 gene change", ""),
        Ret => ("biomarkers.RET", "RET gene change", ""),
        MetEx14 => ("biomarkers.MET_EX14", "MET exon 14 change", ""),
        Brca => ("biomarkers.BRCA", "BRCA1 or BRCA2 gene change", ""),
        Hrr => ("biomarkers.HRR", "HRR gene change (homologous recombination repair)", ""),
        Pik3ca => ("biomarkers.PIK3CA", "PIK3CA gene change", ""),
        Esr1 => ("biomarkers.ESR1", "ESR1 gene change", ""),
        Kit => ("biomarkers.KIT", "KIT gene change", ""),
        Pdgfra => ("biomarkers.PDGFRA", "PDGFRA gene change", ""),
        HlaA0201 => ("biomarkers.HLA_A0201", "HLA-A*02:01 tissue type", "Used for some treatments of melanoma of the eye."),
        Sstr => ("biomarkers.SSTR", "Somatostatin receptors on a scan (SSTR)", "Used for neuroendocrine tumours."),
        Psma => ("biomarkers.PSMA", "PSMA on a scan", "Used for prostate cancer."),
        PdL1 => ("biomarkers.PD_L1", "PD-L1 level", ""),
        Hrd => ("biomarkers.HRD", "HRD (homologous recombination deficiency)", "Used for ovarian cancer."),
        TmbHigh => ("biomarkers.TMB_HIGH", "High tumour mutational burden (TMB-high)", ""),
        PdgfraD842v => ("biomarkers.PDGFRA_D842V", "PDGFRA D842V change", "Used for GIST."),
        Cldn182 => ("biomarkers.CLDN18_2", "Claudin 18.2", "Used for stomach and food pipe cancer."),
        FrAlpha => ("biomarkers.FR_ALPHA", "Folate receptor alpha (FR-alpha)", "Used for ovarian cancer."),
    }
}

/// Patient words for a biomarker value.
pub fn biomarker_value_label(b: Biomarker, v: BiomarkerValue) -> &'static str {
    use BiomarkerValue::*;
    match (b, v) {
        (_, WildType) => "Normal (wild type)",
        (_, Mutant) => "Changed (mutant)",
        (_, G12c) => "G12C change",
        (_, Present) => "Found",
        (_, Absent) => "Not found",
        (Biomarker::PdL1, High) => "High (50% or more)",
        (_, High) => "MSI-high or dMMR",
        (_, Stable) => "Stable (MSS or pMMR)",
        (Biomarker::PdL1, Positive) => "Positive (1 to 49%)",
        (_, Positive) => "Positive",
        (_, Low) => "HER2-low",
        (_, Ultralow) => "HER2-ultralow",
        (_, Negative) => "Negative",
    }
}

/// A problem with one answer, ready to show next to its field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormProblem {
    /// Form field name, or "" for a problem with the form as a whole.
    pub field: String,
    /// What to do about it.
    pub message: String,
    /// The field was sent more than once.
    pub duplicate: bool,
}

impl FormProblem {
    /// A problem with `field`.
    pub fn new(field: &str, message: &str) -> FormProblem {
        FormProblem { field: field.into(), message: message.into(), duplicate: false }
    }

    /// `field` was sent more than once.
    pub fn duplicate(field: &str) -> FormProblem {
        let known = field == "for" || question(field).is_some();
        let label = match question(field) {
            Some(q) => format!("\u{201c}{}\u{201d}", q.patient.trim_end_matches('?')),
            None if field == "for" => "\u{201c}Who is this for\u{201d}".to_string(),
            None => format!("the field {field}"),
        };
        FormProblem {
            field: if known && field != "for" { field.into() } else { String::new() },
            message: format!("The answer to {label} ({field}) was sent more than once. Give one answer."),
            duplicate: true,
        }
    }
}

/// The submitted answers, kept to fill the form in again.
#[derive(Debug, Clone, Default)]
pub struct Answers {
    pairs: Vec<(String, String)>,
}

impl Answers {
    /// Wraps posted pairs.
    pub fn new(pairs: Vec<(String, String)>) -> Answers {
        Answers { pairs }
    }

    /// Every non-empty value given for `name`.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.pairs.iter().filter(|(k, v)| k == name && !v.trim().is_empty()).map(|(_, v)| v.trim()).collect()
    }

    /// The first non-empty value for `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.all(name).into_iter().next()
    }

    /// Whether the person is asking for someone they care for (`for=carer`).
    pub fn carer(&self) -> bool {
        self.get("for") == Some("carer")
    }

    /// The raw pairs.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }
}

/// Who the wording of problems is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wording {
    /// Plain words with what to do.
    Patient,
    /// The engine's precise detail.
    Clinician,
}

/// Turns the answers into Case JSON, noting numbers that are not numbers.
pub fn to_json(answers: &Answers) -> (Value, Vec<FormProblem>) {
    let mut root = Map::new();
    let mut problems = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for (name, _) in answers.pairs() {
        let name = name.as_str();
        if name.starts_with('_') || name.is_empty() {
            continue;
        }
        if seen.contains(&name) {
            // A field sent twice is an error rather than "first wins": the two
            // answers may disagree, and guessing which one was meant is not ours to do.
            // Only the spread-elsewhere checkboxes may repeat.
            if name != "spread_elsewhere" && !problems.iter().any(|p: &FormProblem| p.field == name && p.duplicate) {
                problems.push(FormProblem::duplicate(name));
            }
            continue;
        }
        seen.push(name);
        if name == "for" {
            continue;
        }
        if name == "spread_elsewhere" {
            match spread(&answers.all(name)) {
                Ok(Some(v)) => {
                    root.insert(name.into(), v);
                }
                Ok(None) => {}
                Err(()) => problems.push(FormProblem::new(name, question("spread_elsewhere").map(|q| q.fix).unwrap_or_default())),
            }
            continue;
        }
        let Some(raw) = answers.get(name) else { continue };
        let q = question(name);
        let value = match q.map(|q| q.input) {
            Some(Input::Whole) | Some(Input::Decimal) => match number(raw) {
                Ok(n) => n,
                Err(e) => {
                    let fix = q.map(|q| q.fix).unwrap_or_default();
                    let message = match e {
                        NumberError::Comma => format!("{fix} Write a decimal with a full stop (2.5), and thousands as 1200 or 1,200."),
                        NumberError::NotANumber => fix.to_string(),
                    };
                    problems.push(FormProblem::new(name, &message));
                    continue;
                }
            },
            Some(Input::YesNo) => match raw {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                other => Value::String(other.into()),
            },
            Some(Input::Choice(_)) if name == "performance_status" => number(raw).unwrap_or_else(|_| Value::String(raw.into())),
            _ => Value::String(raw.into()),
        };
        match name.split_once('.') {
            Some((outer, inner)) => {
                let slot = root.entry(outer.to_string()).or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(m) = slot {
                    m.insert(inner.to_string(), value);
                }
            }
            None => {
                root.insert(name.into(), value);
            }
        }
    }
    (Value::Object(root), problems)
}

fn spread(values: &[&str]) -> Result<Option<Value>, ()> {
    let none = values.contains(&"none");
    let unknown = values.contains(&"unknown");
    let places: Vec<Value> = values.iter().filter(|v| **v != "none" && **v != "unknown").map(|v| Value::String(v.to_string())).collect();
    match (none, unknown, places.is_empty()) {
        (false, false, true) | (false, true, true) => Ok(None),
        (true, false, true) => Ok(Some(Value::Array(vec![]))),
        (false, false, false) => Ok(Some(Value::Array(places))),
        _ => Err(()),
    }
}

/// Why a typed number was not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberError {
    /// A comma that is not a thousands separator (`2,5`, `1,20`): it could
    /// mean a decimal point or a typo, so it is refused rather than guessed.
    Comma,
    /// Not a plain number at all.
    NotANumber,
}

/// Reads a typed number: digits, at most one full stop, an optional leading
/// minus, thousands separated by commas in groups of three (`1,200` is 1200,
/// never 1.2), and an optional `%` or `cm` after it. Anything else is refused.
pub fn number(raw: &str) -> Result<Value, NumberError> {
    let s = raw.trim().trim_end_matches('%').trim_end_matches("cm").trim();
    let (sign, body) = match s.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", s),
    };
    let (whole, frac) = match body.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (body, None),
    };
    if frac.is_some_and(|f| f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit())) {
        return Err(if body.contains(',') { NumberError::Comma } else { NumberError::NotANumber });
    }
    let digits = if whole.contains(',') {
        let groups: Vec<&str> = whole.split(',').collect();
        let first_ok = (1..=3).contains(&groups[0].len());
        let rest_ok = groups[1..].iter().all(|g| g.len() == 3);
        if !first_ok || !rest_ok || !groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit())) {
            return Err(if groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit())) {
                NumberError::Comma
            } else {
                NumberError::NotANumber
            });
        }
        groups.concat()
    } else {
        whole.to_string()
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(NumberError::NotANumber);
    }
    let text = match frac {
        Some(f) => format!("{sign}{digits}.{f}"),
        None => format!("{sign}{digits}"),
    };
    let n: f64 = text.parse().map_err(|_| NumberError::NotANumber)?;
    if !n.is_finite() {
        return Err(NumberError::NotANumber);
    }
    if n.fract() == 0.0 && n.abs() < 1e15 {
        Ok(Value::Number(Number::from(n as i64)))
    } else {
        Number::from_f64(n).map(Value::Number).ok_or(NumberError::NotANumber)
    }
}

/// Parses the answers into a Case, or every problem, in form order.
pub fn to_case(answers: &Answers, wording: Wording) -> Result<Case, Vec<FormProblem>> {
    let (json, mut problems) = to_json(answers);
    let result = case_from_value(&json);
    if let Err(errors) = &result {
        problems.extend(errors.iter().map(|e| from_field_error(e, wording)));
    }
    if problems.is_empty() {
        return result.map_err(|_| Vec::new());
    }
    problems.sort_by_key(|p| order(&p.field));
    problems.dedup_by(|a, b| a.field == b.field && !a.field.is_empty());
    Err(problems)
}

/// The form field a JSON pointer names ("" when it names no question).
pub fn field_for_pointer(pointer: &str) -> String {
    let parts: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
    let name = match parts.as_slice() {
        ["spread_elsewhere", ..] => "spread_elsewhere".to_string(),
        [a, b, ..] if *a == "liver" || *a == "biomarkers" => format!("{a}.{b}"),
        [a] => a.to_string(),
        _ => String::new(),
    };
    if question(&name).is_some() { name } else { String::new() }
}

fn from_field_error(e: &FieldError, wording: Wording) -> FormProblem {
    let field = field_for_pointer(&e.pointer);
    let message = match (question(&field), wording) {
        // Primary liver cancer is out of scope: say so plainly rather than "choose again".
        (Some(_), Wording::Patient) if field == "primary_site" && e.detail.contains("out of scope") => {
            "Hepatica is for cancer that started somewhere else and spread to the liver. It does not cover cancer that started in the liver (primary liver cancer). Your care team or a support line can help with that.".to_string()
        }
        (Some(q), Wording::Patient) if !field.is_empty() => q.fix.to_string(),
        (Some(q), Wording::Clinician) if !field.is_empty() => format!("{}: {}", q.clinician, e.detail),
        _ => e.to_string(),
    };
    FormProblem { field, message, duplicate: false }
}

fn order(field: &str) -> usize {
    if field.is_empty() {
        return 0;
    }
    if let Some(key) = field.strip_prefix("biomarkers.") {
        return 1000 + Biomarker::ALL.iter().position(|b| b.as_str() == key).unwrap_or(99);
    }
    1 + QUESTIONS.iter().position(|q| q.name == field).unwrap_or(999)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(pairs: &[(&str, &str)]) -> Answers {
        Answers::new(pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect())
    }

    #[test]
    fn empty_means_unknown_and_nesting_works() {
        let a = answers(&[
            ("for", "carer"),
            ("primary_site", "bowel"),
            ("bowel_side", ""),
            ("liver.tumour_count", "3"),
            ("liver.largest_tumour_cm", "2.5"),
            ("liver.both_lobes", "true"),
            ("biomarkers.KRAS", "wild_type"),
            ("biomarkers.NRAS", ""),
            ("spread_elsewhere", "none"),
            ("performance_status", "1"),
        ]);
        assert!(a.carer());
        let case = to_case(&a, Wording::Patient).unwrap();
        assert_eq!(case.liver.tumour_count, Some(3));
        assert_eq!(case.liver.largest_tumour_cm, Some(2.5));
        assert_eq!(case.liver.both_lobes, Some(true));
        assert_eq!(case.bowel_side, None);
        assert_eq!(case.spread_elsewhere, Some(vec![]));
        assert_eq!(case.performance_status, Some(1));
        assert_eq!(case.biomarkers.len(), 1);
    }

    #[test]
    fn problems_name_their_fields_in_form_order() {
        let a = answers(&[
            ("liver.tumour_count", "lots"),
            ("liver.largest_tumour_cm", "45"),
            ("spread_elsewhere", "none"),
            ("spread_elsewhere", "lung"),
        ]);
        let p = to_case(&a, Wording::Patient).unwrap_err();
        let fields: Vec<&str> = p.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["primary_site", "liver.tumour_count", "liver.largest_tumour_cm", "spread_elsewhere"]);
    }

    #[test]
    fn numbers_are_never_guessed() {
        let n = |s: &str| number(s).map(|v| v.as_f64().unwrap());
        assert_eq!(n("1,200"), Ok(1200.0));
        assert_eq!(n("12,000,000"), Ok(12_000_000.0));
        assert_eq!(n("1,200.5"), Ok(1200.5));
        assert_eq!(n(" 2.5 cm"), Ok(2.5));
        assert_eq!(n("45%"), Ok(45.0));
        assert_eq!(n("-1"), Ok(-1.0));
        assert_eq!(n("2,5"), Err(NumberError::Comma));
        assert_eq!(n("1,20"), Err(NumberError::Comma));
        assert_eq!(n("1,2000"), Err(NumberError::Comma));
        for bad in ["lots", "1e5", "inf", "NaN", "1.2.3", ".", "", "1.", "0x10", "1 200"] {
            assert_eq!(n(bad), Err(NumberError::NotANumber), "{bad}");
        }
        let a = answers(&[("primary_site", "bowel"), ("cea_ng_ml", "1,200")]);
        assert_eq!(to_case(&a, Wording::Patient).unwrap().cea_ng_ml, Some(1200.0));
        let a = answers(&[("primary_site", "bowel"), ("liver.largest_tumour_cm", "2,5")]);
        let p = to_case(&a, Wording::Patient).unwrap_err();
        assert_eq!(p[0].field, "liver.largest_tumour_cm");
        assert!(p[0].message.contains("full stop"), "{}", p[0].message);
    }

    #[test]
    fn duplicate_fields_are_an_error_naming_the_field() {
        let a = answers(&[("primary_site", "bowel"), ("liver.tumour_count", "2"), ("liver.tumour_count", "8")]);
        let p = to_case(&a, Wording::Patient).unwrap_err();
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].field, "liver.tumour_count");
        assert!(p[0].message.contains("more than once") && p[0].message.contains("liver.tumour_count"), "{}", p[0].message);
        let a = answers(&[("primary_site", "bowel"), ("primary_site", "breast")]);
        assert_eq!(to_case(&a, Wording::Patient).unwrap_err()[0].field, "primary_site");
        let a = answers(&[("primary_site", "bowel"), ("for", "self"), ("for", "carer")]);
        assert!(to_case(&a, Wording::Patient).unwrap_err()[0].message.contains("(for)"));
        // Checkboxes and the page's own `_` fields may repeat.
        let a = answers(&[("primary_site", "bowel"), ("spread_elsewhere", "lung"), ("spread_elsewhere", "bone"), ("_q", "a"), ("_q", "b")]);
        assert_eq!(to_case(&a, Wording::Patient).unwrap().spread_elsewhere.map(|v| v.len()), Some(2));
    }

    #[test]
    fn spread_choices() {
        assert_eq!(spread(&[]), Ok(None));
        assert_eq!(spread(&["unknown"]), Ok(None));
        assert_eq!(spread(&["none"]), Ok(Some(Value::Array(vec![]))));
        assert!(spread(&["none", "unknown"]).is_err());
        assert!(spread(&["lung", "unknown"]).is_err());
    }

    #[test]
    fn every_case_field_has_a_question() {
        for f in [
            "id",
            "primary_site",
            "bowel_side",
            "spread_elsewhere",
            "performance_status",
            "fit_for_major_surgery",
            "chemotherapy_history",
            "primary_node_positive",
            "disease_free_interval_months",
            "cea_ng_ml",
            "liver.tumour_count",
            "liver.largest_tumour_cm",
            "liver.both_lobes",
            "liver.near_major_vessels",
            "liver.all_removable",
            "liver.future_liver_remnant_percent",
            "liver.liver_condition",
        ] {
            assert!(question(f).is_some(), "{f}");
        }
        for b in Biomarker::ALL {
            assert!(question(&format!("biomarkers.{}", b.as_str())).is_some(), "{b}");
            let groups = BIOMARKER_GROUPS.iter().filter(|(_, bs)| bs.contains(b)).count();
            assert_eq!(groups, 1, "{b} must be in exactly one patient group");
        }
        for (_, _, names) in STEPS {
            for n in *names {
                assert!(question(n).is_some(), "{n}");
            }
        }
    }
}
