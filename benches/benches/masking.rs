//! Masking throughput: sequences of 510 tokens (512 positions with [CLS]/[SEP]) per second
//! on one core, for each masker, with corruption (`mask_batch`) and without (`select`).
//!
//! Target: >= 1 000 000 sequences per second per core for every masker.
//! Run: cargo bench -p cmgems-benches --bench masking -- --warm-up-time 1 --measurement-time 3
//!
//! Criterion reports wall-clock throughput, which a shared machine depresses. After it, a
//! second table divides the same work by the thread's own CPU time (Linux schedstat), the
//! per-core figure; it is skipped where /proc/thread-self/schedstat does not exist.

use cmgems_core::{
    GlobalCount, MaskConfig, Masker, Rank, RankLookup, RankTable, SeededRng, Strategy, K,
};
use criterion::{criterion_group, Criterion, Throughput};
use std::hint::black_box;

const SEQ_LEN: usize = 512;
const BATCH: usize = 256;

/// A random permutation: a realistic NPMI table as far as the masker can tell.
fn random_table(seed: u64) -> RankTable {
    let k = K::SIX;
    let mut ranks: Vec<Rank> = (1..=k.kmer_count() as Rank).collect();
    let mut rng = SeededRng::new(seed);
    for i in (1..ranks.len()).rev() {
        ranks.swap(i, rng.below(i as u64 + 1) as usize);
    }
    RankTable::from_ranks(k, ranks).unwrap()
}

/// BATCH rows of `[CLS] 510 random 6-mer ids [SEP]`.
fn batch(seed: u64) -> Vec<u32> {
    let mut rng = SeededRng::new(seed);
    let mut ids = Vec::with_capacity(BATCH * SEQ_LEN);
    for _ in 0..BATCH {
        ids.push(2);
        ids.extend((0..SEQ_LEN - 2).map(|_| 5 + rng.below(4096) as u32));
        ids.push(3);
    }
    ids
}

fn bench_masking(c: &mut Criterion) {
    let input = batch(1);
    let mut out = vec![0u32; input.len()];
    let mut labels = vec![0i32; input.len()];
    let variants = [
        ("kmer", MaskConfig::default()),
        (
            "position",
            MaskConfig {
                rank_lookup: RankLookup::Position,
                ..MaskConfig::default()
            },
        ),
        (
            "fixed7",
            MaskConfig {
                global_count: GlobalCount::Fixed(7),
                ..MaskConfig::default()
            },
        ),
    ];

    let mut group = c.benchmark_group("mask_510_tokens");
    group.throughput(Throughput::Elements(BATCH as u64));
    for (name, config) in variants {
        let mut masker = Masker::new(random_table(7), config).unwrap();
        for strategy in Strategy::ALL {
            if name != "kmer" && strategy == Strategy::RandomSpan {
                continue; // random span ignores ranks and m
            }
            if name == "fixed7" && strategy != Strategy::Global {
                continue;
            }
            let mut rng = SeededRng::new(3);
            group.bench_function(format!("{strategy}/{name}"), |b| {
                b.iter(|| {
                    black_box(masker.mask_batch(
                        strategy,
                        black_box(&input),
                        SEQ_LEN,
                        &mut rng,
                        &mut out,
                        &mut labels,
                    ))
                })
            });
        }
    }
    group.finish();

    let mut group = c.benchmark_group("select_510_tokens");
    group.throughput(Throughput::Elements(BATCH as u64));
    let mut masker = Masker::new(random_table(7), MaskConfig::default()).unwrap();
    for strategy in Strategy::ALL {
        let mut rng = SeededRng::new(3);
        group.bench_function(format!("{strategy}"), |b| {
            b.iter(|| {
                for row in input.chunks_exact(SEQ_LEN) {
                    black_box(masker.select(strategy, black_box(row), &mut rng).end);
                }
            })
        });
    }
    group.finish();
}

/// Nanoseconds this thread has run on a CPU (first field of schedstat).
fn thread_cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// Sequences per CPU-second for every variant of the criterion group.
fn cpu_time_report() {
    let Some(_) = thread_cpu_ns() else {
        println!("cpu-time report skipped: no /proc/thread-self/schedstat");
        return;
    };
    const ROUNDS: usize = 400;
    let input = batch(1);
    let mut out = vec![0u32; input.len()];
    let mut labels = vec![0i32; input.len()];
    println!("\nmask_batch, {ROUNDS} x {BATCH} sequences of 510 tokens, by thread CPU time:");
    for (name, config) in [
        ("kmer", MaskConfig::default()),
        (
            "position",
            MaskConfig {
                rank_lookup: RankLookup::Position,
                ..MaskConfig::default()
            },
        ),
        (
            "fixed7",
            MaskConfig {
                global_count: GlobalCount::Fixed(7),
                ..MaskConfig::default()
            },
        ),
    ] {
        let mut masker = Masker::new(random_table(7), config).unwrap();
        for strategy in Strategy::ALL {
            if (name != "kmer" && strategy == Strategy::RandomSpan)
                || (name == "fixed7" && strategy != Strategy::Global)
            {
                continue; // the same code path as kmer
            }
            let mut rng = SeededRng::new(3);
            // Warm the scratch buffers and caches, then measure.
            masker.mask_batch(strategy, &input, SEQ_LEN, &mut rng, &mut out, &mut labels);
            let start = thread_cpu_ns().unwrap();
            for _ in 0..ROUNDS {
                black_box(masker.mask_batch(
                    strategy,
                    black_box(&input),
                    SEQ_LEN,
                    &mut rng,
                    &mut out,
                    &mut labels,
                ));
            }
            let ns = (thread_cpu_ns().unwrap() - start) as f64;
            let sequences = (ROUNDS * BATCH) as f64;
            println!(
                "  {:<18} {:>6.0} ns/sequence  {:>5.2} M sequences/s per core",
                format!("{strategy}/{name}"),
                ns / sequences,
                sequences / ns * 1e3
            );
        }
    }
}

criterion_group!(benches, bench_masking);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    cpu_time_report();
}
