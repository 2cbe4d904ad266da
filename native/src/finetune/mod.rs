//! Fine-tuning and evaluation as the papers did it: GUE tasks with their recipes, the
//! few-shot protocol over seeds, and the metrics of docs/algorithms.md §8.

pub mod classifier;
pub mod data;
pub mod fewshot;
pub mod gue;
pub mod init;
mod job;
pub mod recipe;
pub mod select;

pub use classifier::{evaluate, predict, train};
pub use data::{Example, LabeledSet, SplitFiles};
pub use init::InitSource;
pub use job::{load, run, write_json, FinetunePlan, Finetuned, Start};
pub use recipe::{Recipe, RecipeError, RecipePatch, Warmup, GUE_TASKS};
pub use select::{BestDev, Selected};

use std::path::PathBuf;

use burn::module::Module;
use burn::tensor::Device;

use crate::events::{Observers, Stage};
use crate::hf::LoadReport;
use crate::model::{BertConfig, BertForSequenceClassification};

/// The unit every command repeats: a classifier from `init` (its head seeded by `seed`),
/// fine-tuned on `train_set` with `recipe` on `device`'s autodiff twin, returned ready for
/// inference on `device`, with what the init left freshly initialised. `observers` hear its
/// steps as `stage`'s. With `best`, the model of the lowest dev loss is returned instead of
/// the last (DNABERT-2's `load_best_model_at_end`).
#[allow(clippy::too_many_arguments)]
pub fn fit(
    init: &InitSource,
    config: &BertConfig,
    num_labels: usize,
    train_set: &LabeledSet,
    recipe: &Recipe,
    seed: u64,
    device: &Device,
    observed: (&Stage, &mut Observers),
    mut best: Option<&mut BestDev>,
) -> Result<(BertForSequenceClassification, LoadReport), FinetuneError> {
    train_set.check_labels(num_labels)?;
    let autodiff = device.clone().autodiff();
    // The fresh head's weights come from the device RNG: seeded, a run is repeatable.
    autodiff.seed(seed);
    let (model, report) = init.classifier(config, num_labels, &autodiff)?;
    let model = train(
        model,
        train_set,
        recipe,
        seed,
        &autodiff,
        observed,
        best.as_deref_mut(),
    )?;
    let model = best.and_then(BestDev::take_model).unwrap_or(model);
    Ok((model.valid(), report))
}

/// Why fine-tuning could not start or finish.
#[derive(Debug, thiserror::Error)]
pub enum FinetuneError {
    #[error(transparent)]
    Input(#[from] crate::NativeError),
    #[error("{path}: {message}")]
    Init { path: PathBuf, message: String },
    #[error(transparent)]
    Weights(#[from] crate::hf::HfError),
    #[error(transparent)]
    Checkpoint(#[from] crate::training::CheckpointError),
    #[error(transparent)]
    Config(#[from] crate::model::ConfigError),
    #[error("{path}: metrics: {source}")]
    Metrics {
        path: PathBuf,
        source: cmgems_core::CoreError,
    },
    #[error("the loss became {loss} at step {step}; stopping (lower lr?)")]
    Diverged { step: u64, loss: f32 },
    #[error("stopped after step {step} (interrupted); fine-tuning keeps no checkpoint, nothing was written")]
    Stopped { step: u64 },
    #[error(transparent)]
    Core(#[from] cmgems_core::CoreError),
    #[error(transparent)]
    Recipe(#[from] RecipeError),
    #[error("{0}")]
    Invalid(String),
}
