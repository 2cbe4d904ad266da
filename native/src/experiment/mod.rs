//! `train experiment --config experiments/small.toml`: the paper's comparison rerun small.
//! Every masker (and, for the PMI maskers, rank lookup by k-mer and by position) pretrains
//! the same model on the same corpus with the same seed and steps; each is then scored by
//! the few-shot protocol and by held-out MLM perplexity under one common masker. Writes a
//! results table (Markdown + CSV), two SVG charts and a report whose statements are computed
//! from the numbers.

mod report;

use cmgems_core::RankLookup;
use cmgems_core::{Tokenizer, K};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::backend::{select_backend, BackendError, Selected};
use crate::finetune::fewshot::{self, FewshotSetup, ShotData, ShotResult};
use crate::finetune::{FinetuneError, InitSource, LabeledSet, Recipe};
use crate::pretrain::{self, Console, JsonlLogs, Masking, PretrainConfig};
use crate::training::{latest_checkpoint, CheckpointError};

/// The experiment file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExperimentConfig {
    pub name: String,
    /// Corpus files, relative to the config file: those that exist are used; none existing
    /// means the embedded synthetic corpus (said in the report).
    #[serde(default)]
    pub corpus: Vec<PathBuf>,
    pub masking: Vec<Masking>,
    pub rank_lookup: Vec<RankLookup>,
    #[serde(deserialize_with = "pretrain::config::deserialize_migrated")]
    pub pretrain: PretrainConfig,
    pub fewshot: FewshotPlan,
}

/// The few-shot scoring of every pretrained variant.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FewshotPlan {
    /// A folder of N/train.tsv files or a labelled file to draw from (relative to the config).
    pub train: PathBuf,
    pub test: PathBuf,
    pub shots: Vec<usize>,
    pub seeds: u64,
    #[serde(default)]
    pub test_limit: Option<usize>,
    #[serde(default)]
    pub epochs: Option<usize>,
    #[serde(default)]
    pub lr: Option<f64>,
}

/// Why an experiment could not run.
#[derive(Debug, thiserror::Error)]
pub enum ExperimentError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Config {
        path: PathBuf,
        source: toml::de::Error,
    },
    #[error(
        "{config}: the few-shot test set is absent ({test}); the experiment needs a labelled task"
    )]
    NoTestSet { config: PathBuf, test: PathBuf },
    #[error("{0}: not a UTF-8 path")]
    NotUtf8(PathBuf),
    #[error(transparent)]
    Backend(#[from] BackendError),
    #[error(transparent)]
    Input(#[from] crate::NativeError),
    #[error(transparent)]
    Core(#[from] cmgems_core::CoreError),
    #[error(transparent)]
    Finetune(#[from] FinetuneError),
    #[error(transparent)]
    Pretrain(#[from] pretrain::PretrainError),
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
}

impl ExperimentError {
    fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ExperimentError + '_ {
        move |source| ExperimentError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// One pretraining variant and what it scored.
struct Outcome {
    name: String,
    switch_step: Option<u64>,
    perplexity: f64,
    shots: BTreeMap<usize, ShotResult>,
    losses: Vec<(f64, f64)>,
}

/// The variants to pretrain: every masker with every rank lookup, random span once.
fn variants(config: &ExperimentConfig) -> Vec<(String, Masking, RankLookup)> {
    let mut out = Vec::new();
    for &m in &config.masking {
        for &l in &config.rank_lookup {
            // Random span never looks at ranks: one run, not two identical ones.
            if m == Masking::Random && l != RankLookup::Kmer {
                continue;
            }
            let masking = serde_json::to_value(m).expect("serialisable");
            let name = if m == Masking::Random {
                "random".to_string()
            } else {
                let lookup = match l {
                    RankLookup::Kmer => "kmer",
                    RankLookup::Position => "position",
                };
                format!("{}-{lookup}", masking.as_str().expect("a string"))
            };
            out.push((name, m, l));
        }
    }
    out
}

/// What every variant is scored on, and how.
struct Scoring {
    test: LabeledSet,
    data: ShotData,
    num_labels: usize,
    seeds: Vec<u64>,
    selected: Selected,
}

/// Reads an experiment file; `backend` overrides its `pretrain.backend`.
pub fn load_config(
    config_path: &Path,
    backend: Option<String>,
) -> Result<ExperimentConfig, ExperimentError> {
    let text = std::fs::read_to_string(config_path).map_err(ExperimentError::io(config_path))?;
    let mut config: ExperimentConfig =
        toml::from_str(&text).map_err(|source| ExperimentError::Config {
            path: config_path.to_path_buf(),
            source,
        })?;
    if let Some(b) = backend {
        config.pretrain.backend = b;
    }
    Ok(config)
}

/// Runs the experiment of `config_path` into `out` (a finished variant's run is resumed,
/// that is, not repeated); `progress` shows progress bars.
pub fn run(
    config_path: &Path,
    out: &Path,
    backend: Option<String>,
    progress: bool,
) -> Result<(), ExperimentError> {
    let mut config = load_config(config_path, backend)?;
    let base = config_path.parent().unwrap_or(Path::new("."));
    let corpus = config
        .corpus
        .iter()
        .map(|c| base.join(c))
        .find(|p| p.is_file());
    let corpus_note = match &corpus {
        Some(p) => format!("real DNA: `{}`", report::file_label(p)),
        None => "the embedded SYNTHETIC corpus (planted motifs and repeats, not real DNA): none of the configured FASTA files exists here".into(),
    };
    config.pretrain.corpus = corpus.into_iter().collect();
    let fs_test = base.join(&config.fewshot.test);
    if !fs_test.exists() {
        return Err(ExperimentError::NoTestSet {
            config: config_path.to_path_buf(),
            test: fs_test,
        });
    }
    std::fs::create_dir_all(out).map_err(ExperimentError::io(out))?;
    let scoring = scoring(&config, base, &fs_test)?;
    let mut outcomes = Vec::new();
    for (name, masking, lookup) in variants(&config) {
        outcomes.push(variant(
            &config, &scoring, out, name, masking, lookup, progress,
        )?);
        report::write_outputs(out, &config, config_path, &corpus_note, &outcomes)?;
    }
    eprintln!("wrote {}", out.join("report.md").display());
    Ok(())
}

/// The device, the few-shot test set and training data, shared by every variant.
fn scoring(
    config: &ExperimentConfig,
    base: &Path,
    fs_test: &Path,
) -> Result<Scoring, ExperimentError> {
    let selected = select_backend(&config.pretrain.backend, config.pretrain.devices)?;
    if let Some(why) = &selected.fallback {
        eprintln!("note: {why}");
    }
    let tokenizer = Tokenizer::new(K::SIX, config.pretrain.seq_len.min(512), false)?;
    let mut test = LabeledSet::load(fs_test, &tokenizer)?;
    if let Some(n) = config.fewshot.test_limit {
        test = test.spread_sample(n);
    }
    eprintln!("{}", test.summary());
    let fs_train = base.join(&config.fewshot.train);
    let data = ShotData::load(&fs_train, &config.fewshot.shots, &tokenizer)?;
    let num_labels = data.num_classes().max(test.num_classes()).max(2);
    Ok(Scoring {
        test,
        data,
        num_labels,
        seeds: (0..config.fewshot.seeds).collect(),
        selected,
    })
}

/// Pretrains one variant into `out/runs/NAME` and scores it.
fn variant(
    config: &ExperimentConfig,
    scoring: &Scoring,
    out: &Path,
    name: String,
    masking: Masking,
    lookup: RankLookup,
    progress: bool,
) -> Result<Outcome, ExperimentError> {
    let dir = out.join("runs").join(&name);
    let mut pretrain = config.pretrain.clone();
    pretrain.masking = masking;
    pretrain.rank_lookup = lookup;
    let resume = latest_checkpoint(&dir)?.is_some();
    eprintln!(
        "== {name}: pretraining {} steps{}",
        pretrain.steps,
        if resume { " (resuming)" } else { "" }
    );
    let mut observers = (JsonlLogs::default(), Console::new(progress));
    let summary = pretrain::run(&pretrain, &scoring.selected, &dir, resume, &mut observers)?;
    let init = InitSource::resolve(
        dir.to_str()
            .ok_or_else(|| ExperimentError::NotUtf8(dir.clone()))?,
    )?;
    let base_config = init.config()?;
    let recipe_of = |n: usize| {
        let mut r = Recipe::fewshot(n);
        r.epochs = config.fewshot.epochs.unwrap_or(r.epochs);
        r.lr = config.fewshot.lr.unwrap_or(r.lr);
        r
    };
    let model_config = recipe_of(config.fewshot.shots[0]).model_config(&base_config);
    let setup = FewshotSetup {
        init: &init,
        config: &model_config,
        num_labels: scoring.num_labels,
        recipe: &recipe_of,
        device: &scoring.selected.device,
        eval_batch: 64,
    };
    let shots = fewshot::run(
        &setup,
        &scoring.data,
        &scoring.test,
        &config.fewshot.shots,
        &scoring.seeds,
        |_, _, _| {},
        |n, seed, r| {
            eprintln!(
                "   {name}: {n} shots, seed {seed}: accuracy {:.4}",
                r.accuracy
            )
        },
    )?;
    Ok(Outcome {
        switch_step: summary.switch_step,
        perplexity: summary.random_span_perplexity,
        shots,
        losses: read_losses(&dir)?,
        name,
    })
}

/// (step, loss) of every training line of a run's metrics.jsonl.
fn read_losses(dir: &Path) -> Result<Vec<(f64, f64)>, ExperimentError> {
    let path = dir.join(pretrain::observer::METRICS_FILE);
    let text = std::fs::read_to_string(&path).map_err(ExperimentError::io(&path))?;
    Ok(text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| Some((v["step"].as_f64()?, v["loss"].as_f64()?)))
        .collect())
}
