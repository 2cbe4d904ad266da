//! What the events carry: a pretraining step, evaluation and switch are each a line of
//! `metrics.jsonl` (serialised as they are), a fine-tuning step is what a progress bar shows.

use cmgems_core::mask::Strategy;
use serde::Serialize;

/// One optimizer step (a line of `metrics.jsonl`).
#[derive(Debug, Clone, Serialize)]
pub struct StepRecord {
    /// Optimizer steps done, this one included.
    pub step: u64,
    /// Mean micro-batch loss; `None` when no micro-batch had a label.
    pub loss: Option<f32>,
    /// The learning rate this step used.
    pub lr: f64,
    pub masker: Strategy,
    /// Masked tokens over maskable tokens.
    pub masked_share: f64,
    /// k-mer tokens per second of wall-clock time (timing: varies between runs).
    pub tokens_per_s: f64,
    /// Share of the step spent waiting for the data loader (timing).
    pub loader_share: f64,
}

/// One held-out evaluation (a line of `metrics.jsonl`).
#[derive(Debug, Clone, Serialize)]
pub struct EvalRecord {
    pub step: u64,
    pub eval_perplexity: f64,
    pub eval_loss: f64,
    /// The masker in use: each run is evaluated under its own curriculum's masker.
    pub eval_masker: Strategy,
    /// The unigram baseline on the same masked labels (docs/algorithms.md §8): training
    /// k-mer frequencies, add-one smoothed, averaged per batch as `eval_perplexity` is.
    /// `eval_perplexity` at or above it: nothing learned beyond frequencies. `null` when
    /// no held-out batch drew a label.
    pub unigram_perplexity: Option<f64>,
}

/// CM-GEMS switched from GeneMask to GLOBAL (a line of both files).
#[derive(Debug, Clone, Serialize)]
pub struct SwitchRecord {
    pub step: u64,
    /// Always `"switch"`.
    pub event: &'static str,
    pub from: Strategy,
    pub to: Strategy,
    pub previous_perplexity: f64,
    pub perplexity: f64,
}

/// What one fine-tuning optimizer step did.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct TuneStep {
    pub step: u64,
    pub total: u64,
    pub epoch: usize,
    pub loss: f32,
    pub lr: f64,
}
