//! `train mask`: mask sequences with one strategy and write JSONL.

use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use cmgems_core::mask::{GlobalCount, MaskConfig, RandomIds, Strategy};
use cmgems_core::schedule::curriculum::{CurriculumConfig, CurriculumKind};
use cmgems_core::K;
use cmgems_native::files::write_atomic;
use cmgems_native::{mask_job, tables};
use std::path::PathBuf;

use super::LookupArg;

#[derive(Clone, Copy, ValueEnum)]
enum RandomIdsArg {
    /// Random replacements are k-mer ids only (as described).
    Kmers,
    /// Any id, special tokens included (as coded).
    All,
}

#[derive(Args)]
pub struct MaskArgs {
    /// NPMI table (cmgems JSON or the authors' CSV; required).
    #[arg(long, value_name = "FILE")]
    table: PathBuf,
    /// The masker (required): a curriculum fixed at --step; cm-gems is GeneMask before
    /// --switch-step and GLOBAL from it.
    #[arg(long, value_enum)]
    strategy: CurriculumKind,
    /// Training step to mask for, in optimizer steps (CM-Step's p_global, RandomMask's
    /// widening; CM-GEMS with --switch-step).
    #[arg(long, default_value_t = 0)]
    step: u64,
    /// Total training steps (CM-Step's and RandomMask's schedules).
    #[arg(long, default_value_t = 10_000)]
    max_steps: u64,
    /// CM-GEMS: the step at which the run switched to GLOBAL (from a trainer's metrics)
    /// [default: none, GeneMask throughout].
    #[arg(long)]
    switch_step: Option<u64>,
    /// Rank lookup: by the k-mer at each position (as described) or by position (as coded).
    #[arg(long, value_enum, default_value = "kmer")]
    rank_lookup: LookupArg,
    /// 80/10/10 random replacement ids: k-mers only, or all ids (as coded).
    #[arg(long, value_enum, default_value = "kmers")]
    random_ids: RandomIdsArg,
    /// GLOBAL: a fixed number of spans instead of the binomial draw [default: the draw].
    #[arg(long)]
    global_m: Option<usize>,
    /// Seed of the masking draws: the same seed masks the same tokens.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// k-mer length of the table and the tokens.
    #[arg(long, default_value_t = 6)]
    k: usize,
    /// Records longer than one model input are cut into windows of this many k-mer tokens
    /// (1..=510), one JSON line each, as the browser inspector shows them.
    #[arg(long, value_name = "TOKENS", default_value_t = 510)]
    window: usize,
    /// Tokens from one window's start to the next (1..=window; smaller values make windows
    /// overlap) [default: the window, so windows sit back to back].
    #[arg(long, value_name = "TOKENS")]
    stride: Option<usize>,
    /// Write the JSONL to this file, atomically [default: standard output].
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Sequences to mask (FASTA, one per line, TSV or CSV; required).
    input: PathBuf,
}

impl MaskArgs {
    /// The masker as a curriculum fixed at `--step`.
    fn curriculum(&self) -> CurriculumConfig {
        match self.strategy {
            // Without perplexities to feed, CM-GEMS is GeneMask before the switch and GLOBAL
            // from the switch step a trainer reported.
            CurriculumKind::CmGems => CurriculumConfig::cm_gems_replay(self.step, self.switch_step),
            kind => CurriculumConfig::Fixed(Strategy::RandomSpan).switched_to(kind, self.max_steps),
        }
    }

    fn config(&self, k: K) -> Result<MaskConfig> {
        let config = MaskConfig {
            k,
            rank_lookup: self.rank_lookup.into(),
            random_ids: match self.random_ids {
                RandomIdsArg::Kmers => RandomIds::Kmers,
                RandomIdsArg::All => RandomIds::AllIds,
            },
            global_count: match self.global_m {
                Some(m) => GlobalCount::Fixed(m),
                None => GlobalCount::Binomial,
            },
            ..MaskConfig::default()
        };
        config.validate()?;
        Ok(config)
    }
}

pub fn run(args: MaskArgs) -> Result<()> {
    let k = K::new(args.k)?;
    let table = tables::load_table(&args.table, Some(k))?.into_rank_table();
    let job = mask_job::MaskJob {
        input: args.input.clone(),
        table,
        config: args.config(k)?,
        curriculum: args.curriculum(),
        step: args.step,
        seed: args.seed,
        windows: cmgems_core::input::WindowSpec::new(
            args.window,
            args.stride.unwrap_or(args.window),
        )
        .context("--window / --stride")?,
    };
    let summary = match &args.out {
        Some(path) => {
            // A failed job must not replace an existing output: the closure fails the
            // write, so the temporary file is dropped and the old file stays.
            let mut outcome = None;
            let written = write_atomic(path, |w| match mask_job::run(&job, w) {
                Ok(summary) => {
                    outcome = Some(summary);
                    Ok(())
                }
                Err(e) => Err(std::io::Error::other(e.to_string())),
            });
            match (written, outcome) {
                (Ok(()), Some(summary)) => summary,
                (Err(e), _) => return Err(e.into()),
                (Ok(()), None) => bail!("masking produced no summary"),
            }
        }
        None => mask_job::run(&job, &mut std::io::stdout().lock())?,
    };
    eprintln!(
        "masked {} sequences in {} model inputs: {} of {} maskable tokens ({:.2}%)",
        summary.sequences,
        summary.inputs,
        summary.masked,
        summary.maskable,
        100.0 * summary.masked as f64 / summary.maskable.max(1) as f64,
    );
    Ok(())
}
