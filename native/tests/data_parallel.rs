//! Data-parallel training (`Trainer::with_devices`) against one device, on Flex replicas.
//!
//! Its own process (`in_own_process`): burn's RNG seed is one per process, so a test drawing
//! random numbers on another thread of the same process (model init, dropout) would change
//! this one's dropout masks between the seed and the draw.

use crate::common::in_own_process;
use burn::tensor::Device;
use cmgems_core::SeededRng;
use cmgems_native::model::{BertForMaskedLM, Preset};
use cmgems_native::optim::OptimizerConfig;
use cmgems_native::training::{MlmBatch, Trainer, TrainerConfig, IGNORE_LABEL};

/// `count` micro-batches of 4 full rows of 32 tokens, 15% labelled, seeded.
fn micro_batches(count: usize, vocab: usize) -> Vec<MlmBatch> {
    let mut rng = SeededRng::new(3);
    (0..count)
        .map(|_| {
            let (rows, seq) = (4, 32);
            let mut input_ids = Vec::new();
            let mut labels = Vec::new();
            for _ in 0..rows * seq {
                let id = 5 + rng.below(vocab as u64 - 5) as i64;
                if rng.bernoulli(0.15) {
                    input_ids.push(4);
                    labels.push(id);
                } else {
                    input_ids.push(id);
                    labels.push(IGNORE_LABEL);
                }
            }
            labels[1] = 7; // never a micro-batch without a label
            MlmBatch {
                batch: rows,
                seq,
                input_ids,
                attention_mask: vec![1; rows * seq],
                labels,
            }
        })
        .collect()
}

fn weights(trainer: &Trainer) -> Vec<f32> {
    let model = trainer.model();
    let mut all = model
        .bert
        .embeddings
        .word_embeddings
        .weight
        .val()
        .into_data()
        .try_to_vec::<f32>()
        .unwrap();
    let dense = &model.bert.encoder.layer[1].output.dense.weight;
    all.extend(dense.val().into_data().try_to_vec::<f32>().unwrap());
    all
}

/// Data parallel must train the same model as one device: same losses, same weights after
/// three steps, up to the order of floating-point sums (dropout on: the tiny preset's 0.1,
/// drawn per micro-batch from the same seeds).
#[test]
fn data_parallel_steps_match_one_device() {
    if !in_own_process("data_parallel::data_parallel_steps_match_one_device") {
        return;
    }
    let config = Preset::Tiny.config();
    let device = Device::flex().autodiff();
    device.seed(5);
    let model = BertForMaskedLM::new(&config, &device);
    let optim = TrainerConfig {
        optimizer: OptimizerConfig {
            lr: 1e-3,
            warmup_steps: 0,
            ..OptimizerConfig::default()
        },
        total_steps: 10,
        accumulation: 5,
    };
    let batches = micro_batches(5, config.vocab_size);
    let train = |devices: usize| {
        let others = vec![Device::flex().autodiff(); devices - 1];
        let mut t =
            Trainer::new(model.clone(), optim.clone(), 9, device.clone()).with_devices(others);
        let losses: Vec<f32> = (0..3).map(|_| t.train_step(&batches).unwrap()).collect();
        (losses, weights(&t))
    };
    let (one_loss, one_weights) = train(1);
    // 2 devices: 3 + 2 micro-batches; 7 devices: more devices than micro-batches.
    for devices in [2, 7] {
        let (loss, w) = train(devices);
        for (a, b) in one_loss.iter().zip(&loss) {
            assert!((a - b).abs() < 1e-5, "{devices} devices: loss {b} vs {a}");
        }
        let worst = one_weights
            .iter()
            .zip(&w)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(worst < 1e-5, "{devices} devices: weights differ by {worst}");
    }
    // The steps did move the weights (the comparison above is not of untouched models).
    let initial = weights(&Trainer::new(model.clone(), optim, 9, device.clone()));
    let moved = initial
        .iter()
        .zip(&one_weights)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    assert!(moved > 1e-4, "training moved the weights by only {moved}");
}
