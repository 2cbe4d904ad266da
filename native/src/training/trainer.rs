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
use crate::optim::OptimizerConfig;
use cmgems_core::SeededRng;

/// What the trainer needs to know about a run: its optimizer, its length (the schedule decays
/// to 0 at `total_steps`) and the micro-batches per step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainerConfig {
    pub optimizer: OptimizerConfig,
    pub total_steps: u64,
    pub accumulation: usize,
}

impl Default for TrainerConfig {
    /// The paper's pretraining (docs/algorithms.md §7.1): 10K steps of 25 micro-batches.
    fn default() -> Self {
        Self {
            optimizer: OptimizerConfig::default(),
            total_steps: 10_000,
            accumulation: 25,
        }
    }
}

impl TrainerConfig {
    pub fn schedule(&self) -> LinearWarmupDecay {
        LinearWarmupDecay {
            peak: self.optimizer.lr,
            warmup: self.optimizer.warmup_steps,
            total: self.total_steps,
        }
    }

    /// AdamW with HF's `no_decay = ["bias", "LayerNorm.weight"]` group (DNABERT's
    /// `run_pretrain.py` and the HF Trainer both exempt them; burn's AdamW alone decays all).
    pub fn optimizer(&self) -> ModuleOptimizer {
        let o = &self.optimizer;
        let adamw = |wd: f32| {
            AdamWConfig::new()
                .with_beta_1(o.beta_1)
                .with_beta_2(o.beta_2)
                .with_epsilon(o.epsilon)
                .with_weight_decay(wd)
        };
        // Burn paths: every `*.bias` (HF `bias`, `LayerNorm.bias`, `cls.predictions.bias`) and
        // both LayerNorm parameters (`layer_norm.gamma` is HF `LayerNorm.weight`).
        let no_decay = ParamGroup::from_any_predicates(vec!["bias", "layer_norm"]);
        adamw(o.weight_decay)
            .init()
            .with_group(no_decay, adamw(0.0).build(), None)
    }

    /// Reads a trainer config as checkpoints write it, or as earlier ones did (the optimizer
    /// keys beside `total_steps`), so that their runs still resume.
    pub fn deserialize_either<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<TrainerConfig, D::Error> {
        use serde::de::Error;
        let mut map = serde_json::Map::deserialize(d)?;
        OptimizerConfig::nest_flat_keys(&mut map).map_err(D::Error::custom)?;
        serde_json::from_value(serde_json::Value::Object(map)).map_err(D::Error::custom)
    }
}

/// Seeds each micro-batch's dropout masks from a stream that depends on nothing but the
/// run seed and its position in the run: resuming re-derives the same streams without
/// saving backend RNG state (which burn does not expose).
pub fn micro_batch_seed(run_seed: u64, step: u64, micro: usize) -> u64 {
    const DROPOUT_SALT: u64 = 0x0064_726f_706f_7574;
    SeededRng::derive(run_seed ^ DROPOUT_SALT, (step << 20) | micro as u64).next_u64()
}

/// Setting a backend's RNG seed and drawing from it (dropout in a forward pass) must not
/// interleave between data-parallel workers: burn's seed is one per backend, not per device.
static SEEDED_FORWARD: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Model + optimizer + step counter on one (autodiff) device, with optional further devices
/// for data-parallel steps.
pub struct Trainer {
    /// `None` only while an optimizer step holds the model by value.
    model: Option<BertForMaskedLM>,
    pub(crate) optim: ModuleOptimizer,
    pub config: TrainerConfig,
    /// Optimizer steps completed; the schedule position.
    pub step: u64,
    pub seed: u64,
    device: Device,
    /// Data-parallel workers' devices besides `device` (autodiff), in a fixed order.
    others: Vec<Device>,
}

/// What one device's share of an optimizer step gives back, on the main device.
struct Share {
    grads: GradientsParams,
    /// Sum of its micro-batch losses (each already divided by the labelled micro-batch count).
    loss: Option<Tensor<1>>,
}

impl Trainer {
    /// `device` must have autodiff enabled (`Device::flex().autodiff()`, ...).
    pub fn new(model: BertForMaskedLM, config: TrainerConfig, seed: u64, device: Device) -> Self {
        assert!(device.is_autodiff(), "training needs an autodiff device");
        Self {
            model: Some(model),
            optim: config.optimizer(),
            config,
            step: 0,
            seed,
            device,
            others: Vec::new(),
        }
    }

    /// Data parallel over `others` too (autodiff devices): each optimizer step's micro-batches
    /// are dealt round-robin to the main device and these, each works on a replica of the
    /// model, and the gradients are summed on the main device, where AdamW runs. The update is
    /// the single-device one up to the order of floating-point sums (burn's `Learner` does the
    /// same with its `OptimMainDevice` strategy).
    pub fn with_devices(mut self, others: Vec<Device>) -> Self {
        assert!(
            others.iter().all(Device::is_autodiff),
            "training needs autodiff devices"
        );
        self.others = others;
        self
    }

    pub fn model(&self) -> &BertForMaskedLM {
        self.model.as_ref().expect("model present between steps")
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    /// How many devices share each step.
    pub fn device_count(&self) -> usize {
        1 + self.others.len()
    }

    /// One optimizer step over `micro_batches` (normally `config.accumulation` of them).
    ///
    /// Returns the mean of the micro-batch losses, as HF logs it. Each micro-batch loss is
    /// divided by the count before backward, so the summed gradient is that of the mean.
    /// Micro-batches without any label are skipped; if all are, no update happens and the
    /// result is `None` (the schedule still advances, as the step counter does).
    pub fn train_step(&mut self, micro_batches: &[MlmBatch]) -> Option<f32> {
        let labelled: Vec<(usize, &MlmBatch)> = micro_batches
            .iter()
            .enumerate()
            .filter(|(_, b)| b.has_labels())
            .collect();
        if labelled.is_empty() {
            self.step += 1;
            return None;
        }
        let model = self.model.take().expect("model present between steps");
        let n = labelled.len();
        let workers = self.device_count().min(n);
        // Micro-batch i goes to worker i mod workers; worker 0 (the main device) runs on this
        // thread, so a one-device run spawns nothing.
        let deal = |w: usize| -> Vec<(usize, &MlmBatch)> {
            labelled.iter().skip(w).step_by(workers).copied().collect()
        };
        let devices: Vec<&Device> = std::iter::once(&self.device)
            .chain(&self.others)
            .take(workers)
            .collect();
        let (seed, step, main) = (self.seed, self.step, &self.device);
        let shares: Vec<Share> = std::thread::scope(|scope| {
            let spawned: Vec<_> = devices[1..]
                .iter()
                .enumerate()
                .map(|(w, &device)| {
                    let (replica, mine) = (model.clone(), deal(w + 1));
                    scope.spawn(move || work(&replica, device, main, &mine, n, seed, step))
                })
                .collect();
            let mut shares = vec![work(&model, main, main, &deal(0), n, seed, step)];
            for handle in spawned {
                shares.push(
                    handle
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                );
            }
            shares
        });
        // Summed in device order, so a run is reproducible for a given device count.
        let mut accumulator = GradientsAccumulator::<BertForMaskedLM>::new();
        let mut logged: Option<Tensor<1>> = None;
        for share in shares {
            accumulator.accumulate(&model, share.grads);
            logged = match (logged, share.loss) {
                (Some(a), Some(b)) => Some(a + b),
                (a, b) => a.or(b),
            };
        }
        let lr = self.config.schedule().lr(self.step);
        let grads = match self.config.optimizer.max_grad_norm {
            Some(max) => super::clip_grad_norm(&model, accumulator.grads(), max).0,
            None => accumulator.grads(),
        };
        self.model = Some(self.optim.step(lr, model, grads));
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

/// One device's share of a step: forward and backward of its micro-batches (`(index in the
/// step, batch)`) on a replica of `model` forked to `device`, the gradients summed there and
/// moved to `main`. `n` is the step's labelled micro-batch count (each loss is divided by it).
fn work(
    model: &BertForMaskedLM,
    device: &Device,
    main: &Device,
    mine: &[(usize, &MlmBatch)],
    n: usize,
    seed: u64,
    step: u64,
) -> Share {
    // A fork is a fresh leaf of the autodiff graph for every parameter (same ids), so workers
    // never share a graph, even on one device.
    let replica = model.clone().fork(device);
    let dropout = replica.bert.uses_dropout();
    let mut accumulator = GradientsAccumulator::<BertForMaskedLM>::new();
    let mut loss_sum: Option<Tensor<1>> = None;
    for &(i, batch) in mine {
        let b = batch.to_device(device);
        let loss = {
            // Without dropout nothing is drawn, and workers need not wait for each other.
            let _seeded = dropout.then(|| SEEDED_FORWARD.lock().unwrap_or_else(|e| e.into_inner()));
            device.seed(micro_batch_seed(seed, step, i));
            let logits = replica.forward_at(b.input_ids, &b.mask, b.positions);
            cross_entropy(logits, b.targets).div_scalar(n as f64)
        };
        let value = loss.clone().detach();
        loss_sum = Some(match loss_sum {
            Some(sum) => sum + value,
            None => value,
        });
        let grads = GradientsParams::from_grads(loss.backward(), &replica);
        accumulator.accumulate(&replica, grads);
    }
    Share {
        grads: accumulator.grads().to_device(main, &replica),
        loss: loss_sum.map(|l| l.to_device(main)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trainer_configs_of_checkpoints_before_the_nested_layout_still_read() {
        #[derive(Deserialize)]
        struct State {
            #[serde(deserialize_with = "TrainerConfig::deserialize_either")]
            optim: TrainerConfig,
        }
        let old = r#"{"optim": {"lr": 0.002, "beta_1": 0.9, "beta_2": 0.98, "epsilon": 1e-6,
            "weight_decay": 0.01, "warmup_steps": 5, "total_steps": 30, "accumulation": 2}}"#;
        let c = serde_json::from_str::<State>(old).unwrap().optim;
        assert_eq!((c.optimizer.lr, c.optimizer.warmup_steps), (2e-3, 5));
        assert_eq!((c.total_steps, c.accumulation), (30, 2));
        let new = serde_json::json!({ "optim": TrainerConfig::default() });
        let back = serde_json::from_value::<State>(new).unwrap().optim;
        assert_eq!(back, TrainerConfig::default());
    }

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
