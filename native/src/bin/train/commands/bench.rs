//! `train bench`: tokens per second of a full training step (forward, backward, AdamW) at a
//! given shape, for comparing backends and presets, and burn with PyTorch
//! (`scripts/bench_torch.py` times `transformers.BertForMaskedLM` with the same shapes).

use anyhow::{anyhow, Result};
use cmgems_core::SeededRng;
use cmgems_native::model::{BertForMaskedLM, Preset};
use cmgems_native::optim::OptimizerConfig;
use cmgems_native::training::{MlmBatch, Trainer, TrainerConfig, IGNORE_LABEL};
use serde_json::json;
use std::time::Instant;

/// What to time.
#[derive(clap::Args)]
pub struct BenchArgs {
    /// Model preset: tiny, logo or dnabert6.
    #[arg(long, default_value = "logo")]
    pub preset: String,
    /// Backend: auto (a GPU through wgpu, else the CPU), wgpu, cuda or cpu.
    #[arg(long, default_value = "auto")]
    pub backend: String,
    /// Data parallel over this many devices: each step is one micro-batch per device.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub devices: usize,
    /// Rows per micro-batch (per device).
    #[arg(long, value_name = "ROWS", default_value_t = 10)]
    pub batch_size: usize,
    /// Positions per row [default: the preset's positions, at most 512].
    #[arg(long, value_name = "TOKENS")]
    pub seq_len: Option<usize>,
    /// Timed optimizer steps.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub steps: usize,
    /// Untimed steps first (kernel compilation, autotune, allocator warm-up).
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub warmup: usize,
}

/// Runs the benchmark and prints one JSON line with the figures.
pub fn run(args: &BenchArgs) -> Result<()> {
    let preset = Preset::from_name(&args.preset).ok_or_else(|| {
        anyhow!(
            "--preset {:?} is unknown: use tiny, logo or dnabert6",
            args.preset
        )
    })?;
    let config = preset.config();
    let max = config.max_position_embeddings;
    let seq_len = args.seq_len.unwrap_or(max.min(512));
    if seq_len > max {
        return Err(anyhow!(
            "--seq-len {seq_len} exceeds the model's max_position_embeddings {max} (--preset {}); \
             use --seq-len {max} or less",
            args.preset
        ));
    }
    let selected = super::backend(&args.backend, args.devices)?;
    let fallback = selected.fallback.clone();
    let device = selected.device.clone().autodiff();
    device.seed(1);
    let model = BertForMaskedLM::new(&config, &device);
    let mut trainer = Trainer::new(
        model,
        TrainerConfig {
            optimizer: OptimizerConfig {
                warmup_steps: 0,
                ..OptimizerConfig::default()
            },
            accumulation: args.devices,
            ..TrainerConfig::default()
        },
        1,
        device.clone(),
    )
    .with_devices(selected.autodiff_others());
    let batches = vec![random_batch(args.batch_size, seq_len, config.vocab_size); args.devices];
    for _ in 0..args.warmup {
        trainer.train_step(&batches);
    }
    let start = Instant::now();
    for _ in 0..args.steps {
        // train_step reads the loss back, so each step has finished when it returns.
        trainer.train_step(&batches);
    }
    let secs = start.elapsed().as_secs_f64();
    let tokens = (args.batch_size * seq_len * args.steps * args.devices) as f64;
    println!(
        "{}",
        json!({
            "framework": "burn 0.22.1",
            "backend": if fallback.is_some() { "cpu (fallback)".to_string() } else { format!("{:?}", selected.backend).to_lowercase() },
            "device": format!("{device:?}"),
            "devices": args.devices,
            "preset": args.preset,
            "batch_size": args.batch_size,
            "seq_len": seq_len,
            "steps": args.steps,
            "seconds": secs,
            "tokens_per_s": tokens / secs,
        })
    );
    Ok(())
}

/// Full-length rows of random k-mer ids with 15% of positions labelled, as in MLM.
fn random_batch(rows: usize, seq: usize, vocab: usize) -> MlmBatch {
    let mut rng = SeededRng::new(7);
    let n = rows * seq;
    let mut input_ids = Vec::with_capacity(n);
    let mut labels = Vec::with_capacity(n);
    for i in 0..n {
        let id = 5 + rng.below(vocab as u64 - 5) as i64;
        let inner = i % seq != 0 && i % seq != seq - 1;
        if inner && rng.bernoulli(0.15) {
            input_ids.push(4);
            labels.push(id);
        } else {
            input_ids.push(if i % seq == 0 { 2 } else { id });
            labels.push(IGNORE_LABEL);
        }
    }
    MlmBatch {
        batch: rows,
        seq,
        input_ids,
        attention_mask: vec![1; n],
        labels,
    }
}
