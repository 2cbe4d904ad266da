//! `train experiment --config experiments/medium.toml`: the paper's comparison rerun small.
//! Every masker (and, for the PMI maskers, rank lookup by k-mer and by position) pretrains
//! the same model on the same corpus with the same steps, once per pretraining seed; a seed
//! fixes the initial weights and the data order, so the variants pair by seed. Each run is
//! then scored by held-out MLM perplexity under one common masker, the zero-shot probe and
//! the few-shot protocol. Writes a results table (Markdown + CSV per run), SVG charts, paired
//! tests between variants and a report whose statements are computed from the numbers.
//!
//! Each run is also scored along the way (`curve_every`): at each of its checkpoints the
//! probe AUCs and the held-out perplexities, from which the report reads the steps each
//! masker takes to reach the random-span masker's final score.
//!
//! Interrupted experiments continue: a run's checkpoints resume its pretraining, and its
//! `scores.json` (written once it is scored) is reused as long as the plan is unchanged.
//! The report is built from those files alone, so [`report_only`] rebuilds it from them.

mod curves;
mod report;
mod scores;
mod stats;

use cmgems_core::RankLookup;
use cmgems_core::{Tokenizer, K};
use serde::Deserialize;
use std::path::{Path, PathBuf};

use crate::backend::{select_backend, BackendError, Selected};
use crate::events::Observers;
use crate::finetune::fewshot::ShotData;
use crate::finetune::{FinetuneError, InitSource, LabeledSet};
use crate::pretrain::{self, JsonlLogs, Masking, PretrainConfig};
use crate::training::{latest_checkpoint, CheckpointError, LinearWarmupDecay, CHECKPOINTS_DIR};
use scores::{CurvePoint, RunScores};

/// The experiment file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExperimentConfig {
    pub name: String,
    /// Corpus files, relative to the config file: those that exist are pooled; none existing
    /// means the embedded synthetic corpus (said in the report).
    #[serde(default)]
    pub corpus: Vec<PathBuf>,
    pub masking: Vec<Masking>,
    pub rank_lookup: Vec<RankLookup>,
    /// Pretraining seeds (each replaces `pretrain.seed`); empty: `pretrain.seed` alone.
    #[serde(default)]
    pub pretrain_seeds: Vec<u64>,
    /// Score each run every this many steps along the way (its checkpoints) as well as at
    /// the end; absent: at the end only.
    #[serde(default)]
    pub curve_every: Option<u64>,
    /// Corpora to run the whole plan on, each into its own folder of `--out` (named after
    /// it), instead of `corpus`.
    #[serde(default)]
    pub genomes: Vec<Genome>,
    #[serde(deserialize_with = "pretrain::config::deserialize_migrated")]
    pub pretrain: PretrainConfig,
    pub fewshot: FewshotPlan,
    /// The zero-shot probe tasks (docs/algorithms.md §9); absent: no probe.
    #[serde(default)]
    pub probe: Option<ProbePlan>,
}

impl ExperimentConfig {
    /// The pretraining seeds, `pretrain.seed` when none is listed.
    pub fn seeds(&self) -> Vec<u64> {
        if self.pretrain_seeds.is_empty() {
            vec![self.pretrain.seed]
        } else {
            self.pretrain_seeds.clone()
        }
    }
}

/// One corpus of a plan run on several genomes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Genome {
    /// The folder of its results under `--out` (and the report's name for it).
    pub name: String,
    /// Its files, relative to the config file, as `corpus`.
    pub corpus: Vec<PathBuf>,
}

/// The probe of every pretrained run: a logistic regression on frozen mean-pooled embeddings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbePlan {
    pub tasks: Vec<ProbeTask>,
    /// Fit on at most this many training examples, spread over the file.
    #[serde(default)]
    pub train_limit: Option<usize>,
    /// Score at most this many test examples, spread over the file.
    #[serde(default)]
    pub test_limit: Option<usize>,
    /// Also probe the preset's random weights (drawn from each pretraining seed): the score
    /// a model gets without pretraining, the floor every pretrained run should clear.
    #[serde(default)]
    pub untrained: bool,
}

/// One labelled task of the probe, with its own train and test files (relative to the config).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeTask {
    pub name: String,
    pub train: PathBuf,
    pub test: PathBuf,
}

/// The few-shot scoring of every pretrained variant.
#[derive(Debug, Clone, Deserialize)]
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
    #[error("{config}: probe task `{task}`: {path} is absent")]
    NoProbeFile {
        config: PathBuf,
        task: String,
        path: PathBuf,
    },
    #[error("{0}: the experiment lists no masking variant")]
    NoVariant(PathBuf),
    #[error("{0}: not a UTF-8 path")]
    NotUtf8(PathBuf),
    #[error("{0}: `curve_every` must be at least 1")]
    CurveEvery(PathBuf),
    #[error("{0}: give either `corpus` or `genomes`, not both")]
    CorpusAndGenomes(PathBuf),
    #[error("{config}: no genome is named `{name}` (`genomes` lists: {known})")]
    UnknownGenome {
        config: PathBuf,
        name: String,
        known: String,
    },
    #[error("{path}: {source}")]
    Scores {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("{0}: no run has been scored there; nothing to report")]
    NothingScored(PathBuf),
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
    #[error("stopped while pretraining {0} (interrupted); run the experiment again to resume it")]
    Stopped(PathBuf),
}

impl ExperimentError {
    fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ExperimentError + '_ {
        move |source| ExperimentError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// A variant and what its runs scored, one per pretraining seed.
struct Outcome {
    name: String,
    runs: Vec<RunScores>,
}

impl Outcome {
    fn new(name: &str) -> Outcome {
        Outcome {
            name: name.to_string(),
            runs: Vec::new(),
        }
    }

    /// Whether its runs were pretrained (the untrained probe has no curve).
    fn trained(&self) -> bool {
        self.runs.iter().any(|r| !r.curve.is_empty())
    }
}

/// The variants to pretrain: every masker with every rank lookup; random span and RandomMask
/// once each.
fn variants(config: &ExperimentConfig) -> Vec<(String, Masking, RankLookup)> {
    let mut out = Vec::new();
    for &m in &config.masking {
        let masking = serde_json::to_value(m).expect("serialisable");
        let masking = masking.as_str().expect("a string");
        for &l in &config.rank_lookup {
            // Random span and RandomMask never look at ranks: one run, not two identical ones.
            if matches!(m, Masking::Random | Masking::Randommask) {
                if l == RankLookup::Kmer {
                    out.push((masking.to_string(), m, l));
                }
                continue;
            }
            let lookup = match l {
                RankLookup::Kmer => "kmer",
                RankLookup::Position => "position",
            };
            out.push((format!("{masking}-{lookup}"), m, l));
        }
    }
    out
}

/// A probe task's two splits, tokenized.
struct ProbeData {
    name: String,
    train: LabeledSet,
    test: LabeledSet,
}

/// What every run is scored on, and how.
struct Scoring {
    test: LabeledSet,
    data: ShotData,
    num_labels: usize,
    fewshot_seeds: Vec<u64>,
    probes: Vec<ProbeData>,
    selected: Selected,
    /// What is scored, in words: a run's saved scores are reused only under the same plan.
    plan: String,
    /// The corpus, in words, as the report gives it.
    corpus: String,
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

/// Runs the experiment of `config_path` into `out` (finished runs are reused, interrupted
/// ones resumed); `observers` hear every pretraining and fine-tuning run and the notes.
/// With `genomes`, the whole plan once per genome, each into its own folder of `out`; `only`
/// (when not empty) names the genomes to run, so that one process per genome can share the
/// machine's cores and `out`.
pub fn run(
    config_path: &Path,
    out: &Path,
    backend: Option<String>,
    only: &[String],
    observers: &mut Observers,
) -> Result<(), ExperimentError> {
    let config = load_config(config_path, backend)?;
    for (sub, config) in per_genome(&config, config_path, out, only)? {
        run_plan(&config, config_path, &sub, observers)?;
    }
    Ok(())
}

/// Rebuilds `report.md`, `results.md`, `results.csv` and the charts of `out` from the runs'
/// saved `scores.json` alone (no data, no model): the committed results regenerate.
/// `only` as in [`run`].
pub fn report_only(config_path: &Path, out: &Path, only: &[String]) -> Result<(), ExperimentError> {
    let config = load_config(config_path, None)?;
    for (sub, config) in per_genome(&config, config_path, out, only)? {
        let mut outcomes = empty_outcomes(&config);
        for seed in config.seeds() {
            for o in &mut outcomes {
                if let Some(s) = scores::load(&run_dir(&sub, &o.name, seed))? {
                    o.runs.push(s);
                }
            }
        }
        let Some(first) = outcomes.iter().flat_map(|o| &o.runs).next() else {
            return Err(ExperimentError::NothingScored(sub));
        };
        let corpus_note = first.corpus.clone();
        report::write_outputs(&sub, &config, config_path, &corpus_note, &outcomes)?;
    }
    Ok(())
}

/// The output folder and the config of each genome of the plan (`out` and `config` itself
/// when it lists none), or of those named in `only`.
fn per_genome(
    config: &ExperimentConfig,
    config_path: &Path,
    out: &Path,
    only: &[String],
) -> Result<Vec<(PathBuf, ExperimentConfig)>, ExperimentError> {
    if config.curve_every == Some(0) {
        return Err(ExperimentError::CurveEvery(config_path.to_path_buf()));
    }
    let listed = |name: &String| config.genomes.iter().any(|g| &g.name == name);
    if let Some(name) = only.iter().find(|n| !listed(n)) {
        let known: Vec<&str> = config.genomes.iter().map(|g| g.name.as_str()).collect();
        return Err(ExperimentError::UnknownGenome {
            config: config_path.to_path_buf(),
            name: name.clone(),
            known: if known.is_empty() {
                "none".into()
            } else {
                known.join(", ")
            },
        });
    }
    if config.genomes.is_empty() {
        return Ok(vec![(out.to_path_buf(), config.clone())]);
    }
    if !config.corpus.is_empty() {
        return Err(ExperimentError::CorpusAndGenomes(config_path.to_path_buf()));
    }
    Ok(config
        .genomes
        .iter()
        .filter(|g| only.is_empty() || only.contains(&g.name))
        .map(|g| {
            let mut c = config.clone();
            c.name = format!("{} ({})", config.name, g.name);
            c.corpus.clone_from(&g.corpus);
            (out.join(&g.name), c)
        })
        .collect())
}

/// Every variant of the plan, with no run yet; the untrained probe last.
fn empty_outcomes(config: &ExperimentConfig) -> Vec<Outcome> {
    let mut outcomes: Vec<Outcome> = variants(config)
        .iter()
        .map(|v| Outcome::new(&v.0))
        .collect();
    if config.probe.as_ref().is_some_and(|p| p.untrained) {
        outcomes.push(Outcome::new(UNTRAINED));
    }
    outcomes
}

/// The folder of a variant's run at one pretraining seed.
fn run_dir(out: &Path, variant: &str, seed: u64) -> PathBuf {
    out.join("runs").join(variant).join(format!("seed-{seed}"))
}

/// One genome's plan. Seed by seed, so that an experiment stopped early holds the same
/// seeds for every variant.
fn run_plan(
    config: &ExperimentConfig,
    config_path: &Path,
    out: &Path,
    observers: &mut Observers,
) -> Result<(), ExperimentError> {
    let mut config = config.clone();
    let base = config_path.parent().unwrap_or(Path::new("."));
    // Files as the config names them (relative to it): the report says which task's file
    // it read, without this machine's paths.
    let (named, corpus): (Vec<String>, Vec<PathBuf>) = config
        .corpus
        .iter()
        .map(|c| (format!("`{}`", c.display()), base.join(c)))
        .filter(|(_, p)| p.is_file())
        .unzip();
    let corpus_note = if corpus.is_empty() {
        "the embedded SYNTHETIC corpus (planted motifs and repeats, not real DNA): none of the configured files exists here".into()
    } else {
        format!("real DNA: {}", named.join(", "))
    };
    config.pretrain.data.corpus = corpus;
    let plan = variants(&config);
    if plan.is_empty() {
        return Err(ExperimentError::NoVariant(config_path.to_path_buf()));
    }
    std::fs::create_dir_all(out).map_err(ExperimentError::io(out))?;
    let scoring = scoring(&config, (base, config_path), &corpus_note, observers)?;
    let mut outcomes = empty_outcomes(&config);
    for seed in config.seeds() {
        for (i, (name, masking, lookup)) in plan.iter().enumerate() {
            let dir = run_dir(out, name, seed);
            let scores = match scores::cached(&dir, &scoring.plan) {
                Some(s) => {
                    observers.on_note(&format!("== {name}, seed {seed}: scored before (reused)"));
                    s
                }
                None => {
                    let run = RunSpec {
                        name,
                        masking: *masking,
                        lookup: *lookup,
                        seed,
                    };
                    trained_run(&config, &scoring, (&dir, &run), observers)?
                }
            };
            outcomes[i].runs.push(scores);
            report::write_outputs(out, &config, config_path, &corpus_note, &outcomes)?;
        }
        if outcomes.len() > plan.len() {
            let dir = run_dir(out, UNTRAINED, seed);
            let scores = untrained_run(&config, &scoring, (&dir, seed), observers)?;
            outcomes.last_mut().expect("pushed above").runs.push(scores);
            report::write_outputs(out, &config, config_path, &corpus_note, &outcomes)?;
        }
    }
    observers.on_note(&format!("wrote {}", out.join("report.md").display()));
    Ok(())
}

/// The name of the probe-only variant without pretraining.
const UNTRAINED: &str = "untrained";

/// One pretraining run of the plan.
struct RunSpec<'a> {
    name: &'a str,
    masking: Masking,
    lookup: RankLookup,
    seed: u64,
}

/// The device, the few-shot and probe data, shared by every run.
fn scoring(
    config: &ExperimentConfig,
    (base, config_path): (&Path, &Path),
    corpus: &str,
    observers: &mut Observers,
) -> Result<Scoring, ExperimentError> {
    let fs_test = base.join(&config.fewshot.test);
    if !fs_test.exists() {
        return Err(ExperimentError::NoTestSet {
            config: config_path.to_path_buf(),
            test: fs_test,
        });
    }
    let selected = select_backend(&config.pretrain.backend, config.pretrain.devices)?;
    if let Some(why) = &selected.fallback {
        observers.on_note(&format!("note: {why}"));
    }
    // The model's positions beyond the pretraining length were never trained.
    let tokenizer = Tokenizer::new(K::SIX, config.pretrain.data.seq_len.min(512), false)?;
    let mut test = LabeledSet::load(&fs_test, &tokenizer)?;
    if let Some(n) = config.fewshot.test_limit {
        test = test.spread_sample(n);
    }
    observers.on_note(&test.summary());
    let fs_train = base.join(&config.fewshot.train);
    let data = ShotData::load(&fs_train, &config.fewshot.shots, &tokenizer)?;
    let num_labels = data.num_classes().max(test.num_classes()).max(2);
    let probes = match &config.probe {
        Some(p) => probe_data(p, (base, config_path), &tokenizer, observers)?,
        None => Vec::new(),
    };
    let plan = format!(
        "steps {}, curve every {:?}, shots {:?} x {} fine-tuning seeds, test limit {:?}; probe {:?}, limits {:?}/{:?}",
        config.pretrain.schedule.steps,
        config.curve_every,
        config.fewshot.shots,
        config.fewshot.seeds,
        config.fewshot.test_limit,
        probes.iter().map(|p| &p.name).collect::<Vec<_>>(),
        config.probe.as_ref().and_then(|p| p.train_limit),
        config.probe.as_ref().and_then(|p| p.test_limit),
    );
    Ok(Scoring {
        test,
        data,
        num_labels,
        fewshot_seeds: (0..config.fewshot.seeds).collect(),
        probes,
        selected,
        plan,
        corpus: corpus.to_string(),
    })
}

/// Every probe task's splits, cut to the plan's limits.
fn probe_data(
    plan: &ProbePlan,
    (base, config_path): (&Path, &Path),
    tokenizer: &Tokenizer,
    observers: &mut Observers,
) -> Result<Vec<ProbeData>, ExperimentError> {
    let mut load = |task: &ProbeTask, file: &Path, limit: Option<usize>| {
        let path = base.join(file);
        if !path.exists() {
            return Err(ExperimentError::NoProbeFile {
                config: config_path.to_path_buf(),
                task: task.name.clone(),
                path,
            });
        }
        let mut set = LabeledSet::load(&path, tokenizer)?;
        if let Some(n) = limit {
            set = set.spread_sample(n);
        }
        observers.on_note(&format!("probe {}: {}", task.name, set.summary()));
        Ok(set)
    };
    plan.tasks
        .iter()
        .map(|task| {
            Ok(ProbeData {
                name: task.name.clone(),
                train: load(task, &task.train, plan.train_limit)?,
                test: load(task, &task.test, plan.test_limit)?,
            })
        })
        .collect()
}

/// Pretrains one run into `dir` (resuming what is there) and scores it: its checkpoints
/// along the way (kept for this, every `curve_every` steps) and the final model.
fn trained_run(
    config: &ExperimentConfig,
    scoring: &Scoring,
    (dir, run): (&Path, &RunSpec),
    observers: &mut Observers,
) -> Result<RunScores, ExperimentError> {
    let mut pretrain = config.pretrain.clone();
    pretrain.set_curriculum(run.masking);
    pretrain.masking.rank_lookup = run.lookup;
    pretrain.seed = run.seed;
    if let Some(every) = config.curve_every {
        pretrain.checkpoints.checkpoint_every = every;
        pretrain.checkpoints.keep_checkpoints =
            (pretrain.schedule.steps / every.max(1)) as usize + 1;
    }
    let resume = latest_checkpoint(dir)?.is_some();
    observers.on_note(&format!(
        "== {}, seed {}: pretraining {} steps{}",
        run.name,
        run.seed,
        pretrain.schedule.steps,
        if resume { " (resuming)" } else { "" }
    ));
    let mut logged = Observers::new()
        .with(JsonlLogs::default())
        .with(&mut *observers);
    let summary = pretrain::run(&pretrain, &scoring.selected, dir, resume, &mut logged)?;
    drop(logged);
    if summary.stopped {
        return Err(ExperimentError::Stopped(dir.to_path_buf()));
    }
    let init = InitSource::resolve(
        dir.to_str()
            .ok_or_else(|| ExperimentError::NotUtf8(dir.to_path_buf()))?,
    )?;
    let curve = curve_of(&pretrain, scoring, dir, observers)?;
    let (losses, evals) = read_logs(dir)?;
    let scores = RunScores {
        variant: run.name.to_string(),
        seed: run.seed,
        plan: scoring.plan.clone(),
        switch_step: summary.switch_step,
        perplexity: Some(summary.random_span_perplexity),
        unigram_perplexity: summary.random_span_unigram_perplexity,
        probes: scores::probe_all(&init, scoring, run.seed, observers)?,
        shots: scores::fewshot_all(&init, config, scoring, observers)?,
        corpus: scoring.corpus.clone(),
        curve,
        losses,
        evals,
    };
    scores::save(dir, &scores)?;
    // Scored: the checkpoints along the way are no longer needed (the last one stays, for
    // fine-tuning from the run).
    let checkpoints = checkpoint_dirs(dir)?;
    for old in checkpoints.iter().take(checkpoints.len().saturating_sub(1)) {
        std::fs::remove_dir_all(old).map_err(ExperimentError::io(old))?;
    }
    Ok(scores)
}

/// The scores of every checkpoint of the run in `dir`, in step order. The learning rate
/// at each is the run's own schedule's: checkpoints of one run, not shorter runs.
fn curve_of(
    pretrain: &PretrainConfig,
    scoring: &Scoring,
    dir: &Path,
    observers: &mut Observers,
) -> Result<Vec<CurvePoint>, ExperimentError> {
    let checkpoints = checkpoint_dirs(dir)?;
    let held = pretrain::held_out_of_checkpoints(pretrain, &scoring.selected, dir, &checkpoints)?;
    let schedule = LinearWarmupDecay {
        peak: pretrain.optimizer.lr,
        warmup: pretrain.optimizer.warmup_steps,
        total: pretrain.schedule.steps,
    };
    let mut curve = Vec::with_capacity(held.len());
    for (ckpt, h) in checkpoints.iter().zip(held) {
        observers.on_note(&format!(
            "   step {}: perplexity {:.1} (own masks) / {:.1} (random span)",
            h.step, h.perplexity, h.random_span_perplexity
        ));
        let init = InitSource::Checkpoint(ckpt.clone());
        let probes = scores::probe_all(&init, scoring, pretrain.seed, observers)?;
        curve.push(CurvePoint {
            step: h.step,
            lr: schedule.lr(h.step),
            masker: serde_json::to_value(h.masker)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default(),
            own_perplexity: h.perplexity,
            own_unigram_perplexity: h.unigram_perplexity,
            perplexity: h.random_span_perplexity,
            unigram_perplexity: h.random_span_unigram_perplexity,
            probe_auc: probes.into_iter().map(|(t, p)| (t, p.auc)).collect(),
        });
    }
    Ok(curve)
}

/// The `step-N` checkpoint folders of the run in `dir`, in step order.
fn checkpoint_dirs(dir: &Path) -> Result<Vec<PathBuf>, ExperimentError> {
    let root = dir.join(CHECKPOINTS_DIR);
    let entries = std::fs::read_dir(&root).map_err(ExperimentError::io(&root))?;
    let mut steps: Vec<(u64, PathBuf)> = Vec::new();
    for entry in entries {
        let path = entry.map_err(ExperimentError::io(&root))?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if let Some(step) = name.strip_prefix("step-").and_then(|n| n.parse().ok()) {
            steps.push((step, path));
        }
    }
    steps.sort();
    Ok(steps.into_iter().map(|(_, p)| p).collect())
}

/// The probe on the preset's random weights drawn from `seed`: the floor without pretraining.
fn untrained_run(
    config: &ExperimentConfig,
    scoring: &Scoring,
    (dir, seed): (&Path, u64),
    observers: &mut Observers,
) -> Result<RunScores, ExperimentError> {
    if let Some(s) = scores::cached(dir, &scoring.plan) {
        return Ok(s);
    }
    observers.on_note(&format!(
        "== {UNTRAINED}, seed {seed}: probe of random weights"
    ));
    let init = InitSource::resolve(&format!("preset:{}", config.pretrain.model.preset))?;
    let scores = RunScores {
        variant: UNTRAINED.into(),
        seed,
        plan: scoring.plan.clone(),
        switch_step: None,
        perplexity: None,
        unigram_perplexity: None,
        probes: scores::probe_all(&init, scoring, seed, observers)?,
        shots: Default::default(),
        corpus: scoring.corpus.clone(),
        curve: Vec::new(),
        losses: Vec::new(),
        evals: Vec::new(),
    };
    std::fs::create_dir_all(dir).map_err(ExperimentError::io(dir))?;
    scores::save(dir, &scores)?;
    Ok(scores)
}

/// A run's training loss (means of [`scores::LOSS_BLOCK`]-step blocks) and its held-out
/// perplexity at every evaluation (under its own masker), from its metrics.jsonl.
type Logs = (Vec<(f64, f64)>, Vec<(f64, f64)>);

fn read_logs(dir: &Path) -> Result<Logs, ExperimentError> {
    let path = dir.join(pretrain::observer::METRICS_FILE);
    let text = std::fs::read_to_string(&path).map_err(ExperimentError::io(&path))?;
    let lines: Vec<serde_json::Value> = text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let pick = |key: &str| -> Vec<(f64, f64)> {
        lines
            .iter()
            .filter_map(|v| Some((v["step"].as_f64()?, v[key].as_f64()?)))
            .collect()
    };
    let losses = pick("loss")
        .chunks(scores::LOSS_BLOCK)
        .map(|block| {
            let mean = block.iter().map(|p| p.1).sum::<f64>() / block.len() as f64;
            (block[block.len() - 1].0, mean)
        })
        .collect();
    Ok((losses, pick("eval_perplexity")))
}
