//! Benchmark of one full assessment: parse Case JSON, assess, serialise to JSON.
//!
//! It runs with the allocator the `hepatica` binary ships (mimalloc), so the
//! figures are the product's.

use criterion::{Criterion, criterion_group, criterion_main};
use hepatica_engine::{Audience, assess, assess_summary, case_from_json};
use hepatica_knowledge::Knowledge;

const CASES: &[&str] = &[
    r#"{"id":"b1","primary_site":"bowel","bowel_side":"left","biomarkers":{"KRAS":"wild_type","NRAS":"wild_type","BRAF_V600":"absent","MSI":"stable"},"liver":{"tumour_count":2,"largest_tumour_cm":3.5,"both_lobes":false,"near_major_vessels":false,"all_removable":true,"future_liver_remnant_percent":55,"liver_condition":"normal"},"spread_elsewhere":[],"performance_status":0,"fit_for_major_surgery":true,"chemotherapy_history":"none","primary_node_positive":true,"disease_free_interval_months":8,"cea_ng_ml":40}"#,
    r#"{"primary_site":"breast","biomarkers":{"ER":"positive","HER2":"negative"}}"#,
    r#"{"primary_site":"lung"}"#,
];

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn bench(c: &mut Criterion) {
    let kb = Knowledge::embedded();
    c.bench_function("parse+assess+serialise (3 cases)", |b| {
        b.iter(|| {
            let mut bytes = 0;
            for json in CASES {
                let case = case_from_json(json.as_bytes()).expect("valid case");
                let a = assess(kb, &case, Audience::Patient);
                bytes += serde_json::to_vec(&a).expect("serialises").len();
            }
            bytes
        })
    });
    c.bench_function("parse+assess+to_json (3 cases)", |b| {
        b.iter(|| {
            let mut bytes = 0;
            for json in CASES {
                let case = case_from_json(json.as_bytes()).expect("valid case");
                let a = assess(kb, &case, Audience::Patient);
                bytes += hepatica_engine::to_json(&a).len();
            }
            bytes
        })
    });
    // The two halves of the above, to show where the time goes.
    let cases: Vec<_> = CASES.iter().map(|json| case_from_json(json.as_bytes()).expect("valid case")).collect();
    c.bench_function("assess only (3 cases)", |b| {
        b.iter(|| cases.iter().map(|case| assess(kb, case, Audience::Patient).options.len()).sum::<usize>())
    });
    let assessments: Vec<_> = cases.iter().map(|case| assess(kb, case, Audience::Patient)).collect();
    c.bench_function("serialise only (3 cases)", |b| {
        b.iter(|| assessments.iter().map(|a| serde_json::to_vec(a).expect("serialises").len()).sum::<usize>())
    });
}

/// The batch path: parse, decide (no explanations), serialise the suitabilities.
fn bench_summary(c: &mut Criterion) {
    let kb = Knowledge::embedded();
    c.bench_function("parse+assess_summary (3 cases)", |b| {
        b.iter(|| {
            let mut n = 0;
            for json in CASES {
                let case = case_from_json(json.as_bytes()).expect("valid case");
                let a = assess_summary(kb, &case);
                n += a.options.len();
            }
            n
        })
    });
    c.bench_function("parse only (3 cases)", |b| {
        b.iter(|| {
            CASES.iter().map(|json| case_from_json(json.as_bytes()).expect("valid case").liver.tumour_count.unwrap_or(0)).sum::<u32>()
        })
    });
}

criterion_group!(benches, bench, bench_summary);
criterion_main!(benches);
