//! Which fine-tuned model is scored: DNABERT-2's `train.py` evaluates the dev set every
//! `eval_steps` and, with `load_best_model_at_end=True` (metric: the dev loss), scores the
//! checkpoint of the lowest dev loss, not the last (docs/algorithms.md §7.3).

use burn::module::Module;
use burn::tensor::Device;

use super::classifier::predict;
use super::data::LabeledSet;
use crate::model::BertForSequenceClassification;

/// The dev loss every `every` optimizer steps and after the last, and the model of the lowest
/// (the earliest on ties: HF replaces the best only on a strictly lower loss).
pub struct BestDev<'a> {
    dev: &'a LabeledSet,
    every: u64,
    batch_size: usize,
    /// (dev loss, step) of the best evaluation, and its model until taken.
    best: Option<(f64, u64)>,
    model: Option<BertForSequenceClassification>,
    last: Option<(u64, f64)>,
}

impl<'a> BestDev<'a> {
    /// Watches `dev` (scored in batches of `batch_size`) every `every` steps (at least 1).
    pub fn new(dev: &'a LabeledSet, every: u64, batch_size: usize) -> BestDev<'a> {
        BestDev {
            dev,
            every: every.max(1),
            batch_size,
            best: None,
            model: None,
            last: None,
        }
    }

    /// Called after optimizer step `step` (1-based); evaluates at multiples of `every` and at
    /// the `last` step, once each.
    pub fn after_step(
        &mut self,
        step: u64,
        last: bool,
        model: &BertForSequenceClassification,
        device: &Device,
    ) {
        let due = step.is_multiple_of(self.every) || last;
        if !due || self.last.is_some_and(|(s, _)| s == step) {
            return;
        }
        let inference = device.clone().without_autodiff();
        let loss = dev_loss(&model.valid(), self.dev, &inference, self.batch_size);
        self.last = Some((step, loss));
        if self.best.is_none_or(|(b, _)| loss < b) {
            self.best = Some((loss, step));
            self.model = Some(model.clone());
        }
    }

    /// The model of the lowest dev loss (once; `None` when nothing was evaluated).
    pub fn take_model(&mut self) -> Option<BertForSequenceClassification> {
        self.model.take()
    }

    /// The evaluation chosen and the last one.
    pub fn selected(&self) -> Option<Selected> {
        let (dev_loss, step) = self.best?;
        Some(Selected {
            step,
            dev_loss,
            last: self.last?,
        })
    }
}

/// The checkpoint a [`BestDev`] chose, and the last evaluation's (step, dev loss).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Selected {
    pub step: u64,
    pub dev_loss: f64,
    pub last: (u64, f64),
}

/// Mean cross-entropy of `set` under `model` (HF's `eval_loss`): the mean over examples of
/// −ln p(label).
pub fn dev_loss(
    model: &BertForSequenceClassification,
    set: &LabeledSet,
    device: &Device,
    batch_size: usize,
) -> f64 {
    let probs = predict(model, set, device, batch_size);
    let labels = set.labels();
    let width = probs.len() / labels.len().max(1);
    let total: f64 = probs
        .chunks_exact(width.max(1))
        .zip(&labels)
        .map(|(row, &y)| -row[y].max(f64::MIN_POSITIVE).ln())
        .sum();
    total / labels.len().max(1) as f64
}
