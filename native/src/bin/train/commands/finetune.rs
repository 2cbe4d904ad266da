//! `train finetune`: fine-tune a classifier on one labelled task, score it, and write
//! metrics.json and a HuggingFace folder.

use anyhow::{bail, Context, Result};
use clap::Args;
use cmgems_native::finetune::{evaluate, Recipe, SplitFiles};
use cmgems_native::hf::write_hf_folder;
use serde_json::json;
use std::path::PathBuf;

use super::tune::{load, report_line, write_json, Start, TuneArgs};

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

pub fn run(args: FinetuneArgs) -> Result<()> {
    let files = args.files()?;
    let base = args.base_recipe()?;
    let recipe = args.tune.recipe(base)?;
    if args.out.join("metrics.json").exists() {
        bail!(
            "{} holds a finished run already; choose another --out",
            args.out.display()
        );
    }
    let start = Start::new(&args.tune)?;
    let tokenizer = start.tokenizer(&recipe)?;
    let mut train_set = load(files.train.as_ref().expect("checked above"), &tokenizer)?;
    if let Some(n) = args.max_train {
        train_set = train_set.spread_sample(n);
    }
    let num_labels = train_set.num_classes().max(2);
    let dev = files
        .dev
        .as_ref()
        .map(|p| load(p, &tokenizer))
        .transpose()?;
    let test = files
        .test
        .as_ref()
        .map(|p| load(p, &tokenizer))
        .transpose()?;
    for set in dev.iter().chain(test.iter()) {
        set.check_labels(num_labels)?;
    }
    let config = recipe.model_config(&start.config);
    let total = recipe.total_steps(train_set.len());
    eprintln!(
        "recipe {}: lr {}, {} epochs, batch {}, {} steps",
        recipe.name, recipe.lr, recipe.epochs, recipe.batch_size, total
    );
    let started = std::time::Instant::now();
    let (model, report) = start.fit(
        &config, num_labels, &train_set, &recipe, args.seed, "finetune",
    )?;
    if !report.fresh.is_empty() {
        eprintln!("newly initialised: {}", report.fresh.join(", "));
    }
    let mut metrics = serde_json::Map::new();
    for (name, set) in [("dev", &dev), ("test", &test)] {
        if let Some(set) = set {
            let r = evaluate(&model, set, &start.device, args.tune.eval_batch, num_labels)?;
            println!("{}", report_line(name, &r));
            metrics.insert(name.into(), serde_json::to_value(r)?);
        }
    }
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let model_dir = args.out.join("model");
    if model_dir.exists() {
        bail!("{} exists; choose another --out", model_dir.display());
    }
    write_hf_folder(
        &model,
        &config,
        "BertForSequenceClassification",
        Some(num_labels),
        &model_dir,
    )?;
    let value = json!({
        "init": args.tune.init,
        "recipe": recipe,
        "seed": args.seed,
        "num_labels": num_labels,
        "train": {"path": train_set.path, "examples": train_set.len(), "class_counts": train_set.class_counts},
        "seconds": started.elapsed().as_secs_f64(),
        "metrics": metrics,
    });
    write_json(&args.out.join("metrics.json"), &value)?;
    eprintln!(
        "wrote {} and {}",
        args.out.join("metrics.json").display(),
        model_dir.display()
    );
    Ok(())
}
