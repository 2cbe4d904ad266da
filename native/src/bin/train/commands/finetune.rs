//! `train finetune`: fine-tune a classifier on one labelled task, score it, and write
//! metrics.json and a HuggingFace folder.

use anyhow::{bail, Context, Result};
use clap::{ArgMatches, Args};
use cmgems_native::events::{Event, OnEvent};
use cmgems_native::finetune::{self, FinetunePlan, Recipe, SplitFiles};
use std::path::PathBuf;

use super::tune::{report_line, TuneArgs};

/// `train finetune`.
#[derive(Args, Debug)]
pub struct FinetuneArgs {
    /// A task folder (required unless --train): GUE (`train.csv`, `dev.csv`, `test.csv`) or
    /// DNABERT (`train.tsv`, `dev.tsv`, ...), plain or gzipped.
    #[arg(long, value_name = "DIR", required_unless_present = "train")]
    pub data: Option<PathBuf>,
    /// A training file instead of --data (with --dev / --test) [default: none, --data].
    #[arg(long, value_name = "FILE", conflicts_with = "data")]
    pub train: Option<PathBuf>,
    /// With --train: a development file, scored after training [default: none].
    #[arg(long, value_name = "FILE", requires = "train")]
    pub dev: Option<PathBuf>,
    /// With --train: a test file, scored after training [default: none].
    #[arg(long, value_name = "FILE", requires = "train")]
    pub test: Option<PathBuf>,
    /// The recipe whose values the fine-tuning flags override: gue:TASK or fewshot:N
    /// [default: the GUE recipe of the --data folder's name].
    #[arg(long, value_name = "RECIPE")]
    pub recipe: Option<String>,
    #[command(flatten)]
    pub tune: TuneArgs,
    /// Use only N training examples spread over the file, for quick runs [default: all].
    #[arg(long, value_name = "N")]
    pub max_train: Option<usize>,
    /// Seed of the new head's weights, the batch order and dropout.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Output folder: metrics.json and model/ (a HuggingFace folder).
    #[arg(long, value_name = "DIR", default_value = "cmgems-finetune")]
    pub out: PathBuf,
}

impl FinetuneArgs {
    /// The train/dev/test files of --data or of --train, --dev and --test.
    fn files(&self) -> Result<SplitFiles> {
        Ok(match &self.data {
            Some(dir) => {
                let f = SplitFiles::find(dir);
                if f.train.is_none() {
                    bail!(
                        "{}: no train.csv / train.tsv (optionally .gz) in this folder",
                        dir.display()
                    );
                }
                f
            }
            None => SplitFiles {
                train: self.train.clone(),
                dev: self.dev.clone(),
                test: self.test.clone(),
            },
        })
    }

    /// The recipe of --recipe, or the GUE recipe of the --data folder's name.
    fn base_recipe(&self) -> Result<Recipe> {
        Ok(match (&self.recipe, &self.data) {
            (Some(spec), _) => Recipe::parse(spec)?,
            (None, Some(dir)) => {
                let name = dir
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                Recipe::gue(&name).with_context(|| {
                    format!(
                        "{}: not a GUE task name; say --recipe gue:TASK or fewshot:N",
                        dir.display()
                    )
                })?
            }
            (None, None) => bail!("say which recipe: --recipe gue:TASK or fewshot:N"),
        })
    }
}

pub fn run(args: FinetuneArgs, matches: &ArgMatches) -> Result<()> {
    let plan = FinetunePlan {
        files: args.files()?,
        recipe: args.tune.recipe(args.base_recipe()?, matches)?,
        init: args.tune.init.clone(),
        max_train: args.max_train,
        seed: args.seed,
        eval_batch: args.tune.eval_batch,
        out: args.out.clone(),
    };
    let start = args.tune.start()?;
    let scores = OnEvent(|e: &Event| {
        if let Event::Scored { split, report, .. } = e {
            println!("{}", report_line(split, report));
        }
    });
    let mut observers = crate::console::terminal()?.with(scores);
    let done = finetune::run(&start, &plan, &mut observers)?;
    eprintln!(
        "wrote {} and {}",
        done.metrics_file.display(),
        done.model_dir.display()
    );
    Ok(())
}
