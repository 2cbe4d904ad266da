//! One optimizer step = `accumulation` micro-batches of forward + backward, gradients summed,
//! then AdamW at the scheduled learning rate (HF Trainer semantics).

use burn::module::{Module, ParamGroup};
use burn::optim::{AdamWConfig, GradientsAccumulator, GradientsParams, ModuleOptimizer};
use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};

use super::batch::MlmBatch;
use super::loss::cross_entropy;
use super::schedule::LinearWarmupDecay;
use crate::model::BertForMaskedLM;
use cmgems_core::SeededRng;

/// Optimizer and schedule settings; defaults are SPEC §7's GeneMask pretraining recipe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptimConfig {
    pub lr: f64,
    pub beta_1: f32,
    pub beta_2: f32,
    pub epsilon: f32,
    pub weight_decay: f32,
    pub warmup_steps: u64,
    pub total_steps: u64,
    pub accumulation: usize,
}

impl Default for OptimConfig {
    fn default() -> Self {
        Self {
            lr: 8e-4,
            beta_1: 0.9,
            beta_2: 0.98,
            epsilon: 1e-6,
            weight_decay: 0.01,
            warmup_steps: 500,
            total_steps: 10_000,
            accumulation: 25,
        }
    }
}

impl OptimConfig {
    pub fn schedule(&self) -> LinearWarmupDecay {
        LinearWarmupDecay {
            peak: self.lr,
            warmup: self.warmup_steps,
            total: self.total_steps,
        }
    }

    /// AdamW with HF's `no_decay = ["bias", "LayerNorm.weight"]` group (DNABERT's
    /// `run_pretrain.py` and the HF Trainer both exempt them; burn's AdamW alone decays all).
    pub fn optimizer(&self) -> ModuleOptimizer {
        let adamw = |wd: f32| {
            AdamWConfig::new()
                .with_beta_1(self.beta_1)
                .with_beta_2(self.beta_2)
                .with_epsilon(self.epsilon)
                .with_weight_decay(wd)
        };
        // Burn paths: every `*.bias` (HF `bias`, `LayerNorm.bias`, `cls.predictions.bias`) and
        // both LayerNorm parameters (`layer_norm.gamma` is HF `LayerNorm.weight`).
        let no_decay = ParamGroup::from_any_predicates(vec!["bias", "layer_norm"]);
        adamw(self.weight_decay)
            .init()
            .with_group(no_decay, adamw(0.0).build(), None)
    }
}

/// Seeds each micro-batch's dropout masks from a stream that depends on nothing but the
/// run seed and its position in the run: resuming re-derives the same streams without
/// saving backend RNG state (which burn does not expose).
pub fn micro_batch_seed(run_seed: u64, step: u64, micro: usize) -> u64 {
    const DROPOUT_SALT: u64 = 0x0064_726f_706f_7574;
    SeededRng::derive(run_seed ^ DROPOUT_SALT, (step << 20) | micro as u64).next_u64()
}

/// Model + optimizer + step counter on one (autodiff) device.
pub struct Trainer {
    /// `None` only while an optimizer step holds the model by value.
    model: Option<BertForMaskedLM>,
    pub(crate) optim: ModuleOptimizer,
    pub config: OptimConfig,
    /// Optimizer steps completed; the schedule position.
    pub step: u64,
    pub seed: u64,
    device: Device,
}

impl Trainer {
    /// `device` must have autodiff enabled (`Device::flex().autodiff()`, ...).
    pub fn new(model: BertForMaskedLM, config: OptimConfig, seed: u64, device: Device) -> Self {
        assert!(device.is_autodiff(), "training needs an autodiff device");
        Self {
            model: Some(model),
            optim: config.optimizer(),
            config,
            step: 0,
            seed,
            device,
        }
    }

    pub fn model(&self) -> &BertForMaskedLM {
        self.model.as_ref().expect("model present between steps")
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    /// One optimizer step over `micro_batches` (normally `config.accumulation` of them).
    ///
    /// Returns the mean of the micro-batch losses, as HF logs it. Each micro-batch loss is
    /// divided by the count before backward, so the summed gradient is that of the mean.
    /// Micro-batches without any label are skipped; if all are, no update happens and the
    /// result is `None` (the schedule still advances, as the step counter does).
    pub fn train_step(&mut self, micro_batches: &[MlmBatch]) -> Option<f32> {
        let n = micro_batches.iter().filter(|b| b.has_labels()).count();
        if n == 0 {
            self.step += 1;
            return None;
        }
        let model = self.model.take().expect("model present between steps");
        let mut accumulator = GradientsAccumulator::<BertForMaskedLM>::new();
        let mut logged: Option<Tensor<1>> = None;
        for (i, batch) in micro_batches.iter().enumerate() {
            if !batch.has_labels() {
                continue;
            }
            self.device.seed(micro_batch_seed(self.seed, self.step, i));
            let b = batch.to_device(&self.device);
            let logits = model.forward_at(b.input_ids, &b.mask, b.positions);
            let loss = cross_entropy(logits, b.targets).div_scalar(n as f64);
            let value = loss.clone().detach();
            logged = Some(match logged {
                Some(sum) => sum + value,
                None => value,
            });
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            accumulator.accumulate(&model, grads);
        }
        let lr = self.config.schedule().lr(self.step);
        self.model = Some(self.optim.step(lr, model, accumulator.grads()));
        self.step += 1;
        Some(logged.expect("at least one micro-batch").into_scalar())
    }

    /// Mean MLM loss of `batch` without gradients or dropout (for eval perplexity).
    pub fn eval_loss(&self, batch: &MlmBatch) -> f32 {
        let model = self.model().valid();
        let device = self.device.clone().without_autodiff();
        let b = batch.to_device(&device);
        cross_entropy(
            model.forward_at(b.input_ids, &b.mask, b.positions),
            b.targets,
        )
        .into_scalar()
    }

    pub(crate) fn replace_optim(&mut self, optim: ModuleOptimizer) {
        self.optim = optim;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn micro_batch_seeds_differ_across_steps_and_micro_batches() {
        let seeds = [
            micro_batch_seed(1, 0, 0),
            micro_batch_seed(1, 0, 1),
            micro_batch_seed(1, 1, 0),
            micro_batch_seed(2, 0, 0),
        ];
        for (i, a) in seeds.iter().enumerate() {
            for b in &seeds[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }
}
