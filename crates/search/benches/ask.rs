//! Benchmarks for `hepatica ask`: building the in-memory index, and answering
//! typical questions (plain, misspelt, abbreviated, out of scope, urgent, lay
//! phrases, a wordy carer's question, very long).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use hepatica_knowledge::Knowledge;
use hepatica_search::ask::AskIndex;

fn bench(c: &mut Criterion) {
    let kb = Knowledge::embedded();
    let mut group = c.benchmark_group("ask");
    group.sample_size(20);
    group.bench_function("build_index", |b| b.iter(|| AskIndex::build(black_box(kb)).expect("index builds")));
    group.finish();

    let index = AskIndex::build(kb).expect("index builds");
    let questions = [
        ("plain", "what is microwave ablation"),
        ("synonyms", "SIRT radioactive beads for bowel mets"),
        ("us_spelling", "chemoembolization side effects tumor"),
        ("typo", "chemotheraphy for secondaries"),
        ("long_question", "my mum has breast cancer mets in her liver, will she get chemo or hormone tablets first?"),
        ("out_of_scope", "best pizza in Leeds"),
        ("urgent", "mum has gone really confused and sleepy and her eyes are yellow"),
        ("lay_phrase", "onc says second line, is the picc line staying in?"),
        ("carer_wordy", "my husband was just told his bowel cancer has spread to his liver and I dont know what to do or where to start"),
    ];
    for (name, q) in questions {
        c.bench_function(&format!("ask/search/{name}"), |b| b.iter(|| index.search(black_box(q), 10)));
    }
    let long = "liver ablation ".repeat(700);
    c.bench_function("ask/search/10000_chars", |b| b.iter(|| index.search(black_box(&long), 10)));
}

criterion_group!(benches, bench);
criterion_main!(benches);
