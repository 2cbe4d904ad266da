//! `finetune::run`: one labelled task from its files to a scored classifier, written as a
//! HuggingFace folder beside `metrics.json`; and the [`Start`] every fine-tuning command
//! (this, few-shot, GUE) resolves first. What the terminal shows is the observers' business.

use std::path::{Path, PathBuf};
use std::time::Instant;

use burn::tensor::Device;
use cmgems_core::{ClassificationReport, Tokenizer, K};
use serde_json::json;

use super::classifier::evaluate;
use super::data::{LabeledSet, SplitFiles};
use super::init::InitSource;
use super::recipe::Recipe;
use super::select::BestDev;
use super::{fit, FinetuneError};
use crate::events::{Event, Observers, Stage};
use crate::files::write_atomic;
use crate::hf::{write_hf_folder, LoadReport};
use crate::model::{BertConfig, BertForSequenceClassification};

/// Where fine-tuning starts: the init, its architecture, and the device.
pub struct Start {
    pub init: InitSource,
    pub config: BertConfig,
    pub device: Device,
}

impl Start {
    pub fn new(init: InitSource, device: Device) -> Result<Start, FinetuneError> {
        let config = init.config()?;
        Ok(Start {
            init,
            config,
            device,
        })
    }

    /// The init in words (`init: checkpoint DIR`, ...).
    pub fn describe(&self) -> String {
        let what = match &self.init {
            InitSource::Checkpoint(d) => format!("checkpoint {}", d.display()),
            InitSource::HuggingFace { weights, .. } => {
                format!("HuggingFace weights {}", weights.display())
            }
            InitSource::Preset(p) => {
                format!("{p:?} preset with random weights (no pretraining)")
            }
        };
        format!("init: {what}")
    }

    /// A tokenizer for `recipe`'s length, capped by the model's positions and 512.
    pub fn tokenizer(&self, recipe: &Recipe) -> Result<Tokenizer, FinetuneError> {
        let len = recipe
            .max_len
            .min(self.config.max_position_embeddings)
            .min(512);
        Ok(Tokenizer::new(K::SIX, len, false)?)
    }

    /// Fine-tunes a classifier from this start on `train_set` (see [`fit`]).
    pub fn fit(
        &self,
        config: &BertConfig,
        (num_labels, train_set): (usize, &LabeledSet),
        recipe: &Recipe,
        seed: u64,
        observed: (&Stage, &mut Observers),
        best: Option<&mut BestDev>,
    ) -> Result<(BertForSequenceClassification, LoadReport), FinetuneError> {
        fit(
            &self.init,
            config,
            num_labels,
            train_set,
            recipe,
            seed,
            &self.device,
            observed,
            best,
        )
    }
}

/// Loads a labelled file, telling its summary (examples, classes, truncation) as a note.
pub fn load(
    path: &Path,
    tokenizer: &Tokenizer,
    observers: &mut Observers,
) -> Result<LabeledSet, FinetuneError> {
    let set = LabeledSet::load(path, tokenizer)?;
    observers.on_note(&set.summary());
    Ok(set)
}

/// Writes `value` as pretty JSON, atomically.
pub fn write_json(path: &Path, value: &serde_json::Value) -> Result<(), FinetuneError> {
    let text = serde_json::to_string_pretty(value).expect("JSON values serialise");
    write_atomic(path, |w| w.write_all(text.as_bytes()))?;
    Ok(())
}

/// One fine-tuning run of `train finetune`.
#[derive(Debug, Clone)]
pub struct FinetunePlan {
    /// `train` is required; `dev` and `test` are scored when present.
    pub files: SplitFiles,
    pub recipe: Recipe,
    /// The init as given (written into `metrics.json`).
    pub init: String,
    /// Use only this many training examples, spread over the file.
    pub max_train: Option<usize>,
    pub seed: u64,
    /// Examples per batch when scoring.
    pub eval_batch: usize,
    /// The output folder: `metrics.json` and `model/`.
    pub out: PathBuf,
}

/// What [`run`] scored and wrote.
#[derive(Debug, Clone)]
pub struct Finetuned {
    /// `dev` and `test`, those present, in that order.
    pub scores: Vec<(&'static str, ClassificationReport)>,
    pub metrics_file: PathBuf,
    pub model_dir: PathBuf,
}

/// The metrics file of a finished run.
const METRICS_FILE: &str = "metrics.json";

/// Fine-tunes on `plan`'s task from `start`, scores dev and test, and writes the model and
/// `metrics.json` into `plan.out` (refused if a finished run is there).
pub fn run(
    start: &Start,
    plan: &FinetunePlan,
    observers: &mut Observers,
) -> Result<Finetuned, FinetuneError> {
    let out = &plan.out;
    if out.join(METRICS_FILE).exists() {
        return Err(FinetuneError::Invalid(format!(
            "{} holds a finished run already; choose another output folder",
            out.display()
        )));
    }
    let recipe = &plan.recipe;
    let (train_set, dev, test) = load_splits(start, plan, observers)?;
    let num_labels = train_set.num_classes().max(2);
    for set in dev.iter().chain(test.iter()) {
        set.check_labels(num_labels)?;
    }
    let config = recipe.model_config(&start.config);
    observers.on_note(&format!(
        "recipe {}: lr {}, {} epochs, batch {}, {} steps",
        recipe.name,
        recipe.lr,
        recipe.epochs,
        recipe.batch_size,
        recipe.total_steps(train_set.len())
    ));
    let started = Instant::now();
    let stage = Stage::Finetune {
        task: recipe.name.clone(),
    };
    let (model, report) = start.fit(
        &config,
        (num_labels, &train_set),
        recipe,
        plan.seed,
        (&stage, &mut *observers),
        None,
    )?;
    if !report.fresh.is_empty() {
        observers.on_note(&format!("newly initialised: {}", report.fresh.join(", ")));
    }
    let mut scores = Vec::new();
    for (split, set) in [("dev", &dev), ("test", &test)] {
        if let Some(set) = set {
            let r = evaluate(&model, set, &start.device, plan.eval_batch, num_labels)?;
            observers.emit(&Event::Scored {
                stage: &stage,
                split,
                report: &r,
            })?;
            scores.push((split, r));
        }
    }
    let written = Written {
        model: &model,
        config: &config,
        num_labels,
        train_set: &train_set,
        seconds: started.elapsed().as_secs_f64(),
    };
    let (metrics_file, model_dir) = written.save(plan, &scores)?;
    Ok(Finetuned {
        scores,
        metrics_file,
        model_dir,
    })
}

/// What a finished fine-tuning run writes besides its scores.
struct Written<'a> {
    model: &'a BertForSequenceClassification,
    config: &'a BertConfig,
    num_labels: usize,
    train_set: &'a LabeledSet,
    seconds: f64,
}

impl Written<'_> {
    /// The model as a HuggingFace folder `model/` and `metrics.json` in `plan.out`; both
    /// paths.
    fn save(
        &self,
        plan: &FinetunePlan,
        scores: &[(&str, ClassificationReport)],
    ) -> Result<(PathBuf, PathBuf), FinetuneError> {
        let out = &plan.out;
        std::fs::create_dir_all(out).map_err(|e| crate::NativeError::io(out, e))?;
        let model_dir = out.join("model");
        if model_dir.exists() {
            return Err(FinetuneError::Invalid(format!(
                "{} exists; choose another output folder",
                model_dir.display()
            )));
        }
        write_hf_folder(
            self.model,
            self.config,
            "BertForSequenceClassification",
            Some(self.num_labels),
            &model_dir,
        )?;
        let metrics: serde_json::Map<String, serde_json::Value> = scores
            .iter()
            .map(|(split, r)| (split.to_string(), json!(r)))
            .collect();
        let train = self.train_set;
        let value = json!({
            "init": plan.init,
            "recipe": plan.recipe,
            "seed": plan.seed,
            "num_labels": self.num_labels,
            "train": {"path": train.path, "examples": train.len(), "class_counts": train.class_counts},
            "seconds": self.seconds,
            "metrics": metrics,
        });
        let metrics_file = out.join(METRICS_FILE);
        write_json(&metrics_file, &value)?;
        Ok((metrics_file, model_dir))
    }
}

/// The training set (cut to `max_train`) and the dev and test sets a plan names.
#[allow(clippy::type_complexity)]
fn load_splits(
    start: &Start,
    plan: &FinetunePlan,
    observers: &mut Observers,
) -> Result<(LabeledSet, Option<LabeledSet>, Option<LabeledSet>), FinetuneError> {
    let tokenizer = start.tokenizer(&plan.recipe)?;
    let files = &plan.files;
    let train = files
        .train
        .as_ref()
        .ok_or_else(|| FinetuneError::Invalid("no training file".into()))?;
    let mut train_set = load(train, &tokenizer, observers)?;
    if let Some(n) = plan.max_train {
        train_set = train_set.spread_sample(n);
    }
    let mut optional = |p: &Option<PathBuf>| {
        p.as_ref()
            .map(|p| load(p, &tokenizer, observers))
            .transpose()
    };
    let dev = optional(&files.dev)?;
    let test = optional(&files.test)?;
    Ok((train_set, dev, test))
}
