//! Everything a pretraining run depends on, as one serialisable config: the CLI fills it,
//! the run writes it to `config.toml` beside its outputs, and `--config` or `--resume`
//! reads it back, so a run can be repeated exactly.

use crate::optim::OptimizerConfig;
use cmgems_core::mask::{RandomIds, Strategy};
use cmgems_core::schedule::curriculum::CurriculumConfig;
use cmgems_core::RankLookup;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Which masker or curriculum drives the run. Under the `cli` feature it is also the
/// `--masking` flag's value (one declaration of the names and their help, not a mirror in the
/// binary); the library itself does not use clap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "kebab-case")]
pub enum Masking {
    /// DNABERT's random span, the whole run.
    Random,
    /// GeneMask, the whole run.
    Genemask,
    /// GLOBAL, the whole run.
    Global,
    /// CM-Step: GLOBAL or random span, the share of GLOBAL growing from 0 to 1 over the run.
    CmStep,
    /// CM-GEMS: GeneMask until held-out perplexity flattens, then GLOBAL.
    CmGems,
}

/// A pretraining run (docs/algorithms.md §5-7 defaults). Under the `cli` feature its fields
/// are also the `train pretrain` flags (clap `Args`): each setting is declared once, here,
/// with its help; its default is [`PretrainConfig::default`]'s, which clap shows. Fields
/// without a flag are set in config.toml only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
#[serde(default, deny_unknown_fields)]
pub struct PretrainConfig {
    /// FASTA(.gz) or DNABERT k-mer text files [default: the embedded SYNTHETIC corpus].
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "FILE", num_args = 1.., help_heading = "Data")
    )]
    pub corpus: Vec<PathBuf>,
    /// Size of the synthetic corpus (when `corpus` is empty), in records of
    /// `synthetic_record_len` nucleotides.
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "N", help_heading = "Data", default_value_t = defaults().synthetic_records)
    )]
    pub synthetic_records: usize,
    #[cfg_attr(feature = "cli", arg(skip))]
    pub synthetic_record_len: usize,
    /// NPMI table (JSON or the authors' CSV) [default: count one from the corpus].
    #[cfg_attr(feature = "cli", arg(long, value_name = "FILE", help_heading = "Data"))]
    pub table: Option<PathBuf>,
    /// Minimum count, in occurrences, of a k-mer to get an NPMI score when the table is
    /// counted here.
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "N", help_heading = "Data", default_value_t = defaults().min_count)
    )]
    pub min_count: u64,
    /// Model preset: tiny (2 layers, hidden 64, 128 positions), logo (2 layers, hidden 256,
    /// 512 positions) or dnabert6 (BERT-base: 12 layers, 512 positions).
    #[cfg_attr(
        feature = "cli",
        arg(long, help_heading = "Model", default_value_t = defaults().preset)
    )]
    pub preset: String,
    /// An HF config.json of a BERT instead of a preset [default: none, the preset].
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "FILE", help_heading = "Model")
    )]
    pub model_config: Option<PathBuf>,
    /// Backend: auto (a GPU through wgpu, else the CPU), wgpu, cuda or cpu; a missing GPU
    /// falls back to the CPU with a message.
    #[cfg_attr(
        feature = "cli",
        arg(long, help_heading = "Run", default_value_t = defaults().backend)
    )]
    pub backend: String,
    /// Data parallel over this many devices of the backend: each step's micro-batches are
    /// shared out, gradients summed on the first device; 1 = no parallelism.
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "N", help_heading = "Run", default_value_t = defaults().devices)
    )]
    pub devices: usize,
    /// The masker or curriculum.
    #[cfg_attr(
        feature = "cli",
        arg(long, value_enum, help_heading = "Masking", default_value_t = defaults().masking)
    )]
    pub masking: Masking,
    /// How maskers look up a k-mer's NPMI rank: kmer (as the papers describe) or position
    /// (as the authors' code does).
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "kmer|position", help_heading = "Masking",
            default_value = serde_name(&defaults().rank_lookup))
    )]
    pub rank_lookup: RankLookup,
    #[cfg_attr(feature = "cli", arg(skip))]
    pub random_ids: RandomIds,
    /// CM-GEMS switches to GLOBAL when held-out perplexity falls by less than this between
    /// evaluations: perplexity points (the paper's rule), or a share of the current
    /// perplexity such as 0.5%.
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "PPL|PCT%", help_heading = "Masking",
            default_value_t = defaults().cm_gems_threshold)
    )]
    pub cm_gems_threshold: cmgems_core::SwitchThreshold,
    /// CM-GEMS switches after this many consecutive flat pairs of evaluations.
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "N", help_heading = "Masking",
            default_value_t = defaults().cm_gems_patience)
    )]
    pub cm_gems_patience: u32,
    /// Optimizer steps of the run.
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "N", help_heading = "Optimizer", default_value_t = defaults().steps)
    )]
    pub steps: u64,
    /// Rows per micro-batch.
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "ROWS", help_heading = "Data", default_value_t = defaults().batch_size)
    )]
    pub batch_size: usize,
    /// Micro-batches per optimizer step (gradient accumulation).
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "N", help_heading = "Data", default_value_t = defaults().accumulation)
    )]
    pub accumulation: usize,
    /// Positions per row, [CLS] and [SEP] included (7 to 512, at most the model's
    /// max_position_embeddings) [default: the model's positions, at most 512].
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "TOKENS", help_heading = "Data", hide_default_value = true,
            default_value_t = defaults().seq_len)
    )]
    pub seq_len: usize,
    /// Evaluate held-out perplexity every this many optimizer steps (and at the end).
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "STEPS", help_heading = EVAL, default_value_t = defaults().eval_every)
    )]
    pub eval_every: u64,
    /// Held-out micro-batches per evaluation.
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "N", help_heading = EVAL, default_value_t = defaults().eval_batches)
    )]
    pub eval_batches: usize,
    /// Write a checkpoint every this many optimizer steps (and at the end).
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "STEPS", help_heading = EVAL,
            default_value_t = defaults().checkpoint_every)
    )]
    pub checkpoint_every: u64,
    /// Checkpoints kept on disk (oldest removed first).
    #[cfg_attr(feature = "cli", arg(skip))]
    pub keep_checkpoints: usize,
    #[cfg_attr(feature = "cli", arg(skip))]
    pub held_out_share: f64,
    /// Drop pieces identical to an earlier one (the authors de-duplicated).
    #[cfg_attr(feature = "cli", arg(skip))]
    pub dedup: bool,
    /// With a `.2bit` corpus: records or regions (`chr21`, `chr8:1000000-2000000`, 0-based,
    /// end excluded) whose pieces are the held-out set [default: none: whole 64 kb blocks
    /// are held out at `held_out_share`].
    #[cfg_attr(feature = "cli", arg(skip))]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub held_out_regions: Vec<String>,
    /// With a `.2bit` corpus: the largest share of a piece's nucleotides that may be N
    /// (docs/algorithms.md §5.2); 0 keeps pieces inside ACGT runs.
    #[cfg_attr(feature = "cli", arg(skip))]
    #[serde(skip_serializing_if = "is_zero")]
    pub max_n_share: f64,
    /// Seed of everything drawn: data order, masks, initial weights, dropout.
    #[cfg_attr(
        feature = "cli",
        arg(long, help_heading = "Run", default_value_t = defaults().seed)
    )]
    pub seed: u64,
    /// AdamW and its warmup (`[optimizer]` in config.toml; last, as TOML puts tables last).
    #[cfg_attr(feature = "cli", command(flatten))]
    pub optimizer: OptimizerConfig,
}

/// Keys at their default of 0 stay out of config.toml (runs on FASTA write what they did).
fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

/// The help section of the evaluation and checkpoint flags.
#[cfg(feature = "cli")]
const EVAL: &str = "Evaluation and checkpoints";

/// The defaults, which clap shows in `--help`.
#[cfg(feature = "cli")]
fn defaults() -> PretrainConfig {
    PretrainConfig::default()
}

/// A value's name as config.toml writes it (`kmer`), for a flag's default.
#[cfg(feature = "cli")]
fn serde_name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        other => unreachable!("a unit variant serialises as its name, not {other:?}"),
    }
}

impl Default for PretrainConfig {
    fn default() -> Self {
        PretrainConfig {
            corpus: Vec::new(),
            synthetic_records: 200,
            synthetic_record_len: 10_000,
            table: None,
            min_count: 101,
            preset: "logo".into(),
            model_config: None,
            backend: "auto".into(),
            devices: 1,
            masking: Masking::CmGems,
            rank_lookup: RankLookup::Kmer,
            random_ids: RandomIds::Kmers,
            cm_gems_threshold: cmgems_core::SwitchThreshold::PAPER,
            cm_gems_patience: 1,
            steps: 10_000,
            batch_size: 10,
            accumulation: 25,
            seq_len: 512,
            eval_every: 500,
            eval_batches: 20,
            checkpoint_every: 1000,
            keep_checkpoints: 2,
            held_out_share: 0.1,
            dedup: true,
            held_out_regions: Vec::new(),
            max_n_share: 0.0,
            seed: 42,
            optimizer: OptimizerConfig::default(),
        }
    }
}

impl PretrainConfig {
    /// The curriculum for `masking`.
    pub fn curriculum(&self) -> CurriculumConfig {
        match self.masking {
            Masking::Random => CurriculumConfig::Fixed(Strategy::RandomSpan),
            Masking::Genemask => CurriculumConfig::Fixed(Strategy::GeneMask),
            Masking::Global => CurriculumConfig::Fixed(Strategy::Global),
            Masking::CmStep => CurriculumConfig::CmStep {
                max_steps: self.steps,
            },
            Masking::CmGems => CurriculumConfig::CmGems {
                threshold: self.cm_gems_threshold,
                patience: self.cm_gems_patience,
            },
        }
    }

    /// Checks what a run would otherwise find out late.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let positive = [
            ("steps", self.steps as usize),
            ("batch_size", self.batch_size),
            ("accumulation", self.accumulation),
            ("devices", self.devices),
            ("eval_every", self.eval_every as usize),
            ("eval_batches", self.eval_batches),
            ("checkpoint_every", self.checkpoint_every as usize),
            ("keep_checkpoints", self.keep_checkpoints),
        ];
        for (key, v) in positive {
            if v == 0 {
                return Err(ConfigError::Zero { key });
            }
        }
        if !(7..=512).contains(&self.seq_len) {
            return Err(ConfigError::SeqLen(self.seq_len));
        }
        let lr = self.optimizer.lr;
        if !(lr > 0.0 && lr.is_finite()) {
            return Err(ConfigError::Lr(lr));
        }
        if !(0.0..1.0).contains(&self.held_out_share) {
            return Err(ConfigError::HeldOutShare(self.held_out_share));
        }
        Ok(self.curriculum().validate()?)
    }

    /// The TOML text written to `config.toml`.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("the config serialises")
    }

    /// Reads a `config.toml`, of this layout or of the earlier one with the optimizer keys
    /// (`lr`, `warmup_steps`, ...) at the top level.
    pub fn from_toml(text: &str) -> Result<PretrainConfig, ConfigError> {
        let table: toml::Table = toml::from_str(text)?;
        if OptimizerConfig::KEYS.iter().any(|k| table.contains_key(*k)) {
            return Self::from_flat(table);
        }
        // Parsed from the text, not the table, so that errors say the line.
        Ok(toml::from_str(text)?)
    }

    /// A config of the earlier layout, its optimizer keys moved into `[optimizer]`.
    fn from_flat(table: toml::Table) -> Result<PretrainConfig, ConfigError> {
        let serde_json::Value::Object(mut map) =
            serde_json::to_value(table).map_err(|e| ConfigError::Layout(e.to_string()))?
        else {
            unreachable!("a TOML table is a JSON object");
        };
        OptimizerConfig::nest_flat_keys(&mut map)
            .map_err(|e| ConfigError::Layout(e.to_string()))?;
        serde_json::from_value(serde_json::Value::Object(map))
            .map_err(|e| ConfigError::Layout(e.to_string()))
    }
}

/// Deserializes a `PretrainConfig` of either layout from a TOML table (the `[pretrain]` of
/// an experiment file).
pub fn deserialize_migrated<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<PretrainConfig, D::Error> {
    let table = toml::Table::deserialize(d)?;
    PretrainConfig::from_flat(table).map_err(serde::de::Error::custom)
}

/// Why a pretraining config cannot run. Each names the config key (`seq_len`,
/// `optimizer.lr`), never a flag: a front end that sets keys by flags names its flag too,
/// from [`ConfigError::key`].
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{key} must be at least 1")]
    Zero { key: &'static str },
    #[error("seq_len {0} is outside 7..=512")]
    SeqLen(usize),
    #[error("optimizer.lr {0} must be a positive number")]
    Lr(f64),
    #[error("held_out_share {0} is outside [0, 1)")]
    HeldOutShare(f64),
    #[error(transparent)]
    Curriculum(#[from] cmgems_core::CoreError),
    #[error("{0}")]
    Toml(#[from] toml::de::Error),
    #[error("{0}")]
    Layout(String),
    #[error("preset {0:?} is unknown: use tiny, logo or dnabert6 (or a model_config file)")]
    UnknownPreset(String),
    #[error(
        "seq_len {seq_len} exceeds the model's max_position_embeddings {max} ({model}); use \
         seq_len {max} or less"
    )]
    SeqLenTooLong {
        seq_len: usize,
        max: usize,
        /// How the model was chosen (`preset = "tiny"`, `model_config = FILE`).
        model: String,
    },
}

impl ConfigError {
    /// The config key whose value is wrong, where one is: what a front end maps to its flag.
    pub fn key(&self) -> Option<&'static str> {
        match self {
            ConfigError::Zero { key } => Some(key),
            ConfigError::SeqLen(_) | ConfigError::SeqLenTooLong { .. } => Some("seq_len"),
            ConfigError::Lr(_) => Some("optimizer.lr"),
            ConfigError::HeldOutShare(_) => Some("held_out_share"),
            ConfigError::UnknownPreset(_) => Some("preset"),
            // Core names its own field (`patience`), which this config spells otherwise.
            ConfigError::Curriculum(_) | ConfigError::Toml(_) | ConfigError::Layout(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_round_trips_through_toml_with_spec_defaults() {
        let c = PretrainConfig::default();
        let o = &c.optimizer;
        assert_eq!(
            (o.lr, o.beta_2, o.warmup_steps, c.batch_size, c.accumulation),
            (8e-4, 0.98, 500, 10, 25)
        );
        let text = c.to_toml();
        assert!(text.contains("masking = \"cm-gems\""), "{text}");
        assert!(text.contains("[optimizer]\nlr = 0.0008"), "{text}");
        assert_eq!(PretrainConfig::from_toml(&text).unwrap(), c);
        assert!(PretrainConfig::from_toml("stepz = 3").is_err());
        let err = PretrainConfig { seq_len: 600, ..c }.validate().unwrap_err();
        assert_eq!(err.key(), Some("seq_len"));
        assert!(err.to_string().starts_with("seq_len 600"), "{err}");
    }

    #[test]
    fn a_config_of_the_flat_layout_still_reads() {
        let old = "steps = 7\nlr = 0.002\nwarmup_steps = 3\npreset = \"tiny\"\n";
        let c = PretrainConfig::from_toml(old).unwrap();
        assert_eq!(
            (c.steps, c.optimizer.lr, c.optimizer.warmup_steps),
            (7, 2e-3, 3)
        );
        assert_eq!(c.optimizer.beta_2, 0.98);
        let err = PretrainConfig::from_toml("lr = 1.0\nstepz = 3\n").unwrap_err();
        assert!(err.to_string().contains("stepz"), "{err}");
        let twice = "lr = 1.0\n[optimizer]\nlr = 2.0\n";
        let err = PretrainConfig::from_toml(twice).unwrap_err();
        assert!(err.to_string().contains("twice"), "{err}");
    }
}
