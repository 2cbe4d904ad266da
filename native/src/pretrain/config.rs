//! Everything a pretraining run depends on, as one serialisable config in sections (`[data]`,
//! `[model]`, `[masking]`, `[optimizer]`, `[schedule]`, `[evaluation]`, `[checkpoints]`):
//! the CLI fills it, the run writes it to `config.toml` beside its outputs, and `--config` or
//! `--resume` reads it back, so a run can be repeated exactly.
//!
//! Each setting is declared once, on its section's field, with its help; its default is the
//! section's `Default`. Under the `cli` feature every section is also clap `Args`, flattened
//! into `train pretrain`'s flags (`--lr` sets `optimizer.lr`); the library itself does not
//! use clap. Fields without a flag are set in config.toml only.

use crate::optim::OptimizerConfig;
use cmgems_core::mask::RandomIds;
/// A curriculum by name (`--masking`, an experiment's `masking` list): core's, under the
/// name this crate has always used.
pub use cmgems_core::schedule::curriculum::CurriculumKind as Masking;
use cmgems_core::schedule::curriculum::{CurriculumConfig, SwitchThreshold};
use cmgems_core::RankLookup;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::path::PathBuf;

/// A pretraining run (docs/algorithms.md §5-7 defaults): the run's own settings, then its
/// sections (last, as TOML puts tables after values).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
#[cfg_attr(feature = "cli", command(next_help_heading = "Run"))]
#[serde(default, deny_unknown_fields)]
pub struct PretrainConfig {
    /// Seed of everything drawn: data order, masks, initial weights, dropout.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = Self::default().seed))]
    pub seed: u64,
    /// Backend: auto (a GPU through wgpu, else the CPU), wgpu, cuda or cpu; a missing GPU
    /// falls back to the CPU with a message.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = Self::default().backend))]
    pub backend: String,
    /// Data parallel over this many devices of the backend: each step's micro-batches are
    /// shared out, gradients summed on the first device; 1 = no parallelism.
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "N", default_value_t = Self::default().devices)
    )]
    pub devices: usize,
    #[cfg_attr(feature = "cli", command(flatten))]
    pub data: DataConfig,
    #[cfg_attr(feature = "cli", command(flatten))]
    pub model: ModelConfig,
    #[cfg_attr(feature = "cli", command(flatten))]
    pub masking: MaskingConfig,
    /// AdamW and its warmup.
    #[cfg_attr(feature = "cli", command(flatten))]
    pub optimizer: OptimizerConfig,
    #[cfg_attr(feature = "cli", command(flatten))]
    pub schedule: ScheduleConfig,
    #[cfg_attr(feature = "cli", command(flatten))]
    pub evaluation: EvaluationConfig,
    #[cfg_attr(feature = "cli", command(flatten))]
    pub checkpoints: CheckpointConfig,
}

impl Default for PretrainConfig {
    fn default() -> Self {
        PretrainConfig {
            seed: 42,
            backend: "auto".into(),
            devices: 1,
            data: DataConfig::default(),
            model: ModelConfig::default(),
            masking: MaskingConfig::default(),
            optimizer: OptimizerConfig::default(),
            schedule: ScheduleConfig::default(),
            evaluation: EvaluationConfig::default(),
            checkpoints: CheckpointConfig::default(),
        }
    }
}

/// `[data]`: the corpus, its NPMI table, and how it is cut into rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
#[cfg_attr(feature = "cli", command(next_help_heading = "Data"))]
#[serde(default, deny_unknown_fields)]
pub struct DataConfig {
    /// FASTA(.gz) or DNABERT k-mer text files [default: the embedded SYNTHETIC corpus].
    #[cfg_attr(feature = "cli", arg(long, value_name = "FILE", num_args = 1..))]
    pub corpus: Vec<PathBuf>,
    /// Size of the synthetic corpus (when `corpus` is empty), in records of
    /// `synthetic_record_len` nucleotides.
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "N", default_value_t = Self::default().synthetic_records)
    )]
    pub synthetic_records: usize,
    #[cfg_attr(feature = "cli", arg(skip = Self::default().synthetic_record_len))]
    pub synthetic_record_len: usize,
    /// NPMI table (JSON or the authors' CSV) [default: count one from the corpus].
    #[cfg_attr(feature = "cli", arg(long, value_name = "FILE"))]
    pub table: Option<PathBuf>,
    /// Minimum count, in occurrences, of a k-mer to get an NPMI score when the table is
    /// counted here.
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "N", default_value_t = Self::default().min_count)
    )]
    pub min_count: u64,
    /// Positions per row, [CLS] and [SEP] included (7 to 512, at most the model's
    /// max_position_embeddings) [default: the model's positions, at most 512].
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "TOKENS", hide_default_value = true,
            default_value_t = Self::default().seq_len)
    )]
    pub seq_len: usize,
    /// Share of the pieces held out for evaluation.
    #[cfg_attr(feature = "cli", arg(skip = Self::default().held_out_share))]
    pub held_out_share: f64,
    /// Drop pieces identical to an earlier one (the authors de-duplicated).
    #[cfg_attr(feature = "cli", arg(skip = Self::default().dedup))]
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
}

/// Keys at their default of 0 stay out of config.toml (runs on FASTA write what they did).
fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

impl Default for DataConfig {
    fn default() -> Self {
        DataConfig {
            corpus: Vec::new(),
            synthetic_records: 200,
            synthetic_record_len: 10_000,
            table: None,
            min_count: 101,
            seq_len: 512,
            held_out_share: 0.1,
            dedup: true,
            held_out_regions: Vec::new(),
            max_n_share: 0.0,
        }
    }
}

/// `[model]`: a preset or a BERT's HF config.json.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
#[cfg_attr(feature = "cli", command(next_help_heading = "Model"))]
#[serde(default, deny_unknown_fields)]
pub struct ModelConfig {
    /// Model preset: tiny (2 layers, hidden 64, 128 positions), logo (2 layers, hidden 256,
    /// 512 positions) or dnabert6 (BERT-base: 12 layers, 512 positions).
    #[cfg_attr(feature = "cli", arg(long, default_value_t = Self::default().preset))]
    pub preset: String,
    /// An HF config.json of a BERT instead of a preset [default: none, the preset].
    #[cfg_attr(feature = "cli", arg(long, value_name = "FILE"))]
    pub model_config: Option<PathBuf>,
}

impl Default for ModelConfig {
    fn default() -> Self {
        ModelConfig {
            preset: "logo".into(),
            model_config: None,
        }
    }
}

/// `[masking]`: how the maskers look up ranks and draw random ids, and the curriculum that
/// picks a masker per batch: core's `CurriculumConfig` itself (`[masking.curriculum.cm-gems]`
/// `threshold`, `patience`; `[masking.curriculum.cm-step]` `max_steps`, which is the run's
/// `schedule.steps`; `[masking.curriculum] fixed = "genemask"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
#[cfg_attr(feature = "cli", command(next_help_heading = "Masking"))]
#[serde(default, deny_unknown_fields)]
pub struct MaskingConfig {
    /// How maskers look up a k-mer's NPMI rank: kmer (as the papers describe) or position
    /// (as the authors' code does).
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "kmer|position",
            default_value = serde_name(&Self::default().rank_lookup))
    )]
    pub rank_lookup: RankLookup,
    #[cfg_attr(feature = "cli", arg(skip = Self::default().random_ids))]
    pub random_ids: RandomIds,
    /// `--masking`, `--cm-gems-threshold`, `--cm-gems-patience` (core's flags).
    #[cfg_attr(feature = "cli", command(flatten))]
    pub curriculum: CurriculumConfig,
}

impl Default for MaskingConfig {
    fn default() -> Self {
        MaskingConfig {
            rank_lookup: RankLookup::Kmer,
            random_ids: RandomIds::Kmers,
            curriculum: CurriculumConfig::cm_gems(),
        }
    }
}

/// `[schedule]`: how long the run is and how many rows each optimizer step sees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
#[cfg_attr(feature = "cli", command(next_help_heading = "Schedule"))]
#[serde(default, deny_unknown_fields)]
pub struct ScheduleConfig {
    /// Optimizer steps of the run (and of a CM-Step curriculum).
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "N", default_value_t = Self::default().steps)
    )]
    pub steps: u64,
    /// Rows per micro-batch.
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "ROWS", default_value_t = Self::default().batch_size)
    )]
    pub batch_size: usize,
    /// Micro-batches per optimizer step (gradient accumulation).
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "N", default_value_t = Self::default().accumulation)
    )]
    pub accumulation: usize,
}

impl Default for ScheduleConfig {
    fn default() -> Self {
        ScheduleConfig {
            steps: 10_000,
            batch_size: 10,
            accumulation: 25,
        }
    }
}

/// `[evaluation]`: how often and on how much held-out data perplexity is measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
#[cfg_attr(feature = "cli", command(next_help_heading = "Evaluation"))]
#[serde(default, deny_unknown_fields)]
pub struct EvaluationConfig {
    /// Evaluate held-out perplexity every this many optimizer steps (and at the end).
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "STEPS", default_value_t = Self::default().eval_every)
    )]
    pub eval_every: u64,
    /// Held-out micro-batches per evaluation.
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "N", default_value_t = Self::default().eval_batches)
    )]
    pub eval_batches: usize,
}

impl Default for EvaluationConfig {
    fn default() -> Self {
        EvaluationConfig {
            eval_every: 500,
            eval_batches: 20,
        }
    }
}

/// `[checkpoints]`: how often the run is saved and how many saves are kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
#[cfg_attr(feature = "cli", command(next_help_heading = "Checkpoints"))]
#[serde(default, deny_unknown_fields)]
pub struct CheckpointConfig {
    /// Write a checkpoint every this many optimizer steps (and at the end).
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "STEPS", default_value_t = Self::default().checkpoint_every)
    )]
    pub checkpoint_every: u64,
    /// Checkpoints kept on disk (oldest removed first).
    #[cfg_attr(feature = "cli", arg(skip = Self::default().keep_checkpoints))]
    pub keep_checkpoints: usize,
}

impl Default for CheckpointConfig {
    fn default() -> Self {
        CheckpointConfig {
            checkpoint_every: 1000,
            keep_checkpoints: 2,
        }
    }
}

/// A value's name as config.toml writes it (`kmer`), for a flag's default.
#[cfg(feature = "cli")]
fn serde_name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(name)) => name,
        other => unreachable!("a unit variant serialises as its name, not {other:?}"),
    }
}

impl PretrainConfig {
    /// The masking curriculum of the run.
    pub fn curriculum(&self) -> CurriculumConfig {
        self.masking.curriculum
    }

    /// Runs the curriculum `kind`: CM-Step over this run's steps, CM-GEMS with this config's
    /// threshold and patience (the authors' if it had none).
    pub fn set_curriculum(&mut self, kind: Masking) {
        let c = &mut self.masking.curriculum;
        *c = c.switched_to(kind, self.schedule.steps);
    }

    /// A CM-Step curriculum spreads over the run: its `max_steps` becomes `schedule.steps`
    /// (what a changed `--steps` or a CM-Step chosen by flag needs).
    pub fn tie_cm_step_to_steps(&mut self) {
        if let CurriculumConfig::CmStep { max_steps } | CurriculumConfig::RandomMask { max_steps } =
            &mut self.masking.curriculum
        {
            *max_steps = self.schedule.steps;
        }
    }

    /// Checks what a run would otherwise find out late.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let (s, e, c) = (&self.schedule, &self.evaluation, &self.checkpoints);
        let positive = [
            ("schedule.steps", s.steps as usize),
            ("schedule.batch_size", s.batch_size),
            ("schedule.accumulation", s.accumulation),
            ("devices", self.devices),
            ("evaluation.eval_every", e.eval_every as usize),
            ("evaluation.eval_batches", e.eval_batches),
            ("checkpoints.checkpoint_every", c.checkpoint_every as usize),
            ("checkpoints.keep_checkpoints", c.keep_checkpoints),
        ];
        for (key, v) in positive {
            if v == 0 {
                return Err(ConfigError::Zero { key });
            }
        }
        if !(7..=512).contains(&self.data.seq_len) {
            return Err(ConfigError::SeqLen(self.data.seq_len));
        }
        let lr = self.optimizer.lr;
        if !(lr > 0.0 && lr.is_finite()) {
            return Err(ConfigError::Lr(lr));
        }
        self.optimizer.validate().map_err(ConfigError::Layout)?;
        if !(0.0..1.0).contains(&self.data.held_out_share) {
            return Err(ConfigError::HeldOutShare(self.data.held_out_share));
        }
        if let CurriculumConfig::CmStep { max_steps } | CurriculumConfig::RandomMask { max_steps } =
            self.masking.curriculum
        {
            if max_steps != s.steps {
                return Err(ConfigError::CmStepLength {
                    max_steps,
                    steps: s.steps,
                });
            }
        }
        Ok(self.curriculum().validate()?)
    }

    /// The TOML text written to `config.toml`.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("the config serialises")
    }

    /// Reads a `config.toml`, of this layout or of the earlier flat one (see [`nest_flat`]).
    pub fn from_toml(text: &str) -> Result<PretrainConfig, ConfigError> {
        let table: toml::Table = toml::from_str(text)?;
        let mut map = to_json_map(table)?;
        if !nest_flat(&mut map)? {
            // Parsed from the text, not the table, so that errors say the line.
            return Ok(toml::from_str(text)?);
        }
        serde_json::from_value(Value::Object(map)).map_err(|e| ConfigError::Layout(e.to_string()))
    }
}

/// A TOML table as the JSON object the migration edits.
fn to_json_map(table: toml::Table) -> Result<Map<String, Value>, ConfigError> {
    match serde_json::to_value(table) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => unreachable!("a TOML table is a JSON object"),
        Err(e) => Err(ConfigError::Layout(e.to_string())),
    }
}

/// The one migration of a saved config: runs before the sections (to 2026-12) wrote every
/// key at the top level (`steps = 7`, `masking = "cm-gems"`, `cm_gems_threshold = "1%"`;
/// the optimizer's keys at the top level or in `[optimizer]`). Moves each key into the
/// section that now holds it, and the three masking keys into core's curriculum (CM-Step
/// over the run's steps, as the flat config meant). Returns whether `config` was flat.
/// Keys no section knows stay where they are, for the reader to name.
pub fn nest_flat(config: &mut Map<String, Value>) -> Result<bool, ConfigError> {
    let Value::Object(sections) = serde_json::to_value(PretrainConfig::default())? else {
        unreachable!("the config serialises as an object");
    };
    let moved: Vec<(String, String)> = config
        .keys()
        .filter(|k| !sections.contains_key(*k))
        .filter_map(|k| {
            let section = sections.iter().find(|(_, v)| v.get(k).is_some())?.0;
            Some((k.clone(), section.clone()))
        })
        .collect();
    // The flat masking keys (a string `masking`, not the section) are taken out first.
    let mut flat_masking = Map::new();
    for key in [FLAT_MASKING, FLAT_THRESHOLD, FLAT_PATIENCE] {
        if config.get(key).is_some_and(|v| !v.is_object()) {
            flat_masking.insert(key.into(), config.remove(key).expect("present"));
        }
    }
    if moved.is_empty() && flat_masking.is_empty() {
        return Ok(false);
    }
    for (key, section) in moved {
        let value = config.remove(&key).expect("listed from the keys");
        insert_new(config, &section, &key, value)?;
    }
    if !flat_masking.is_empty() {
        let curriculum = flat_curriculum(flat_masking, config)?;
        insert_new(
            config,
            "masking",
            "curriculum",
            serde_json::to_value(curriculum)?,
        )?;
    }
    Ok(true)
}

const FLAT_MASKING: &str = "masking";
const FLAT_THRESHOLD: &str = "cm_gems_threshold";
const FLAT_PATIENCE: &str = "cm_gems_patience";

/// The curriculum of a flat config's `masking`, `cm_gems_threshold` and `cm_gems_patience`
/// (`flat`), CM-Step over the steps of the (nested) `config`: the flat config's
/// `curriculum()` did the same.
fn flat_curriculum(
    mut flat: Map<String, Value>,
    config: &Map<String, Value>,
) -> Result<CurriculumConfig, ConfigError> {
    let kind: Masking = flat
        .remove(FLAT_MASKING)
        .map(serde_json::from_value)
        .transpose()?
        .unwrap_or(Masking::CmGems);
    let threshold: Option<SwitchThreshold> = flat
        .remove(FLAT_THRESHOLD)
        .map(serde_json::from_value)
        .transpose()?;
    let patience: Option<u32> = flat
        .remove(FLAT_PATIENCE)
        .map(serde_json::from_value)
        .transpose()?;
    let steps = config
        .get("schedule")
        .and_then(|s| s.get("steps"))
        .map(|v| serde_json::from_value(v.clone()))
        .transpose()?
        .unwrap_or(ScheduleConfig::default().steps);
    let cm_gems = CurriculumConfig::CmGems {
        threshold: threshold.unwrap_or(CurriculumConfig::DEFAULT_THRESHOLD),
        patience: patience.unwrap_or(CurriculumConfig::DEFAULT_PATIENCE),
    };
    Ok(cm_gems.switched_to(kind, steps))
}

/// Puts `value` at `section.key`, refusing a key given in both layouts.
fn insert_new(
    config: &mut Map<String, Value>,
    section: &str,
    key: &str,
    value: Value,
) -> Result<(), ConfigError> {
    let table = config
        .entry(section)
        .or_insert_with(|| Value::Object(Map::new()));
    let Value::Object(table) = table else {
        return Err(ConfigError::Layout(format!("`{section}` must be a table")));
    };
    if table.insert(key.to_string(), value).is_some() {
        return Err(ConfigError::Layout(format!(
            "`{key}` is given twice: at the top level (the earlier, flat layout) and in \
             [{section}]; keep the one in [{section}]"
        )));
    }
    Ok(())
}

/// Deserializes a `PretrainConfig` of either layout from a TOML table (the `[pretrain]` of
/// an experiment file).
pub fn deserialize_migrated<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<PretrainConfig, D::Error> {
    use serde::de::Error;
    let mut map = to_json_map(toml::Table::deserialize(d)?).map_err(D::Error::custom)?;
    nest_flat(&mut map).map_err(D::Error::custom)?;
    serde_json::from_value(Value::Object(map)).map_err(D::Error::custom)
}

/// Why a pretraining config cannot run. Each names the config key (`data.seq_len`,
/// `optimizer.lr`), never a flag: a front end that sets keys by flags names its flag too,
/// from [`ConfigError::key`].
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{key} must be at least 1")]
    Zero { key: &'static str },
    #[error("data.seq_len {0} is outside 7..=512")]
    SeqLen(usize),
    #[error("optimizer.lr {0} must be a positive number")]
    Lr(f64),
    #[error("data.held_out_share {0} is outside [0, 1)")]
    HeldOutShare(f64),
    #[error(
        "masking.curriculum max_steps {max_steps} must equal schedule.steps {steps}: \
         CM-Step and RandomMask spread their schedule over the run"
    )]
    CmStepLength { max_steps: u64, steps: u64 },
    #[error(transparent)]
    Curriculum(#[from] cmgems_core::CoreError),
    #[error("{0}")]
    Toml(#[from] toml::de::Error),
    #[error("{0}")]
    Layout(String),
    #[error(
        "model.preset {0:?} is unknown: use tiny, logo or dnabert6 (or a model.model_config \
         file)"
    )]
    UnknownPreset(String),
    #[error(
        "data.seq_len {seq_len} exceeds the model's max_position_embeddings {max} ({model}); \
         use data.seq_len {max} or less"
    )]
    SeqLenTooLong {
        seq_len: usize,
        max: usize,
        /// How the model was chosen (`model.preset = "tiny"`, `model.model_config = FILE`).
        model: String,
    },
}

impl From<serde_json::Error> for ConfigError {
    fn from(e: serde_json::Error) -> Self {
        ConfigError::Layout(e.to_string())
    }
}

impl ConfigError {
    /// The config key whose value is wrong, where one is: what a front end maps to its flag.
    pub fn key(&self) -> Option<&'static str> {
        match self {
            ConfigError::Zero { key } => Some(key),
            ConfigError::SeqLen(_) | ConfigError::SeqLenTooLong { .. } => Some("data.seq_len"),
            ConfigError::Lr(_) => Some("optimizer.lr"),
            ConfigError::HeldOutShare(_) => Some("data.held_out_share"),
            ConfigError::CmStepLength { .. } => Some("schedule.steps"),
            ConfigError::UnknownPreset(_) => Some("model.preset"),
            // Core names its own field (`patience`), under masking.curriculum.
            ConfigError::Curriculum(_) | ConfigError::Toml(_) | ConfigError::Layout(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cmgems_core::mask::Strategy;

    #[test]
    fn config_round_trips_through_toml_with_spec_defaults() {
        let c = PretrainConfig::default();
        let (o, s) = (&c.optimizer, &c.schedule);
        assert_eq!(
            (o.lr, o.beta_2, o.warmup_steps, s.batch_size, s.accumulation),
            (8e-4, 0.98, 500, 10, 25)
        );
        let text = c.to_toml();
        assert!(text.starts_with("seed = 42\n"), "{text}");
        assert!(
            text.contains("[masking.curriculum.cm-gems]\nthreshold = 1.0"),
            "{text}"
        );
        assert!(text.contains("[optimizer]\nlr = 0.0008"), "{text}");
        assert!(text.contains("[schedule]\nsteps = 10000"), "{text}");
        assert_eq!(PretrainConfig::from_toml(&text).unwrap(), c);
        let err = PretrainConfig::from_toml("[schedule]\nstepz = 3").unwrap_err();
        assert!(err.to_string().contains("stepz"), "{err}");
        let mut long = c.clone();
        long.data.seq_len = 600;
        let err = long.validate().unwrap_err();
        assert_eq!(err.key(), Some("data.seq_len"));
        assert!(err.to_string().starts_with("data.seq_len 600"), "{err}");
    }

    /// `config.toml` as runs before the sections wrote it: this one by a one-step run of
    /// the tiny preset (the fixture the CLI's resume test resumes too).
    const FLAT: &str = include_str!("../../tests/fixtures/flat-config.toml");

    #[test]
    fn a_config_of_the_flat_layout_still_reads() {
        let c = PretrainConfig::from_toml(FLAT).unwrap();
        assert_eq!((c.schedule.steps, c.schedule.batch_size), (1, 2));
        assert_eq!((c.data.synthetic_records, c.data.seq_len), (10, 128));
        assert_eq!(
            (c.model.preset.as_str(), c.backend.as_str()),
            ("tiny", "cpu")
        );
        assert_eq!((c.data.min_count, c.evaluation.eval_batches), (5, 1));
        assert_eq!(c.curriculum(), CurriculumConfig::cm_gems());
        assert_eq!((c.optimizer.lr, c.optimizer.warmup_steps), (8e-4, 500));
        c.validate().unwrap();
        // Written again, it is nested, and reads back the same.
        assert_eq!(PretrainConfig::from_toml(&c.to_toml()).unwrap(), c);
        // The masking keys become core's curriculum: CM-GEMS keeps its settings, CM-Step
        // runs over the steps, a fixed masker drops them.
        let with = |from: &str, to: &str| {
            assert!(FLAT.contains(from), "{from}");
            PretrainConfig::from_toml(&FLAT.replace(from, to)).unwrap()
        };
        let relative = with("cm_gems_threshold = 1.0", "cm_gems_threshold = \"1%\"");
        assert_eq!(
            relative.curriculum(),
            CurriculumConfig::CmGems {
                threshold: SwitchThreshold::Relative(0.01),
                patience: 1
            }
        );
        let step = with("masking = \"cm-gems\"", "masking = \"cm-step\"");
        assert_eq!(step.curriculum(), CurriculumConfig::CmStep { max_steps: 1 });
        let fixed = with("masking = \"cm-gems\"", "masking = \"global\"");
        assert_eq!(
            fixed.curriculum(),
            CurriculumConfig::Fixed(Strategy::Global)
        );
        let lookup = with("rank_lookup = \"kmer\"", "rank_lookup = \"position\"");
        assert_eq!(lookup.masking.rank_lookup, RankLookup::Position);
    }

    #[test]
    fn the_oldest_layout_and_mixed_layouts_read_or_say_why_not() {
        let old = "steps = 7\nlr = 0.002\nwarmup_steps = 3\npreset = \"tiny\"\n";
        let c = PretrainConfig::from_toml(old).unwrap();
        assert_eq!(
            (c.schedule.steps, c.optimizer.lr, c.optimizer.warmup_steps),
            (7, 2e-3, 3)
        );
        assert_eq!(c.optimizer.beta_2, 0.98);
        let err = PretrainConfig::from_toml("lr = 1.0\nstepz = 3\n").unwrap_err();
        assert!(err.to_string().contains("stepz"), "{err}");
        let twice = "lr = 1.0\n[optimizer]\nlr = 2.0\n";
        let err = PretrainConfig::from_toml(twice).unwrap_err();
        assert!(err.to_string().contains("twice"), "{err}");
        let twice = "steps = 3\n[schedule]\nsteps = 4\n";
        let err = PretrainConfig::from_toml(twice).unwrap_err();
        assert!(err.to_string().contains("`steps` is given twice"), "{err}");
    }

    #[test]
    fn cm_step_runs_over_the_run() {
        let mut c = PretrainConfig::default();
        c.set_curriculum(Masking::CmStep);
        assert_eq!(
            c.curriculum(),
            CurriculumConfig::CmStep { max_steps: 10_000 }
        );
        c.schedule.steps = 20;
        let err = c.validate().unwrap_err();
        assert_eq!(err.key(), Some("schedule.steps"));
        c.tie_cm_step_to_steps();
        assert_eq!(c.curriculum(), CurriculumConfig::CmStep { max_steps: 20 });
        c.validate().unwrap();
    }
}
