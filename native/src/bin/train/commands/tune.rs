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
    /// Score the final model, even where the recipe picks the best dev checkpoint (GUE).
    #[arg(long)]
    pub final_model: bool,
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
        let mut given = super::given_values(&values, &super::given(matches));
        if self.final_model {
            given.insert("best_dev_every".into(), serde_json::Value::Null);
        }
        Ok(RecipePatch(given))
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, FromArgMatches, Parser};
    use cmgems_native::finetune::Warmup;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        tune: TuneArgs,
    }

    fn parse(flags: &[&str]) -> Result<(TuneArgs, ArgMatches), clap::Error> {
        let matches = Cli::command()
            .try_get_matches_from(["tune", "--init", "preset:tiny"].iter().chain(flags))?;
        Ok((Cli::from_arg_matches(&matches)?.tune, matches))
    }

    #[test]
    fn given_flags_replace_the_recipe_values_and_only_they() {
        let base = Recipe::gue("prom_core_all").unwrap();
        let (args, m) = parse(&[]).unwrap();
        assert_eq!(args.recipe(base.clone(), &m).unwrap(), base);
        let flags = ["--lr", "2e-4", "--warmup-ratio", "0.2", "--max-steps", "7"];
        let (args, m) = parse(&flags).unwrap();
        let r = args.recipe(base.clone(), &m).unwrap();
        assert_eq!(
            (r.lr, r.warmup, r.max_steps),
            (2e-4, Warmup::Ratio(0.2), Some(7))
        );
        assert_eq!(
            (r.epochs, r.max_len, r.batch_size, r.dropout),
            (base.epochs, base.max_len, base.batch_size, base.dropout)
        );
        let (args, m) = parse(&["--warmup-ratio", "2"]).unwrap();
        let e = args.recipe(base.clone(), &m).unwrap_err().to_string();
        assert!(e.starts_with("--warmup-ratio: warmup.ratio"), "{e}");
        let (args, m) = parse(&["--epochs", "0"]).unwrap();
        let e = args.recipe(base, &m).unwrap_err().to_string();
        assert_eq!(e, "--epochs: epochs must be at least 1");
        assert!(parse(&["--warmup-steps", "3", "--warmup-ratio", "0.1"]).is_err());
    }
}
