//! Training and evaluating `BertForSequenceClassification`: HF Trainer semantics (AdamW with
//! the no-decay group, linear warmup and decay, one optimizer step per batch), shuffled per
//! epoch by a seeded stream so a run is a function of its seed.

use burn::optim::GradientsParams;
use burn::tensor::activation::softmax;
use burn::tensor::{Device, Int, Tensor, TensorData};
use cmgems_core::eval::metrics::classification_report;
use cmgems_core::tokenize::vocab::PAD_ID;
use cmgems_core::{ClassificationReport, SeededRng};

use super::data::{Example, LabeledSet};
use super::recipe::Recipe;
use super::select::BestDev;
use super::FinetuneError;
use crate::events::{Control, Event, Observers, Stage, TuneStep};
use crate::model::{BertForSequenceClassification, PaddingMask};
use crate::optim::OptimizerConfig;
use crate::training::{clip_grad_norm, cross_entropy, micro_batch_seed, TrainerConfig};

/// One padded batch on the host (also `crate::probe`'s).
pub(crate) struct HostBatch {
    rows: usize,
    seq: usize,
    pub(crate) ids: Vec<i64>,
    attention: Vec<i64>,
    labels: Vec<i64>,
}

impl HostBatch {
    /// Pads to the longest example of the batch (not to the recipe's length: few-shot
    /// Prom-core examples are 67 positions, and attention cost grows with the square).
    fn new(examples: &[&Example]) -> HostBatch {
        let seq = examples.iter().map(|e| e.ids.len()).max().unwrap_or(2);
        let rows = examples.len();
        let mut ids = vec![PAD_ID as i64; rows * seq];
        let mut attention = vec![0i64; rows * seq];
        for (r, e) in examples.iter().enumerate() {
            for (c, &id) in e.ids.iter().enumerate() {
                ids[r * seq + c] = id as i64;
                attention[r * seq + c] = 1;
            }
        }
        HostBatch {
            rows,
            seq,
            ids,
            attention,
            labels: examples.iter().map(|e| e.label as i64).collect(),
        }
    }

    fn upload(&self, device: &Device) -> (Tensor<2, Int>, PaddingMask, Tensor<1, Int>) {
        let shape = [self.rows, self.seq];
        let ids = Tensor::<2, Int>::from_data(TensorData::new(self.ids.clone(), shape), device);
        let mask = if self.attention.iter().all(|&a| a == 1) {
            PaddingMask::none()
        } else {
            PaddingMask::from_attention_mask(Tensor::<2, Int>::from_data(
                TensorData::new(self.attention.clone(), shape),
                device,
            ))
        };
        let labels =
            Tensor::<1, Int>::from_data(TensorData::new(self.labels.clone(), [self.rows]), device);
        (ids, mask, labels)
    }
}

/// Fine-tunes `model` (on an autodiff `device`) on `train` with `recipe`, telling
/// `observers` each step as `stage`'s.
///
/// A non-finite loss stops the run with an error rather than training on garbage, and so
/// does an observer's [`Control::Stop`] (fine-tuning keeps no checkpoint to resume; a
/// [`Control::Save`] is ignored).
pub fn train(
    model: BertForSequenceClassification,
    train: &LabeledSet,
    recipe: &Recipe,
    seed: u64,
    device: &Device,
    (stage, observers): (&Stage, &mut Observers),
    mut best: Option<&mut BestDev>,
) -> Result<BertForSequenceClassification, FinetuneError> {
    assert!(device.is_autodiff(), "fine-tuning needs an autodiff device");
    let total = recipe.total_steps(train.len());
    let optim_config = TrainerConfig {
        optimizer: OptimizerConfig::hf_trainer(
            recipe.lr,
            recipe.weight_decay,
            recipe.warmup_steps(total),
        ),
        total_steps: total,
        accumulation: 1,
    };
    let schedule = optim_config.schedule();
    let mut optim = optim_config.optimizer();
    let mut model = model;
    let mut order: Vec<usize> = (0..train.len()).collect();
    let mut step = 0u64;
    let start = Event::Start {
        stage,
        out: None,
        start: 0,
        total,
    };
    let mut control = observers.emit(&start)?;
    'epochs: for epoch in 0..recipe.epochs {
        shuffle(&mut order, &mut SeededRng::derive(seed, epoch as u64));
        for chunk in order.chunks(recipe.batch_size.max(1)) {
            if step >= total {
                break 'epochs;
            }
            if control == Control::Stop {
                return Err(FinetuneError::Stopped { step });
            }
            let examples: Vec<&Example> = chunk.iter().map(|&i| &train.examples[i]).collect();
            device.seed(micro_batch_seed(seed, step, 0));
            let max_norm = optim_config.optimizer.max_grad_norm;
            let (grads, value) = gradients(&model, &examples, device, max_norm, step)?;
            let lr = schedule.lr(step);
            model = optim.step(lr, model, grads);
            step += 1;
            if let Some(b) = best.as_deref_mut() {
                b.after_step(step, step >= total, &model, device);
            }
            let done = TuneStep {
                step,
                total,
                epoch,
                loss: value,
                lr,
            };
            control = observers.emit(&Event::TuneStep { stage, step: &done })?;
        }
    }
    if let Some(b) = best {
        b.after_step(step, true, &model, device); // a run cut short by max_steps
    }
    observers.emit(&Event::End {
        stage,
        step,
        stopped: false,
    })?;
    Ok(model)
}

/// The loss of one batch and its gradients, clipped at global norm `max_norm` when given; a
/// non-finite loss is an error naming the step it would have been.
fn gradients(
    model: &BertForSequenceClassification,
    examples: &[&Example],
    device: &Device,
    max_norm: Option<f32>,
    step: u64,
) -> Result<(GradientsParams, f32), FinetuneError> {
    let (ids, mask, labels) = HostBatch::new(examples).upload(device);
    let loss = cross_entropy(model.forward(ids, &mask), labels);
    let value: f32 = loss.clone().detach().into_scalar();
    if !value.is_finite() {
        return Err(FinetuneError::Diverged {
            step: step + 1,
            loss: value,
        });
    }
    let grads = GradientsParams::from_grads(loss.backward(), model);
    Ok(match max_norm {
        Some(max) => (clip_grad_norm(model, grads, max).0, value),
        None => (grads, value),
    })
}

/// Fisher-Yates with the crate's seeded stream (core has no shuffle of its own to reuse).
fn shuffle(items: &mut [usize], rng: &mut SeededRng) {
    for i in (1..items.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        items.swap(i, j);
    }
}

/// Class probabilities of every example of `set`, row-major `[n, num_labels]`.
pub fn predict(
    model: &BertForSequenceClassification,
    set: &LabeledSet,
    device: &Device,
    batch_size: usize,
) -> Vec<f64> {
    map_batches(set, device, batch_size, |_, ids, mask| {
        softmax(model.forward(ids, mask), 1)
    })
}

/// Runs `forward` on `set` in padded batches of `batch_size` on `device` and gathers its
/// `[rows, width]` outputs row-major (class probabilities here, embeddings in
/// `crate::probe`). `forward` also gets the host batch, for its token ids.
pub(crate) fn map_batches(
    set: &LabeledSet,
    device: &Device,
    batch_size: usize,
    mut forward: impl FnMut(&HostBatch, Tensor<2, Int>, &PaddingMask) -> Tensor<2>,
) -> Vec<f64> {
    let mut out = Vec::new();
    for chunk in set.examples.chunks(batch_size.max(1)) {
        let examples: Vec<&Example> = chunk.iter().collect();
        let host = HostBatch::new(&examples);
        let (ids, mask, _) = host.upload(device);
        let values: Vec<f32> = forward(&host, ids, &mask)
            .into_data()
            .try_to_vec::<f32>()
            .expect("f32 outputs");
        out.extend(values.into_iter().map(f64::from));
    }
    out
}

/// All docs/algorithms.md §8 metrics of `model` on `set` (AUC where both classes are present).
pub fn evaluate(
    model: &BertForSequenceClassification,
    set: &LabeledSet,
    device: &Device,
    batch_size: usize,
    num_labels: usize,
) -> Result<ClassificationReport, FinetuneError> {
    set.check_labels(num_labels)?;
    let probs = predict(model, set, device, batch_size);
    let y_pred: Vec<usize> = probs
        .chunks_exact(num_labels)
        .map(|row| {
            row.iter()
                .enumerate()
                .fold((0, f64::NEG_INFINITY), |best, (i, &p)| {
                    if p > best.1 {
                        (i, p)
                    } else {
                        best
                    }
                })
                .0
        })
        .collect();
    let y_true = set.labels();
    let present = set.class_counts.iter().filter(|&&c| c > 0).count();
    let scores = (present >= 2).then_some((probs.as_slice(), num_labels));
    classification_report(&y_true, &y_pred, scores, num_labels)
        .map_err(|source| metrics_error(set, source))
}

/// A metric (or the probe) refused `set`'s scores: the error names its file.
pub(crate) fn metrics_error(set: &LabeledSet, source: cmgems_core::CoreError) -> FinetuneError {
    FinetuneError::Metrics {
        path: set.path.clone(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_batch_pads_to_the_longest_example_with_zero_attention() {
        let a = Example {
            ids: vec![2, 10, 3],
            label: 1,
            line: 2,
            truncated: false,
            unknown_tokens: 0,
        };
        let b = Example {
            ids: vec![2, 3],
            label: 0,
            line: 3,
            truncated: false,
            unknown_tokens: 0,
        };
        let batch = HostBatch::new(&[&a, &b]);
        assert_eq!((batch.rows, batch.seq), (2, 3));
        assert_eq!(batch.ids, [2, 10, 3, 2, 3, 0]);
        assert_eq!(batch.attention, [1, 1, 1, 1, 1, 0]);
        assert_eq!(batch.labels, [1, 0]);
    }

    #[test]
    fn shuffle_is_a_seeded_permutation() {
        let mut a: Vec<usize> = (0..50).collect();
        let mut b = a.clone();
        shuffle(&mut a, &mut SeededRng::derive(3, 0));
        shuffle(&mut b, &mut SeededRng::derive(3, 0));
        assert_eq!(a, b);
        assert_ne!(a, (0..50).collect::<Vec<_>>());
        let mut sorted = a.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..50).collect::<Vec<_>>());
    }
}
