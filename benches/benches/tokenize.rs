//! Tokenizer and piece-sampler throughput.
//! Run: cargo bench -p cmgems-benches --bench tokenize

use cmgems_core::input::synthetic::{self, SyntheticConfig};
use cmgems_core::{PieceSampler, SamplerConfig, Tokenizer};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;

fn bench_tokenize(c: &mut Criterion) {
    let corpus = synthetic::generate(&SyntheticConfig {
        records: 1,
        record_len: 515 * 1000,
        ..SyntheticConfig::default()
    });
    let seqs: Vec<&[u8]> = corpus[0].chunks(515).collect();
    let texts: Vec<String> = {
        let t = Tokenizer::dnabert6();
        let mut ids = Vec::new();
        seqs.iter()
            .map(|s| {
                t.encode_nucleotides(s, &mut ids);
                t.decode_kmers(&ids)
            })
            .collect()
    };
    let tokenizer = Tokenizer::dnabert6();
    let mut g = c.benchmark_group("tokenize");
    g.throughput(Throughput::Elements(seqs.len() as u64));
    g.bench_function("nucleotides_515nt_to_512_ids", |b| {
        let mut out = Vec::with_capacity(512);
        b.iter(|| {
            for s in &seqs {
                tokenizer.encode_nucleotides(black_box(s), &mut out);
            }
            black_box(&out);
        })
    });
    g.bench_function("kmer_text_510_kmers_to_512_ids", |b| {
        let mut out = Vec::with_capacity(512);
        b.iter(|| {
            for t in &texts {
                tokenizer.encode(black_box(t), &mut out).unwrap();
            }
            black_box(&out);
        })
    });
    g.finish();

    let mut g = c.benchmark_group("sampler");
    g.throughput(Throughput::Bytes(corpus[0].len() as u64));
    let sampler = PieceSampler::new(SamplerConfig::default()).unwrap();
    g.bench_function("pieces_of_515kb_record", |b| {
        let mut out = Vec::new();
        b.iter(|| {
            out.clear();
            sampler.pieces_of_record(0, black_box(&corpus[0]), &mut out);
            black_box(out.len())
        })
    });
    g.finish();
}

criterion_group!(benches, bench_tokenize);
criterion_main!(benches);
