//! Training parity with PyTorch: the same initial weights (exported with `write_hf_folder`, as
//! `train export` does) trained on the same masked micro-batches with the same AdamW and
//! schedule give the same loss curve in cmgems (its `Trainer`) and in `transformers` +
//! `torch.optim.AdamW` (tests/python/train_parity.py). Forward-only round trips
//! (`hf_python.rs`) cannot see a wrong gradient, optimizer update, weight-decay group or
//! learning-rate schedule; this can.
//!
//! Needs Python with torch and transformers (`$CMGEMS_PYTHON`, else `python3`); skips with a
//! message without them, unless `CMGEMS_REQUIRE_PYTHON=1` (CI) makes that a failure.

use std::path::Path;

use crate::common::python::{python, run_script, script};
use burn::tensor::Device;
use cmgems_core::input::synthetic::SyntheticConfig;
use cmgems_core::mask::{MaskConfig, Masker, Strategy};
use cmgems_core::{RankTable, SamplerConfig, Vocab, K};
use cmgems_native::hf::write_hf_folder;
use cmgems_native::model::{BertConfig, BertForMaskedLM, Preset};
use cmgems_native::optim::OptimizerConfig;
use cmgems_native::pretrain::batches::{mask, EpochPermutation};
use cmgems_native::pretrain::{BatchPlan, Corpus, PieceSet};
use cmgems_native::training::{MlmBatch, Trainer, TrainerConfig};

const STEPS: u64 = 30;
const ACCUMULATION: usize = 2;
const ROWS: usize = 4;
const SEQ: usize = 64;
const SEED: u64 = 11;

/// Largest allowed |loss difference| at any of the `STEPS` steps.
///
/// Measured (Flex CPU backend against torch 2.15 CPU, fp32): at most 1.4e-6 over the 30 steps,
/// one or two float ulps of a loss near 8.3, so the two trainings agree to rounding. 1e-4
/// leaves ~70x for other CPUs' summation orders, yet every deliberate mistake tried on the
/// torch side breaks it (max |difference| over the curve): weight decay x0.9 1.0e-3, lr x1.01
/// 1.3e-2, epsilon 1e-8 5.9e-3, beta_2 0.999 1.4e-2, warmup one step shorter 3.0e-2,
/// total steps one more 1.6e-2, LayerNorm weights decayed 2.9e-2, untied decoder 3.2e-2,
/// frozen position embeddings 4.0e-2; the smallest, biases decayed as well, 2.7e-4.
const TOLERANCE: f64 = 1e-4;

/// `count` micro-batches of the pretraining path (`BatchPlan`, core's random-span masker) from
/// pieces of the embedded synthetic corpus short enough for `SEQ`, so rows are padded.
fn masked_batches(count: usize) -> Vec<MlmBatch> {
    let corpus = Corpus::synthetic(&SyntheticConfig {
        records: 20,
        record_len: 2000,
        ..SyntheticConfig::default()
    });
    let sampler = SamplerConfig {
        max_tokens: SEQ - 2,
        ..SamplerConfig::default()
    };
    let set = PieceSet::cut(&corpus, sampler, false).unwrap();
    let plan = BatchPlan {
        rows: ROWS,
        seq_len: SEQ,
        seed: SEED,
    };
    let vocab = Vocab::new(K::SIX);
    // Random span does not read the ranks; the masker wants a table all the same.
    let table = RankTable::from_ranks(K::SIX, (1..=4096).collect()).unwrap();
    let mut masker = Masker::new(table, MaskConfig::default()).unwrap();
    let mut permutation = EpochPermutation::default();
    // A micro-batch can draw no label; the trainer would skip it, torch would give NaN.
    (0..)
        .map(|i| {
            let pieces = plan.pieces(&set, i, &mut permutation);
            let tokens = plan.tokens(&corpus, &vocab, i, &pieces);
            MlmBatch::from(&mask(&mut masker, Strategy::RandomSpan, &tokens, SEED))
        })
        .filter(MlmBatch::has_labels)
        .take(count)
        .collect()
}

/// A short run that moves the weights a lot: a high peak lr after a warmup, decay to 0 at the
/// last step, and a weight decay large enough that decaying the wrong group shows in the loss.
fn trainer_config() -> TrainerConfig {
    TrainerConfig {
        optimizer: OptimizerConfig {
            lr: 1e-2,
            warmup_steps: 5,
            weight_decay: 0.5,
            ..OptimizerConfig::default()
        },
        total_steps: STEPS,
        accumulation: ACCUMULATION,
    }
}

fn rows(v: &[i64]) -> Vec<&[i64]> {
    v.chunks(SEQ).collect()
}

fn write_run(path: &Path, config: &TrainerConfig, batches: &[MlmBatch]) {
    let batches: Vec<_> = batches
        .iter()
        .map(|b| {
            serde_json::json!({
                "input_ids": rows(&b.input_ids),
                "attention_mask": rows(&b.attention_mask),
                "labels": rows(&b.labels),
            })
        })
        .collect();
    let run = serde_json::json!({"trainer": config, "batches": batches});
    std::fs::write(path, run.to_string()).unwrap();
}

/// The per-step losses of `train_parity.py` training the export of `model` on `batches`.
fn pytorch_losses(
    python: &str,
    model: &BertForMaskedLM,
    config: &BertConfig,
    trainer: &TrainerConfig,
    batches: &[MlmBatch],
) -> Vec<f64> {
    let tmp = tempfile::tempdir().unwrap();
    let hf = tmp.path().join("hf");
    write_hf_folder(model, config, "BertForMaskedLM", None, &hf).unwrap();
    let run = tmp.path().join("run.json");
    write_run(&run, trainer, batches);
    let out = tmp.path().join("losses.json");
    let args = [&hf, &run, &out].map(|p| p.to_str().unwrap().to_string());
    run_script(
        python,
        &script("train_parity.py"),
        &[&args[0], &args[1], &args[2]],
    );
    serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap()
}

/// Per optimizer step, the mean of `loss` over its micro-batches (what `train_step` logs).
fn step_means(batches: &[MlmBatch], mut loss: impl FnMut(&MlmBatch) -> f32) -> Vec<f64> {
    batches
        .chunks(ACCUMULATION)
        .map(|step| step.iter().map(|b| f64::from(loss(b))).sum::<f64>() / step.len() as f64)
        .collect()
}

fn max_abs_difference(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

#[test]
fn training_gives_the_loss_curve_of_pytorch() {
    let Some(python) = python() else { return };
    same_curve_as_pytorch(&python, trainer_config());
}

/// The same clipped step in burn and torch: a `max_grad_norm` below the gradients' global norm
/// (the tiny model's is ~1-10 on these batches), so most steps are clipped, gives torch's
/// `clip_grad_norm_` curve; a per-parameter clip (burn's `GradientClippingConfig::Norm`) would
/// not. And the clip changes the curve, so the test sees it.
#[test]
fn clipped_training_gives_the_loss_curve_of_pytorch() {
    let Some(python) = python() else { return };
    let mut clipped = trainer_config();
    clipped.optimizer.max_grad_norm = Some(0.25);
    let with_clip = same_curve_as_pytorch(&python, clipped);
    let without = same_curve_as_pytorch(&python, trainer_config());
    let apart = max_abs_difference(&with_clip, &without);
    eprintln!("max |clipped - unclipped loss| {apart:e}");
    assert!(
        apart > 100.0 * TOLERANCE,
        "clipping changed the curve by only {apart}"
    );
}

/// Trains the same initial model on the same batches in cmgems and torch under
/// `trainer_config`; asserts the two loss curves agree and moved; returns cmgems'.
fn same_curve_as_pytorch(python: &str, trainer_config: TrainerConfig) -> Vec<f64> {
    let device = Device::flex().autodiff();
    device.seed(SEED);
    let config = BertConfig {
        hidden_dropout_prob: 0.0,
        attention_probs_dropout_prob: 0.0,
        ..Preset::Tiny.config()
    };
    let model = BertForMaskedLM::new(&config, &device);
    let batches = masked_batches(STEPS as usize * ACCUMULATION);
    let theirs = pytorch_losses(python, &model, &config, &trainer_config, &batches);

    let initial = Trainer::new(model.clone(), trainer_config.clone(), SEED, device.clone());
    let mut trainer = Trainer::new(model, trainer_config, SEED, device);
    let ours: Vec<f64> = batches
        .chunks(ACCUMULATION)
        .map(|step| f64::from(trainer.train_step(step).expect("labelled micro-batches")))
        .collect();
    assert_eq!(ours.len(), theirs.len(), "step counts differ");
    let worst = max_abs_difference(&ours, &theirs);
    let curves = format!("cmgems {ours:?}\ntorch  {theirs:?}");
    eprintln!("max |loss difference| over {STEPS} steps: {worst:e}");
    assert!(
        worst < TOLERANCE,
        "max |loss difference| {worst}:\n{curves}"
    );

    // Equal curves prove little if training hardly changed the model: the curve must be far
    // (in units of TOLERANCE) from the losses the untrained model gives on the same batches.
    let untrained = step_means(&batches, |b| initial.eval_loss(b));
    let moved = ours
        .iter()
        .zip(&untrained)
        .map(|(a, b)| (a - b).abs())
        .sum::<f64>()
        / ours.len() as f64;
    eprintln!("mean |trained - untrained loss| {moved}");
    assert!(
        moved > 100.0 * TOLERANCE,
        "training moved the losses by only {moved} on average:\n{curves}\nuntrained {untrained:?}"
    );
    ours
}
