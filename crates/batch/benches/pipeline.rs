//! Benchmark of the batch pipeline on 2,000 synthetic cases held in memory:
//! the default output, `--full` and `--validate-only`, on all cores.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hepatica_batch::pipeline::process_ndjson;
use hepatica_batch::synth::{self, SynthOptions};
use hepatica_batch::{Mode, NoProgress, Options};
use hepatica_knowledge::Knowledge;

fn bench(c: &mut Criterion) {
    let kb = Knowledge::embedded();
    let mut input = Vec::new();
    synth::write(&mut input, &SynthOptions { count: 2000, seed: 1, invalid_rate: 0.0 }).expect("in memory");
    let mut g = c.benchmark_group("batch 2000 cases");
    g.throughput(Throughput::Elements(2000));
    g.sample_size(10);
    for (name, mode) in [("suitability", Mode::Suitability), ("full", Mode::Full), ("validate-only", Mode::ValidateOnly)] {
        let opts = Options { mode, ..Options::default() };
        g.bench_function(name, |b| {
            b.iter(|| {
                let (mut out, mut err) = (Vec::new(), Vec::new());
                process_ndjson(kb, &input[..], &mut out, &mut err, &opts, &NoProgress).map(|t| t.valid).unwrap_or(0)
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
