//! Throughput of n-gram counting (bytes = nucleotides), NPMI table building and table I/O.
//!
//! `cargo bench -p cmgems-benches --bench counting -- --warm-up-time 1 --measurement-time 3`

use cmgems_core::npmi::table_io::{from_json, to_json};
use cmgems_core::{NgramCounts, NpmiTable, SeededRng, DEFAULT_MIN_COUNT, K};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;

const CORPUS_LEN: usize = 8 << 20;

/// Seeded random ACGT with an N run of 50..=550 letters roughly every 100 kb, and 10% lower case.
fn corpus() -> Vec<u8> {
    let mut rng = SeededRng::new(2024);
    let mut seq = Vec::with_capacity(CORPUS_LEN);
    while seq.len() < CORPUS_LEN {
        if rng.below(100_000) == 0 {
            let run = 50 + rng.below(501) as usize;
            seq.extend(std::iter::repeat_n(b'N', run));
            continue;
        }
        let b = b"ACGT"[rng.below(4) as usize];
        seq.push(if rng.below(10) == 0 {
            b.to_ascii_lowercase()
        } else {
            b
        });
    }
    seq.truncate(CORPUS_LEN);
    seq
}

fn counting(c: &mut Criterion) {
    let seq = corpus();
    let mut g = c.benchmark_group("count");
    g.throughput(Throughput::Bytes(seq.len() as u64));
    for k in [3usize, 6] {
        g.bench_function(format!("record_8MiB_n1..{k}"), |b| {
            b.iter(|| {
                let mut counts = NgramCounts::new(K::new(k).unwrap());
                counts.count_record(black_box(&seq));
                counts
            })
        });
    }
    // Worst case for the one-increment loop: every base hits the same cell (poly-A), so
    // each increment waits for the previous one.
    let poly_a = vec![b'A'; seq.len()];
    g.bench_function("record_8MiB_polyA_n1..6", |b| {
        b.iter(|| {
            let mut counts = NgramCounts::new(K::SIX);
            counts.count_record(black_box(&poly_a));
            counts
        })
    });
    // Windows of one record, as a parallel caller would cut it (here sequentially).
    g.bench_function("windows_1MiB_n1..6", |b| {
        b.iter(|| {
            let mut total = NgramCounts::new(K::SIX);
            for start in (0..seq.len()).step_by(1 << 20) {
                let mut part = NgramCounts::new(K::SIX);
                part.count_window(black_box(&seq), start, start + (1 << 20));
                total.merge(&part).unwrap();
            }
            total
        })
    });
    // Short records (70 nt, like the Prom-core sets) take the direct path.
    g.bench_function("records_70nt_n1..6", |b| {
        b.iter(|| {
            let mut counts = NgramCounts::new(K::SIX);
            for rec in black_box(&seq).chunks(70) {
                counts.count_record(rec);
            }
            counts
        })
    });
    g.finish();
}

fn tables(c: &mut Criterion) {
    let mut counts = NgramCounts::new(K::SIX);
    counts.count_record(&corpus());
    let table = NpmiTable::from_counts(&counts, DEFAULT_MIN_COUNT).unwrap();
    let json = to_json(&table);
    let mut g = c.benchmark_group("table");
    g.bench_function("npmi_from_counts_k6", |b| {
        b.iter(|| NpmiTable::from_counts(black_box(&counts), DEFAULT_MIN_COUNT).unwrap())
    });
    g.throughput(Throughput::Bytes(json.len() as u64));
    g.bench_function("to_json_k6", |b| b.iter(|| to_json(black_box(&table))));
    g.bench_function("from_json_k6", |b| {
        b.iter(|| from_json(black_box(&json)).unwrap())
    });
    g.finish();
}

criterion_group!(benches, counting, tables);
criterion_main!(benches);
