//! What `train finetune | fewshot | gue` share: the flags of a fine-tuning run (starting
//! weights, device, recipe overrides), the start they resolve to, and the report line.

use anyhow::Result;
use clap::Args;
use cmgems_core::ClassificationReport;
use cmgems_native::finetune::{InitSource, Recipe, RecipeOverrides, Start, Warmup};

/// Flags shared by every fine-tuning command: where to start, the device, and the recipe
/// values (each overrides the recipe's default).
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Fine-tuning")]
pub struct TuneArgs {
    /// Starting weights (required): a `train pretrain` run folder (its latest checkpoint), a
    /// checkpoint folder, a HuggingFace folder (config.json + model.safetensors or
    /// pytorch_model.bin, e.g. DNABERT's published models), or preset:tiny|logo|dnabert6
    /// (random weights).
    #[arg(long, value_name = "SOURCE")]
    pub init: String,
    /// Backend: auto (a GPU through wgpu, else the CPU), wgpu, cuda or cpu.
    #[arg(long, default_value = "auto")]
    pub backend: String,
    /// Peak learning rate of AdamW [default: the recipe's, e.g. 1e-4 for fewshot:10, 3e-5
    /// for GUE].
    #[arg(long)]
    pub lr: Option<f64>,
    /// Passes over the training set [default: the recipe's].
    #[arg(long, value_name = "N")]
    pub epochs: Option<usize>,
    /// Examples per optimizer step [default: the recipe's].
    #[arg(long, value_name = "N")]
    pub batch_size: Option<usize>,
    /// Model positions per example, [CLS] and [SEP] included (capped by the model's)
    /// [default: the recipe's].
    #[arg(long, value_name = "TOKENS")]
    pub max_len: Option<usize>,
    /// Optimizer steps of linear warmup [default: the recipe's].
    #[arg(long, value_name = "N", conflicts_with = "warmup_ratio")]
    pub warmup_steps: Option<u64>,
    /// Warmup as a share of all optimizer steps, 0 to 1 [default: the recipe's].
    #[arg(long, value_name = "SHARE")]
    pub warmup_ratio: Option<f64>,
    /// AdamW's decoupled weight decay [default: the recipe's, 0.01].
    #[arg(long)]
    pub weight_decay: Option<f32>,
    /// Dropout probability of encoder and head, 0 to 1 [default: the recipe's, or else the
    /// initial model's].
    #[arg(long, value_name = "P")]
    pub dropout: Option<f64>,
    /// Stop after this many optimizer steps even if epochs remain [default: the recipe's,
    /// none for most].
    #[arg(long, value_name = "N")]
    pub max_steps: Option<u64>,
    /// Score the model of the lowest dev loss, evaluated every N steps and after the last
    /// (DNABERT-2's load_best_model_at_end) [default: the recipe's, 200 for GUE, none for
    /// few-shot].
    #[arg(long, value_name = "N", conflicts_with = "final_model")]
    pub best_dev_every: Option<u64>,
    /// Score the final model, even where the recipe picks the best dev checkpoint (GUE).
    #[arg(long)]
    pub final_model: bool,
    /// Examples per batch when scoring.
    #[arg(long, value_name = "N", default_value_t = 64)]
    pub eval_batch: usize,
}

impl TuneArgs {
    /// `base` with every given flag applied, then checked by the library.
    pub fn recipe(&self, base: Recipe) -> Result<Recipe> {
        base.with(&self.overrides())
            .map_err(|e| super::with_flag::<TuneArgs, _>(e.key(), e))
    }

    /// The recipe values given as flags.
    pub fn overrides(&self) -> RecipeOverrides {
        RecipeOverrides {
            lr: self.lr,
            epochs: self.epochs,
            batch_size: self.batch_size,
            max_len: self.max_len,
            warmup: self
                .warmup_steps
                .map(Warmup::Steps)
                .or(self.warmup_ratio.map(Warmup::Ratio)),
            weight_decay: self.weight_decay,
            dropout: self.dropout,
            max_steps: self.max_steps,
            best_dev_every: self.best_dev_every,
            final_model: self.final_model,
        }
    }

    /// The init resolved, its architecture read, and the device of --backend.
    pub fn start(&self) -> Result<Start> {
        let init = InitSource::resolve(&self.init)?;
        let selected = super::backend(&self.backend, 1)?;
        let start = Start::new(init, selected.device)?;
        eprintln!("{}", start.describe());
        Ok(start)
    }
}

pub fn report_line(name: &str, r: &ClassificationReport) -> String {
    format!(
        "{name}: accuracy {:.4}, MCC {:.4}, F1 {:.4}, precision {:.4}, recall {:.4}, AUC {}",
        r.accuracy,
        r.mcc,
        r.f1,
        r.precision,
        r.recall,
        r.auc.map_or("–".into(), |a| format!("{a:.4}"))
    )
}
