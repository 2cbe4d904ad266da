//! What `train finetune | fewshot | gue` share: the flags of a fine-tuning run (starting
//! weights, device, recipe overrides), the start they resolve to, progress bars and output
//! helpers.

use anyhow::Result;
use clap::Args;
use cmgems_core::{ClassificationReport, Tokenizer, K};
use cmgems_native::files::write_atomic;
use cmgems_native::finetune::{
    fit, InitSource, LabeledSet, Recipe, RecipeOverrides, StepInfo, Warmup,
};
use cmgems_native::hf::LoadReport;
use cmgems_native::model::{BertConfig, BertForSequenceClassification};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::Path;

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
    /// Examples per batch when scoring.
    #[arg(long, value_name = "N", default_value_t = 64)]
    pub eval_batch: usize,
}

impl TuneArgs {
    /// `base` with every given flag applied, then checked by the library.
    pub fn recipe(&self, base: Recipe) -> Result<Recipe> {
        let overrides = RecipeOverrides {
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
        };
        base.with(&overrides)
            .map_err(|e| super::with_flag::<TuneArgs, _>(e.key(), e))
    }
}

/// The init, its architecture with the recipe's dropout, and a tokenizer sized for both.
pub struct Start {
    pub init: InitSource,
    pub config: BertConfig,
    pub device: burn::tensor::Device,
}

impl Start {
    pub fn new(args: &TuneArgs) -> Result<Start> {
        let init = InitSource::resolve(&args.init)?;
        let config = init.config()?;
        let selected = super::backend(&args.backend, 1)?;
        eprintln!("init: {}", describe(&init));
        Ok(Start {
            init,
            config,
            device: selected.device,
        })
    }

    /// Fine-tunes a classifier from this start on `train_set`, with a progress bar named
    /// `what`.
    pub fn fit(
        &self,
        config: &BertConfig,
        num_labels: usize,
        train_set: &LabeledSet,
        recipe: &Recipe,
        seed: u64,
        what: &str,
    ) -> Result<(BertForSequenceClassification, LoadReport)> {
        let bar = progress(recipe.total_steps(train_set.len()), what);
        let fitted = fit(
            &self.init,
            config,
            num_labels,
            train_set,
            recipe,
            seed,
            &self.device,
            on_step(&bar),
        )?;
        bar.finish_and_clear();
        Ok(fitted)
    }

    pub fn tokenizer(&self, recipe: &Recipe) -> Result<Tokenizer> {
        let len = recipe
            .max_len
            .min(self.config.max_position_embeddings)
            .min(512);
        Ok(Tokenizer::new(K::SIX, len, false)?)
    }
}

fn describe(init: &InitSource) -> String {
    match init {
        InitSource::Checkpoint(d) => format!("checkpoint {}", d.display()),
        InitSource::HuggingFace { weights, .. } => {
            format!("HuggingFace weights {}", weights.display())
        }
        InitSource::Preset(p) => format!("{p:?} preset with random weights (no pretraining)"),
    }
}

pub fn load(path: &Path, tokenizer: &Tokenizer) -> Result<LabeledSet> {
    let set = LabeledSet::load(path, tokenizer)?;
    eprintln!("{}", set.summary());
    Ok(set)
}

pub fn progress(total: u64, what: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{what} {{bar:30}} {{pos}}/{{len}} steps, {{per_sec}}, ETA {{eta}} {{msg}}"
        ))
        .expect("valid template"),
    );
    bar
}

fn on_step(bar: &ProgressBar) -> impl FnMut(StepInfo) + '_ {
    move |s: StepInfo| {
        bar.set_position(s.step);
        bar.set_message(format!("loss {:.4}", s.loss));
    }
}

pub fn write_json(path: &Path, value: &serde_json::Value) -> Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    write_atomic(path, |w| w.write_all(text.as_bytes()))?;
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::super::flag_of;
    use super::*;

    #[test]
    fn recipe_keys_map_to_their_flags() {
        let flag = |key| flag_of::<TuneArgs>(key);
        assert_eq!(flag("warmup.ratio").as_deref(), Some("--warmup-ratio"));
        assert_eq!(flag("batch_size").as_deref(), Some("--batch-size"));
        let e = super::super::with_flag::<TuneArgs, _>(
            Some("dropout"),
            cmgems_native::finetune::RecipeError::Dropout(1.5),
        );
        assert_eq!(
            e.to_string(),
            "--dropout: dropout must be within 0..1, not 1.5"
        );
    }
}
