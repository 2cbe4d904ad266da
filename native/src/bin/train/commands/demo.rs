//! `train demo`: the main job on the embedded default, for a first run on any machine.
//!
//! It builds an NPMI table from the **synthetic** corpus (`cmgems_core::input::synthetic`), then
//! masks a built-in sequence with every strategy and both rank lookups, and shows the lanes.

use anyhow::Result;
use cmgems_core::input::synthetic::{self, SyntheticConfig};
use cmgems_core::mask::{MaskConfig, Masker, Strategy};
use cmgems_core::npmi::NpmiTable;
use cmgems_core::schedule::curriculum::{Curriculum, CurriculumConfig};
use cmgems_core::{RankLookup, SeededRng, Tokenizer, Vocab, K};
use cmgems_native::files::write_atomic;
use cmgems_native::{npmi_job, report, tables};
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct DemoArgs {
    /// Output folder: table.json, vocab.txt, masks.jsonl.
    #[arg(long, value_name = "DIR", default_value = "cmgems-demo")]
    out: PathBuf,
    /// Records of 10 kb in the synthetic corpus.
    #[arg(long, value_name = "N", default_value_t = 200)]
    records: usize,
    /// Seed of the synthetic corpus and of the masks.
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

/// Runs the demo into `--out`.
pub fn run(args: DemoArgs) -> Result<()> {
    let DemoArgs { out, records, seed } = args;
    let out = out.as_path();
    std::fs::create_dir_all(out)?;
    println!("cmgems demo: the corpus is SYNTHETIC (seeded generator with planted motifs and repeats), not real DNA.");
    let table = count_table(out, records, seed)?;
    let lines = mask_lanes(&table, seed)?;
    write_atomic(&out.join("masks.jsonl"), |w| w.write_all(lines.as_bytes()))?;
    println!(
        "\nwrote {0}/table.json, {0}/vocab.txt, {0}/masks.jsonl",
        out.display()
    );
    Ok(())
}

/// The NPMI table of the synthetic corpus, written with the vocabulary into `out`.
fn count_table(out: &Path, records: usize, seed: u64) -> Result<NpmiTable> {
    let k = K::SIX;
    let config = SyntheticConfig {
        records,
        seed,
        ..SyntheticConfig::default()
    };
    let corpus = synthetic::generate(&config);
    let start = std::time::Instant::now();
    let counts = npmi_job::count_batch(k, &corpus);
    let table = NpmiTable::from_counts(&counts, 101)?;
    println!(
        "counted {} nt in {:.3} s; {} of 4096 6-mers reach the minimum count 101",
        counts.total(1),
        start.elapsed().as_secs_f64(),
        table.scored()
    );
    tables::save_table(&table, &out.join("table.json"))?;
    let vocab = Vocab::new(k).vocab_txt();
    write_atomic(&out.join("vocab.txt"), |w| w.write_all(vocab.as_bytes()))?;
    println!(
        "\nTop 10 6-mers by NPMI:\n{}",
        report::top_table(&table, 10)
    );
    Ok(table)
}

/// The lanes the demo shows: every masker, and the two PMI maskers by position too.
fn lanes() -> [(&'static str, CurriculumConfig, RankLookup); 7] {
    let fixed = CurriculumConfig::Fixed;
    [
        ("random", fixed(Strategy::RandomSpan), RankLookup::Kmer),
        ("genemask", fixed(Strategy::GeneMask), RankLookup::Kmer),
        ("global", fixed(Strategy::Global), RankLookup::Kmer),
        (
            "cm-step@5000",
            CurriculumConfig::CmStep { max_steps: 10_000 },
            RankLookup::Kmer,
        ),
        (
            "cm-gems",
            CurriculumConfig::CmGems {
                threshold: cmgems_core::SwitchThreshold::PAPER,
                patience: 1,
            },
            RankLookup::Kmer,
        ),
        (
            "genemask/pos",
            fixed(Strategy::GeneMask),
            RankLookup::Position,
        ),
        ("global/pos", fixed(Strategy::Global), RankLookup::Position),
    ]
}

/// Masks the built-in sequence with every lane, prints the lanes and returns them as JSONL.
fn mask_lanes(table: &NpmiTable, seed: u64) -> Result<String> {
    let seq = synthetic::example_sequence();
    let tokenizer = Tokenizer::dnabert6();
    let mut ids = Vec::new();
    tokenizer.encode_nucleotides(&seq, &mut ids);
    let n = ids.len();
    let mut masked = vec![0u32; n];
    let mut labels = vec![0i32; n];
    let width = 100;
    println!(
        "Masks of the built-in {}-token sequence (first {width} tokens; # = masked):",
        n - 2
    );
    let mut lines = String::new();
    for (name, curriculum, lookup) in lanes() {
        let mut masker = Masker::new(
            table.rank_table().clone(),
            MaskConfig {
                rank_lookup: lookup,
                ..MaskConfig::default()
            },
        )?;
        let mut curriculum = Curriculum::new(curriculum)?;
        let mut rng = SeededRng::new(seed);
        let strategy = curriculum.strategy_for_step(5000, &mut rng);
        let stats = masker.mask(strategy, &ids, &mut rng, &mut masked, &mut labels);
        println!(
            "{name:>13} {} {:5.1}% ({strategy})",
            report::mask_lane(&labels, width),
            100.0 * stats.masked as f64 / stats.maskable.max(1) as f64
        );
        lines.push_str(&serde_json::to_string(&serde_json::json!({
            "lane": name, "strategy": strategy, "rank_lookup": lookup,
            "input_ids": ids, "masked_input_ids": masked, "labels": labels,
        }))?);
        lines.push('\n');
    }
    Ok(lines)
}
