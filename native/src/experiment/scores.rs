//! What one pretrained run scores: held-out perplexity under the common masker, the probe on
//! every task and the few-shot protocol. Saved as the run's `scores.json`, so that a rerun of
//! the experiment reuses a scored run instead of pretraining and fine-tuning it again.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

use super::{ExperimentConfig, ExperimentError, Scoring};
use crate::events::Observers;
use crate::files::write_atomic;
use crate::finetune::fewshot::{self, FewshotSetup};
use crate::finetune::{InitSource, Recipe};
use crate::probe::{encoder, probe, Pool};

/// The file beside a run's checkpoints.
pub(super) const SCORES_FILE: &str = "scores.json";

/// One run's scores (a variant at one pretraining seed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct RunScores {
    pub variant: String,
    pub seed: u64,
    /// What was scored and how ([`Scoring::plan`]): a cached file of another plan is stale.
    pub plan: String,
    pub switch_step: Option<u64>,
    /// Held-out perplexity under random-span masking (`None` for an untrained model).
    pub perplexity: Option<f64>,
    /// The unigram baseline on the same masked labels.
    pub unigram_perplexity: Option<f64>,
    pub probes: BTreeMap<String, ProbeScore>,
    /// Per shot count, means over the fine-tuning seeds.
    pub shots: BTreeMap<usize, ShotScore>,
    /// The corpus, in words (the report's, so that it rebuilds without the data).
    #[serde(default)]
    pub corpus: String,
    /// The scores of the run's checkpoints, in step order (the last is the final model).
    #[serde(default)]
    pub curve: Vec<CurvePoint>,
    /// Training loss: the mean of each block of [`LOSS_BLOCK`] steps, at the block's last step.
    #[serde(default)]
    pub losses: Vec<(f64, f64)>,
    /// Held-out perplexity at every evaluation of the run, under its own masker.
    #[serde(default)]
    pub evals: Vec<(f64, f64)>,
}

/// Steps per point of a run's saved loss curve.
pub(super) const LOSS_BLOCK: usize = 20;

/// What a checkpoint of a run scored (the run's schedule unchanged: see the report).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct CurvePoint {
    pub step: u64,
    /// The learning rate of the step (the run's schedule at that point).
    pub lr: f64,
    /// The masker the run trains with after this step, and the held-out perplexity under it.
    pub masker: String,
    pub own_perplexity: f64,
    pub own_unigram_perplexity: Option<f64>,
    pub perplexity: f64,
    pub unigram_perplexity: Option<f64>,
    /// Probe ROC AUC per task.
    pub probe_auc: BTreeMap<String, f64>,
}

impl CurvePoint {
    /// The value of a metric at this point (`None`: not scored along the curve).
    pub fn value(&self, key: &MetricKey) -> Option<f64> {
        match key {
            MetricKey::Perplexity => Some(self.perplexity),
            MetricKey::ProbeAuc(task) => self.probe_auc.get(task).copied(),
            MetricKey::ShotAccuracy(_) => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(super) struct ProbeScore {
    pub auc: f64,
    pub accuracy: f64,
    pub mcc: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(super) struct ShotScore {
    pub accuracy: f64,
    pub mcc: f64,
}

/// A metric the report compares runs on.
pub(super) struct Metric {
    pub key: MetricKey,
    pub label: String,
    pub higher_is_better: bool,
}

/// Which figure of a run a [`Metric`] reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum MetricKey {
    /// Held-out perplexity under random-span masking.
    Perplexity,
    /// The probe's ROC AUC on the named task.
    ProbeAuc(String),
    /// Few-shot accuracy at this many shots.
    ShotAccuracy(usize),
}

impl RunScores {
    /// The value of a [`Metric`] key (`None` where the run was not scored on it).
    pub fn value(&self, key: &MetricKey) -> Option<f64> {
        match key {
            MetricKey::Perplexity => self.perplexity,
            MetricKey::ProbeAuc(task) => self.probes.get(task).map(|p| p.auc),
            MetricKey::ShotAccuracy(n) => self.shots.get(n).map(|s| s.accuracy),
        }
    }
}

/// The metrics of the experiment, in report order.
pub(super) fn metrics(config: &ExperimentConfig) -> Vec<Metric> {
    let mut out = vec![Metric {
        key: MetricKey::Perplexity,
        label: "held-out perplexity (random span)".into(),
        higher_is_better: false,
    }];
    for task in config.probe.iter().flat_map(|p| &p.tasks) {
        out.push(Metric {
            key: MetricKey::ProbeAuc(task.name.clone()),
            label: format!("probe AUC {}", task.name),
            higher_is_better: true,
        });
    }
    for n in &config.fewshot.shots {
        out.push(Metric {
            key: MetricKey::ShotAccuracy(*n),
            label: format!("{n}-shot accuracy"),
            higher_is_better: true,
        });
    }
    out
}

/// The saved scores of the run in `dir`, if they were made under `plan`.
pub(super) fn cached(dir: &Path, plan: &str) -> Option<RunScores> {
    let text = std::fs::read_to_string(dir.join(SCORES_FILE)).ok()?;
    let scores: RunScores = serde_json::from_str(&text).ok()?;
    (scores.plan == plan).then_some(scores)
}

/// The saved scores of the run in `dir`, whatever their plan; `None` when it has none.
pub(super) fn load(dir: &Path) -> Result<Option<RunScores>, ExperimentError> {
    let path = dir.join(SCORES_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(ExperimentError::Io { path, source }),
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|source| ExperimentError::Scores { path, source })
}

pub(super) fn save(dir: &Path, scores: &RunScores) -> Result<(), ExperimentError> {
    let body = serde_json::to_string_pretty(scores).expect("serialisable");
    write_atomic(&dir.join(SCORES_FILE), |w| w.write_all(body.as_bytes()))?;
    Ok(())
}

/// The probe on every task, with the encoder of `init` (`seed` draws a preset's weights).
pub(super) fn probe_all(
    init: &InitSource,
    scoring: &Scoring,
    seed: u64,
    observers: &mut Observers,
) -> Result<BTreeMap<String, ProbeScore>, ExperimentError> {
    let device = &scoring.selected.device;
    let model = encoder(init, device, seed)?;
    let mut out = BTreeMap::new();
    for task in &scoring.probes {
        let r = probe(&model, (&task.train, &task.test), device, 64, Pool::Mean)?;
        observers.on_note(&format!(
            "   probe {}: AUC {:.4}, accuracy {:.4}, MCC {:.4}",
            task.name, r.auc, r.accuracy, r.mcc
        ));
        out.insert(
            task.name.clone(),
            ProbeScore {
                auc: r.auc,
                accuracy: r.accuracy,
                mcc: r.mcc,
            },
        );
    }
    Ok(out)
}

/// The few-shot protocol on the model of `init`, as means over the fine-tuning seeds.
pub(super) fn fewshot_all(
    init: &InitSource,
    config: &ExperimentConfig,
    scoring: &Scoring,
    observers: &mut Observers,
) -> Result<BTreeMap<usize, ShotScore>, ExperimentError> {
    let base_config = init.config()?;
    let recipe_of = |n: usize| {
        let mut r = Recipe::fewshot(n);
        r.epochs = config.fewshot.epochs.unwrap_or(r.epochs);
        r.lr = config.fewshot.lr.unwrap_or(r.lr);
        r
    };
    let model_config = recipe_of(config.fewshot.shots[0]).model_config(&base_config);
    let setup = FewshotSetup {
        init,
        config: &model_config,
        num_labels: scoring.num_labels,
        recipe: &recipe_of,
        device: &scoring.selected.device,
        eval_batch: 64,
    };
    let results = fewshot::run(
        &setup,
        &scoring.data,
        &scoring.test,
        (&config.fewshot.shots, &scoring.fewshot_seeds),
        observers,
    )?;
    Ok(results
        .into_iter()
        .map(|(n, r)| {
            let score = ShotScore {
                accuracy: r.accuracy.mean,
                mcc: r.mcc.mean,
            };
            (n, score)
        })
        .collect())
}
