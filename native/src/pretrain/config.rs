//! Everything a pretraining run depends on, as one serialisable config: the CLI fills it,
//! the run writes it to `config.toml` beside its outputs, and `--config` or `--resume`
//! reads it back, so a run can be repeated exactly.

use cmgems_core::curriculum::CurriculumConfig;
use cmgems_core::mask::{RandomIds, Strategy};
use cmgems_core::RankLookup;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Which masker or curriculum drives the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Masking {
    Random,
    Genemask,
    Global,
    CmStep,
    CmGems,
}

/// A pretraining run (SPEC §5-7 defaults).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PretrainConfig {
    /// FASTA(.gz) / k-mer text files; empty = the embedded SYNTHETIC corpus.
    pub corpus: Vec<PathBuf>,
    /// Size of the synthetic corpus when `corpus` is empty.
    pub synthetic_records: usize,
    pub synthetic_record_len: usize,
    /// NPMI table (JSON or the authors' CSV); `None` = count one from the corpus.
    pub table: Option<PathBuf>,
    /// Minimum count c when the table is counted here.
    pub min_count: u64,
    /// `tiny`, `logo` or `dnabert6`, unless `model_config` names an HF config.json.
    pub preset: String,
    pub model_config: Option<PathBuf>,
    /// `auto` (default: a GPU through wgpu, else the CPU), `wgpu`, `cuda` or `cpu`.
    pub backend: String,
    /// Devices of `backend` that share each step (data parallel); 1 = no parallelism.
    pub devices: usize,
    pub masking: Masking,
    pub rank_lookup: RankLookup,
    pub random_ids: RandomIds,
    /// CM-GEMS: switch when the perplexity drop is below this (points, or "0.5%" of the
    /// current perplexity) ...
    pub cm_gems_threshold: cmgems_core::SwitchThreshold,
    /// ... for this many consecutive evaluation pairs.
    pub cm_gems_patience: u32,
    pub steps: u64,
    pub lr: f64,
    pub beta_1: f32,
    pub beta_2: f32,
    pub epsilon: f32,
    pub weight_decay: f32,
    pub warmup_steps: u64,
    /// Rows per micro-batch.
    pub batch_size: usize,
    /// Micro-batches per optimizer step.
    pub accumulation: usize,
    /// Positions per row, [CLS] and [SEP] included.
    pub seq_len: usize,
    pub eval_every: u64,
    /// Held-out micro-batches per evaluation.
    pub eval_batches: usize,
    pub checkpoint_every: u64,
    /// Checkpoints kept on disk (oldest removed first).
    pub keep_checkpoints: usize,
    pub held_out_share: f64,
    /// Drop pieces identical to an earlier one (the authors de-duplicated).
    pub dedup: bool,
    pub seed: u64,
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
            lr: 8e-4,
            beta_1: 0.9,
            beta_2: 0.98,
            epsilon: 1e-6,
            weight_decay: 0.01,
            warmup_steps: 500,
            batch_size: 10,
            accumulation: 25,
            seq_len: 512,
            eval_every: 500,
            eval_batches: 20,
            checkpoint_every: 1000,
            keep_checkpoints: 2,
            held_out_share: 0.1,
            dedup: true,
            seed: 42,
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
    pub fn validate(&self) -> Result<(), String> {
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
        for (name, v) in positive {
            if v == 0 {
                return Err(format!("`{name}` must be at least 1"));
            }
        }
        if !(7..=512).contains(&self.seq_len) {
            return Err(format!("`seq_len` {} is outside 7..=512", self.seq_len));
        }
        if !(self.lr > 0.0 && self.lr.is_finite()) {
            return Err(format!("`lr` {} must be a positive number", self.lr));
        }
        if !(0.0..1.0).contains(&self.held_out_share) {
            return Err(format!(
                "`held_out_share` {} is outside [0, 1)",
                self.held_out_share
            ));
        }
        self.curriculum().validate().map_err(|e| e.to_string())
    }

    /// The TOML text written to `config.toml`.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("the config serialises")
    }

    /// Reads a `config.toml`.
    pub fn from_toml(text: &str) -> Result<PretrainConfig, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_round_trips_through_toml_with_spec_defaults() {
        let c = PretrainConfig::default();
        assert_eq!(
            (c.lr, c.beta_2, c.warmup_steps, c.batch_size, c.accumulation),
            (8e-4, 0.98, 500, 10, 25)
        );
        let text = c.to_toml();
        assert!(text.contains("masking = \"cm-gems\""), "{text}");
        assert_eq!(PretrainConfig::from_toml(&text).unwrap(), c);
        assert!(PretrainConfig::from_toml("stepz = 3").is_err());
        assert!(PretrainConfig { seq_len: 600, ..c }.validate().is_err());
    }
}
