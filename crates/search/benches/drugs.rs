//! Benchmarks for the drug and regimen look-up: index build and typical queries.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use hepatica_knowledge::Knowledge;
use hepatica_search::drugs::DrugIndex;

fn bench(c: &mut Criterion) {
    let kb = Knowledge::embedded();
    c.bench_function("drugs/build_index", |b| b.iter(|| DrugIndex::new(black_box(kb))));
    let index = DrugIndex::new(kb);
    let queries = [
        ("exact_generic", "pembrolizumab"),
        ("brand", "Keytruda"),
        ("abbreviation", "5-FU"),
        ("regimen", "FOLFOX"),
        ("listed_misspelling", "pembrolizumap"),
        ("fuzzy_misspelling", "pembrolisumab"),
        ("fuzzy_brand", "keytrooda"),
        ("multi_word", "folfox and bevacizumab"),
        ("no_match", "hello"),
    ];
    for (name, q) in queries {
        c.bench_function(&format!("drugs/lookup/{name}"), |b| b.iter(|| index.lookup(black_box(q), 10)));
    }
    let long = "x".repeat(5000);
    c.bench_function("drugs/lookup/5000_chars", |b| b.iter(|| index.lookup(black_box(&long), 10)));
}

criterion_group!(benches, bench);
criterion_main!(benches);
