//! `train pretrain`: flags over a config (the defaults, `--config FILE` or a run being
//! resumed), then the library's loop with the metrics files and the terminal as observers.

use anyhow::{Context, Result};
use clap::Args;
use cmgems_native::pretrain::{self, Console, JsonlLogs, Masking, PretrainConfig, PretrainError};
use std::io::IsTerminal;
use std::path::PathBuf;

use super::LookupArg;

/// The help section of the evaluation and checkpoint flags.
const EVAL: &str = "Evaluation and checkpoints";

/// Every flag overrides the value from `--config` (or the defaults shown here, the paper's:
/// docs/algorithms.md §7.1).
#[derive(Args)]
#[command(next_help_heading = "Run")]
pub struct PretrainArgs {
    /// Output folder: config.toml, metrics.jsonl, events.jsonl, table.json, checkpoints/
    /// (required unless --resume).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Continue the run in this folder from its latest checkpoint, with its config.toml
    /// (other flags still override it) [default: start a new run].
    #[arg(long, value_name = "DIR", conflicts_with_all = ["config", "out"])]
    resume: Option<PathBuf>,
    /// A config.toml to start a new run from, as a run writes it [default: the defaults
    /// shown here].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Backend: auto (a GPU through wgpu, else the CPU), wgpu, cuda or cpu; a missing GPU
    /// falls back to the CPU with a message [default: auto].
    #[arg(long)]
    backend: Option<String>,
    /// Data parallel over this many devices of the backend: each step's micro-batches are
    /// shared out, gradients summed on the first device [default: 1].
    #[arg(long, value_name = "N")]
    devices: Option<usize>,
    /// Seed of everything drawn: data order, masks, initial weights, dropout [default: 42].
    #[arg(long)]
    seed: Option<u64>,

    /// FASTA(.gz) or DNABERT k-mer text files [default: the embedded SYNTHETIC corpus].
    #[arg(long, value_name = "FILE", num_args = 1.., help_heading = "Data")]
    corpus: Vec<PathBuf>,
    /// Size of the synthetic corpus, in records of 10 kb [default: 200].
    #[arg(long, value_name = "N", help_heading = "Data")]
    synthetic_records: Option<usize>,
    /// NPMI table (JSON or the authors' CSV) [default: count one from the corpus].
    #[arg(long, value_name = "FILE", help_heading = "Data")]
    table: Option<PathBuf>,
    /// Minimum count, in occurrences, of a k-mer to get an NPMI score when the table is
    /// counted here [default: 101].
    #[arg(long, value_name = "N", help_heading = "Data")]
    min_count: Option<u64>,
    /// Positions per row, [CLS] and [SEP] included (7 to 512, at most the model's
    /// max_position_embeddings) [default: the model's positions, at most 512].
    #[arg(long, value_name = "TOKENS", help_heading = "Data")]
    seq_len: Option<usize>,
    /// Rows per micro-batch [default: 10].
    #[arg(long, value_name = "ROWS", help_heading = "Data")]
    batch_size: Option<usize>,
    /// Micro-batches per optimizer step (gradient accumulation) [default: 25].
    #[arg(long, value_name = "N", help_heading = "Data")]
    accumulation: Option<usize>,

    /// Model preset: tiny (2 layers, hidden 64, 128 positions), logo (2 layers, hidden 256,
    /// 512 positions) or dnabert6 (BERT-base: 12 layers, 512 positions) [default: logo].
    #[arg(long, help_heading = "Model")]
    preset: Option<String>,
    /// An HF config.json of a BERT instead of a preset [default: none, the preset].
    #[arg(long, value_name = "FILE", help_heading = "Model")]
    model_config: Option<PathBuf>,

    /// The masker or curriculum [default: cm-gems].
    #[arg(long, value_enum, help_heading = "Masking")]
    masking: Option<Masking>,
    /// How maskers look up a k-mer's NPMI rank: kmer (as the papers describe) or position
    /// (as the authors' code does) [default: kmer].
    #[arg(long, value_enum, help_heading = "Masking")]
    rank_lookup: Option<LookupArg>,
    /// CM-GEMS switches to GLOBAL when held-out perplexity falls by less than this between
    /// evaluations: perplexity points (the paper's rule), or a share of the current
    /// perplexity such as 0.5% [default: 1].
    #[arg(long, value_name = "PPL|PCT%", help_heading = "Masking")]
    cm_gems_threshold: Option<cmgems_core::SwitchThreshold>,
    /// CM-GEMS switches after this many consecutive flat pairs of evaluations [default: 1].
    #[arg(long, value_name = "N", help_heading = "Masking")]
    cm_gems_patience: Option<u32>,

    /// Optimizer steps of the run [default: 10000].
    #[arg(long, value_name = "N", help_heading = "Optimizer")]
    steps: Option<u64>,
    /// Peak learning rate of AdamW, reached after the warmup, then decayed linearly to 0
    /// [default: 8e-4].
    #[arg(long, help_heading = "Optimizer")]
    lr: Option<f64>,
    /// Optimizer steps of linear warmup from 0 to --lr [default: 500].
    #[arg(long, value_name = "N", help_heading = "Optimizer")]
    warmup_steps: Option<u64>,
    /// AdamW's decoupled weight decay, not applied to biases and LayerNorm [default: 0.01].
    #[arg(long, help_heading = "Optimizer")]
    weight_decay: Option<f32>,

    /// Evaluate held-out perplexity every this many optimizer steps (and at the end)
    /// [default: 500].
    #[arg(long, value_name = "STEPS", help_heading = EVAL)]
    eval_every: Option<u64>,
    /// Held-out micro-batches per evaluation [default: 20].
    #[arg(long, value_name = "N", help_heading = EVAL)]
    eval_batches: Option<usize>,
    /// Write a checkpoint every this many optimizer steps (and at the end) [default: 1000].
    #[arg(long, value_name = "STEPS", help_heading = EVAL)]
    checkpoint_every: Option<u64>,
}

impl PretrainArgs {
    /// The starting config (defaults, --config or the run to resume), the output folder, and
    /// whether it resumes.
    fn base(&self) -> Result<(PretrainConfig, PathBuf, bool)> {
        let out = || self.out.clone().context("--out DIR is needed");
        Ok(match (&self.resume, &self.config) {
            (Some(dir), _) => (pretrain::config_of(dir)?, dir.clone(), true),
            (None, Some(file)) => {
                let text = std::fs::read_to_string(file)
                    .with_context(|| format!("reading {}", file.display()))?;
                let config = PretrainConfig::from_toml(&text)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
                (config, out()?, false)
            }
            (None, None) => (PretrainConfig::default(), out()?, false),
        })
    }

    /// `config` with every given flag applied.
    fn apply(&self, config: &mut PretrainConfig) {
        macro_rules! set {
            ($($field:ident),*) => {$( if let Some(v) = self.$field.clone() { config.$field = v; } )*};
        }
        set!(
            preset,
            backend,
            devices,
            masking,
            cm_gems_threshold,
            cm_gems_patience,
            steps,
            batch_size,
            accumulation,
            seq_len,
            eval_every,
            eval_batches,
            checkpoint_every,
            min_count,
            synthetic_records,
            seed
        );
        let o = &mut config.optimizer;
        o.lr = self.lr.unwrap_or(o.lr);
        o.warmup_steps = self.warmup_steps.unwrap_or(o.warmup_steps);
        o.weight_decay = self.weight_decay.unwrap_or(o.weight_decay);
        if !self.corpus.is_empty() {
            config.corpus = self.corpus.clone();
        }
        if self.table.is_some() {
            config.table = self.table.clone();
        }
        if self.model_config.is_some() {
            config.model_config = self.model_config.clone();
        }
        if let Some(l) = self.rank_lookup {
            config.rank_lookup = l.into();
        }
    }
}

pub fn run(args: PretrainArgs) -> Result<()> {
    let (mut config, out, resume) = args.base()?;
    args.apply(&mut config);
    if args.seq_len.is_none() && args.config.is_none() && !resume {
        // A new run from the defaults: the sequence length the model takes, not LOGO's 512.
        config.seq_len = pretrain::default_seq_len(&config).map_err(with_flag)?;
    }
    let selected = super::backend(&config.backend, config.devices)?;
    let mut observers = (
        JsonlLogs::default(),
        Console::new(std::io::stderr().is_terminal()),
    );
    let summary =
        pretrain::run(&config, &selected, &out, resume, &mut observers).map_err(with_flag)?;
    println!(
        "pretrained {} steps into {}: last loss {}, last eval perplexity {}{}{}",
        summary.steps,
        summary.out.display(),
        summary.last_loss.map_or("-".into(), |l| format!("{l:.4}")),
        summary
            .last_perplexity
            .map_or("-".into(), |p| format!("{p:.3}")),
        summary
            .last_unigram_perplexity
            .map_or(String::new(), |u| format!(" (unigram baseline {u:.3})")),
        summary
            .switch_step
            .map_or(String::new(), |s| format!("; CM-GEMS switched at step {s}"))
    );
    Ok(())
}

/// The library's error, led by the flag that sets the config key it names.
fn with_flag(e: PretrainError) -> anyhow::Error {
    let key = match &e {
        PretrainError::Config(c) => c.key(),
        _ => None,
    };
    super::with_flag::<PretrainArgs, _>(key, e)
}

#[cfg(test)]
mod tests {
    use super::super::flag_of;
    use super::*;
    use cmgems_native::pretrain::ConfigError;

    #[test]
    fn config_keys_map_to_their_flags() {
        let flag = |key| flag_of::<PretrainArgs>(key);
        assert_eq!(flag("optimizer.lr").as_deref(), Some("--lr"));
        assert_eq!(flag("seq_len").as_deref(), Some("--seq-len"));
        assert_eq!(flag("held_out_share"), None);
        let e = with_flag(ConfigError::Lr(0.0).into());
        assert_eq!(
            e.to_string(),
            "--lr: invalid configuration: optimizer.lr 0 must be a positive number"
        );
    }
}
