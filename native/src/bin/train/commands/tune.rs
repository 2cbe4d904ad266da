//! What `train finetune | fewshot | gue` share: the flags of a fine-tuning run (starting
//! weights, device, and the recipe's values, declared once on the library's `Recipe`), the
//! start they resolve to, and the report line.

use anyhow::Result;
use clap::{ArgMatches, Args};
use cmgems_core::ClassificationReport;
use cmgems_native::finetune::{InitSource, Recipe, RecipePatch, Start};

/// Flags shared by every fine-tuning command: where to start, the device, and the recipe
/// values (each given one replaces the recipe's).
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
    #[command(flatten)]
    pub recipe: Recipe,
    /// Examples per batch when scoring.
    #[arg(long, value_name = "N", default_value_t = 64)]
    pub eval_batch: usize,
}

impl TuneArgs {
    /// `base` with every recipe flag given on the command line (`matches`), then checked by
    /// the library.
    pub fn recipe(&self, base: Recipe, matches: &ArgMatches) -> Result<Recipe> {
        base.with(&self.patch(matches)?)
            .map_err(|e| super::with_flag::<TuneArgs, _>(e.key(), e))
    }

    /// The recipe values given as flags.
    pub fn patch(&self, matches: &ArgMatches) -> Result<RecipePatch> {
        let values = serde_json::to_value(&self.recipe)?;
        Ok(RecipePatch(super::given_values(
            &values,
            &super::given(matches),
        )))
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
