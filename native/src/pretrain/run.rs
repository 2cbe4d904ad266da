//! The pretraining loop as a library function: data, curriculum, model steps, evaluation,
//! checkpoints. What it reports goes to an [`Observer`] (logs, progress bar), so the loop
//! is the same for the `train` binary, `experiment` and tests.

use cmgems_core::curriculum::Curriculum;
use cmgems_core::mask::{MaskConfig, Masker, Strategy};
use cmgems_core::synthetic::SyntheticConfig;
use cmgems_core::{NpmiTable, SamplerConfig, SeededRng, Vocab, K};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use super::batches::{self, BatchPlan, Prefetcher};
use super::config::ConfigError;
use super::error::PretrainError;
use super::observer::{EvalRecord, Observer, StepRecord, SwitchRecord, METRICS_FILE};
use super::{Corpus, PieceSet, PretrainConfig};
use crate::backend::Selected;
use crate::files::write_atomic;
use crate::model::{BertConfig, BertForMaskedLM, Preset};
use crate::training::{
    latest_checkpoint, remove_torn_checkpoints, save_checkpoint, Checkpoint, MlmBatch,
    RunCheckpoint, Trainer, TrainerConfig, CHECKPOINTS_DIR, LATEST_FILE,
};
use crate::{npmi_job, tables};

/// The config a run folder holds, beside its outputs.
pub const CONFIG_FILE: &str = "config.toml";

/// State of the run beyond the trainer's, saved in every checkpoint.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct RunState {
    curriculum: Curriculum,
    /// CM-Step draws one number per step from this stream.
    curriculum_rng: SeededRng,
}

/// What a finished run reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub steps: u64,
    pub last_loss: Option<f32>,
    pub last_perplexity: Option<f64>,
    pub switch_step: Option<u64>,
    /// Held-out perplexity of the final model under random-span masking: the one figure that
    /// compares runs of different maskers (each run's own evaluations use its own masker).
    pub random_span_perplexity: f64,
    pub out: PathBuf,
}

/// Reads the config a run wrote, for `--resume DIR`.
pub fn config_of(dir: &Path) -> Result<PretrainConfig, PretrainError> {
    let path = dir.join(CONFIG_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| PretrainError::io(&path, e))?;
    PretrainConfig::from_toml(&text).map_err(|source| PretrainError::ConfigFile { path, source })
}

/// The model `config` names: its `model_config` file or its preset.
pub fn model_config(config: &PretrainConfig) -> Result<BertConfig, PretrainError> {
    match &config.model_config {
        Some(path) => Ok(BertConfig::from_json_file(path)?),
        None => Preset::from_name(&config.preset)
            .map(Preset::config)
            .ok_or_else(|| ConfigError::UnknownPreset(config.preset.clone()).into()),
    }
}

/// How the model of `config` was chosen, as flags.
fn model_source(config: &PretrainConfig) -> String {
    config.model_config.as_ref().map_or_else(
        || format!("--preset {}", config.preset),
        |p| format!("--model-config {}", p.display()),
    )
}

/// The longest sequence the model of `config` takes, up to 512 (the sampler's limit): what a
/// new run uses unless told otherwise, so that `--preset tiny` works without `--seq-len`.
pub fn default_seq_len(config: &PretrainConfig) -> Result<usize, PretrainError> {
    Ok(model_config(config)?.max_position_embeddings.min(512))
}

/// The checks that need the model: its positions must hold a sequence.
pub fn check_model(config: &PretrainConfig, model: &BertConfig) -> Result<(), ConfigError> {
    if model.max_position_embeddings < config.seq_len {
        return Err(ConfigError::SeqLenTooLong {
            seq_len: config.seq_len,
            max: model.max_position_embeddings,
            model: model_source(config),
        });
    }
    Ok(())
}

/// Runs (or, with `resume`, continues) the pretraining described by `config` into `out`.
/// `selected` is the device (see `backend::select_backend`), chosen by the caller before any
/// thread starts because selection also points burn's default device at it.
pub fn run(
    config: &PretrainConfig,
    selected: &Selected,
    out: &Path,
    resume: bool,
    observer: &mut dyn Observer,
) -> Result<Summary, PretrainError> {
    let latest = prepare_folder(config, out, resume)?;
    let data = Data::load(config, out, observer)?;
    observer.on_note(&match selected.others.len() {
        0 => format!("backend: {:?}", selected.device),
        n => format!(
            "backend: {:?} and {n} more (data parallel over {} devices)",
            selected.device,
            n + 1
        ),
    });
    let device = selected.device.clone().autodiff();
    let (trainer, model_config, state) = match &latest {
        Some(dir) if resume => resume_from(dir, config, out, &device, observer)?,
        _ => start_fresh(config, &device)?,
    };
    let trainer = trainer.with_devices(selected.autodiff_others());
    let mut run = Loop::new(config, out, data, trainer, model_config, state)?;
    observer.on_start(out, run.trainer.step, config.steps)?;
    run.train(observer)?;
    observer.on_finish();
    run.summary.random_span_perplexity = run.evaluate(Strategy::RandomSpan);
    Ok(run.summary)
}

/// Checks the config and the folder (no run there unless resuming), cleans what a killed run
/// left, and writes `config.toml`. Returns the latest checkpoint.
fn prepare_folder(
    config: &PretrainConfig,
    out: &Path,
    resume: bool,
) -> Result<Option<PathBuf>, PretrainError> {
    config.validate()?;
    check_model(config, &model_config(config)?)?;
    std::fs::create_dir_all(out).map_err(|e| PretrainError::io(out, e))?;
    let latest = latest_checkpoint(out)?;
    remove_torn_checkpoints(out)?;
    if !resume && (latest.is_some() || out.join(METRICS_FILE).exists()) {
        return Err(PretrainError::AlreadyRun(out.to_path_buf()));
    }
    let text = config.to_toml();
    write_atomic(&out.join(CONFIG_FILE), |w| w.write_all(text.as_bytes()))?;
    Ok(latest)
}

/// The corpus, its pieces and the NPMI table of a run.
struct Data {
    corpus: Corpus,
    set: PieceSet,
    table: NpmiTable,
}

impl Data {
    fn load(
        config: &PretrainConfig,
        out: &Path,
        observer: &mut dyn Observer,
    ) -> Result<Data, PretrainError> {
        let k = K::SIX;
        let corpus = if config.corpus.is_empty() {
            observer.on_note("note: pretraining on the embedded SYNTHETIC corpus (not real DNA); pass --corpus FILE for real data");
            Corpus::synthetic(&SyntheticConfig {
                records: config.synthetic_records,
                record_len: config.synthetic_record_len,
                seed: config.seed,
                ..SyntheticConfig::default()
            })
        } else {
            Corpus::from_files(&config.corpus, k)?
        };
        let table = load_or_count_table(config, &corpus, k, out)?;
        let sampler = SamplerConfig {
            k,
            max_tokens: config.seq_len - 2,
            held_out_share: config.held_out_share,
            seed: config.seed,
            ..SamplerConfig::default()
        };
        let set = PieceSet::cut(&corpus, sampler, config.dedup)?;
        if set.held_out.is_empty() {
            return Err(PretrainError::NoHeldOut);
        }
        observer.on_note(&format!(
            "corpus: {} ({} nt); pieces: {} train, {} held out, {} duplicates dropped",
            corpus.source,
            corpus.len(),
            set.train.len(),
            set.held_out.len(),
            set.duplicates
        ));
        Ok(Data { corpus, set, table })
    }
}

fn load_or_count_table(
    config: &PretrainConfig,
    corpus: &Corpus,
    k: K,
    out: &Path,
) -> Result<NpmiTable, PretrainError> {
    let table = match &config.table {
        Some(path) => tables::load_table(path, Some(k))?,
        None => {
            let counts = npmi_job::count_batch(k, &corpus.records);
            NpmiTable::from_counts(&counts, config.min_count)
                .map_err(|source| PretrainError::Table {
                    corpus: corpus.source.clone(),
                    source,
                })?
                .with_source(format!("counted by cmgems from {}", corpus.source))
        }
    };
    tables::save_table(&table, &out.join("table.json"))?;
    Ok(table)
}

type Started = (Trainer, BertConfig, RunState);

/// The trainer's optimizer and schedule settings of `config`.
fn trainer_config(config: &PretrainConfig) -> TrainerConfig {
    TrainerConfig {
        optimizer: config.optimizer.clone(),
        total_steps: config.steps,
        accumulation: config.accumulation,
    }
}

fn start_fresh(
    config: &PretrainConfig,
    device: &burn::tensor::Device,
) -> Result<Started, PretrainError> {
    let model_config = model_config(config)?;
    device.seed(config.seed);
    let model = BertForMaskedLM::new(&model_config, device);
    let trainer = Trainer::new(model, trainer_config(config), config.seed, device.clone());
    let state = RunState {
        curriculum: Curriculum::new(config.curriculum())?,
        curriculum_rng: SeededRng::new(config.seed),
    };
    Ok((trainer, model_config, state))
}

fn resume_from(
    dir: &Path,
    config: &PretrainConfig,
    out: &Path,
    device: &burn::tensor::Device,
    observer: &mut dyn Observer,
) -> Result<Started, PretrainError> {
    let (trainer, saved, model_config) =
        Checkpoint::new(dir)
            .load(device)
            .map_err(|e| PretrainError::Unloadable {
                source: Box::new(e),
                dir: dir.to_path_buf(),
                latest: out.join(CHECKPOINTS_DIR).join(LATEST_FILE),
            })?;
    same_model(&model_config, config, dir, out)?;
    let state: RunState =
        serde_json::from_value(saved.run.clone()).map_err(|source| PretrainError::RunState {
            dir: dir.to_path_buf(),
            source,
        })?;
    observer.on_note(&format!(
        "resuming from {} (step {})",
        dir.display(),
        trainer.step
    ));
    Ok((trainer, model_config, state))
}

/// A resumed run must continue the model its config names: a checkpoint of another
/// preset (an edited config.toml, a checkpoint copied from another run) is refused rather
/// than silently trained in place of the one asked for.
fn same_model(
    saved: &BertConfig,
    config: &PretrainConfig,
    dir: &Path,
    out: &Path,
) -> Result<(), PretrainError> {
    let wanted = model_config(config)?;
    // `extra` holds what HF adds to a written config.json (`architectures`, ...).
    let bare = |c: &BertConfig| BertConfig {
        extra: Default::default(),
        ..c.clone()
    };
    if bare(saved) == bare(&wanted) {
        return Ok(());
    }
    let shape = |c: &BertConfig| {
        format!(
            "{} layers, hidden {}, {} heads, FFN {}, vocabulary {}",
            c.num_hidden_layers,
            c.hidden_size,
            c.num_attention_heads,
            c.intermediate_size,
            c.vocab_size
        )
    };
    Err(PretrainError::OtherModel {
        dir: dir.to_path_buf(),
        saved: shape(saved),
        config: out.join(CONFIG_FILE),
        name: config
            .model_config
            .as_ref()
            .map_or(format!("preset {:?}", config.preset), |p| {
                p.display().to_string()
            }),
        wanted: shape(&wanted),
    })
}

/// A run between its setup and its end.
struct Loop<'a> {
    config: &'a PretrainConfig,
    out: &'a Path,
    trainer: Trainer,
    model_config: BertConfig,
    state: RunState,
    masker: Masker,
    plan: BatchPlan,
    corpus: Arc<Corpus>,
    set: Arc<PieceSet>,
    vocab: Vocab,
    loader: Prefetcher,
    summary: Summary,
}

impl<'a> Loop<'a> {
    fn new(
        config: &'a PretrainConfig,
        out: &'a Path,
        data: Data,
        trainer: Trainer,
        model_config: BertConfig,
        state: RunState,
    ) -> Result<Loop<'a>, PretrainError> {
        let k = K::SIX;
        let vocab = Vocab::new(k);
        let masker = Masker::new(
            data.table.rank_table().clone(),
            MaskConfig {
                k,
                rank_lookup: config.rank_lookup,
                random_ids: config.random_ids,
                ..MaskConfig::default()
            },
        )?;
        let plan = BatchPlan {
            rows: config.batch_size,
            seq_len: config.seq_len,
            seed: config.seed,
        };
        let corpus = Arc::new(data.corpus);
        let set = Arc::new(data.set);
        let start = trainer.step;
        let loader = Prefetcher::start(
            plan.clone(),
            corpus.clone(),
            set.clone(),
            vocab,
            start * config.accumulation as u64,
            2 * config.accumulation,
        );
        let summary = Summary {
            steps: start,
            last_loss: None,
            last_perplexity: state.curriculum.last_evaluation().map(|e| e.perplexity),
            switch_step: state.curriculum.switch_step(),
            random_span_perplexity: f64::NAN,
            out: out.to_path_buf(),
        };
        Ok(Loop {
            config,
            out,
            trainer,
            model_config,
            state,
            masker,
            plan,
            corpus,
            set,
            vocab,
            loader,
            summary,
        })
    }

    /// Every remaining step, with its evaluations and checkpoints.
    fn train(&mut self, observer: &mut dyn Observer) -> Result<(), PretrainError> {
        let config = self.config;
        for step in self.trainer.step..config.steps {
            let record = self.step(step)?;
            observer.on_step(&record)?;
            self.summary.steps = record.step;
            self.summary.last_loss = record.loss;
            let done = record.step;
            if done % config.eval_every == 0 || done == config.steps {
                self.evaluate_and_observe(done, observer)?;
            }
            if done % config.checkpoint_every == 0 || done == config.steps {
                observer.before_checkpoint(done)?;
                save_checkpoint(
                    self.out,
                    &self.trainer,
                    RunCheckpoint {
                        model_config: &self.model_config,
                        data_cursor: done * config.accumulation as u64,
                        state: serde_json::to_value(&self.state).expect("state serialises"),
                        keep: config.keep_checkpoints,
                    },
                )?;
            }
        }
        Ok(())
    }

    /// One optimizer step over `accumulation` micro-batches.
    fn step(&mut self, step: u64) -> Result<StepRecord, PretrainError> {
        let config = self.config;
        let t0 = Instant::now();
        let strategy = self
            .state
            .curriculum
            .strategy_for_step(step, &mut self.state.curriculum_rng);
        let mut wait = 0.0;
        let mut micro = Vec::with_capacity(config.accumulation);
        let (mut masked, mut maskable, mut kmer_tokens) = (0usize, 0usize, 0usize);
        for _ in 0..config.accumulation {
            let tw = Instant::now();
            let tokens = self.loader.next_batch();
            wait += tw.elapsed().as_secs_f64();
            let batch = batches::mask(&mut self.masker, strategy, &tokens, config.seed);
            masked += batch.stats.masked;
            maskable += batch.stats.maskable;
            kmer_tokens += tokens.kmer_tokens();
            micro.push(MlmBatch::from(&batch));
        }
        let lr = self.trainer.config.schedule().lr(step);
        let loss = self.trainer.train_step(&micro);
        if let Some(l) = loss.filter(|l| !l.is_finite()) {
            return Err(PretrainError::Diverged {
                loss: l,
                step: step + 1,
                last: latest_checkpoint(self.out)?.map_or("none (no checkpoint yet)".into(), |p| {
                    p.display().to_string()
                }),
            });
        }
        let secs = t0.elapsed().as_secs_f64();
        Ok(StepRecord {
            step: step + 1,
            loss,
            lr,
            masker: strategy,
            masked_share: masked as f64 / maskable.max(1) as f64,
            tokens_per_s: kmer_tokens as f64 / secs,
            loader_share: wait / secs,
        })
    }

    /// The held-out evaluation after step `done`, and the CM-GEMS switch it may cause.
    fn evaluate_and_observe(
        &mut self,
        done: u64,
        observer: &mut dyn Observer,
    ) -> Result<(), PretrainError> {
        let eval_strategy = self.state.curriculum.current();
        let ppl = self.evaluate(eval_strategy);
        self.summary.last_perplexity = Some(ppl);
        observer.on_eval(&EvalRecord {
            step: done,
            eval_perplexity: ppl,
            eval_loss: ppl.ln(),
            eval_masker: eval_strategy,
        })?;
        if let Some(ev) = self.state.curriculum.observe_perplexity(done, ppl) {
            observer.on_switch(&SwitchRecord {
                step: done,
                event: "switch",
                from: Strategy::GeneMask,
                to: Strategy::Global,
                previous_perplexity: ev.previous,
                perplexity: ev.current,
            })?;
            self.summary.switch_step = Some(ev.step);
        }
        Ok(())
    }

    /// Held-out perplexity under `strategy`'s masking, on fixed batches and masks.
    fn evaluate(&mut self, strategy: Strategy) -> f64 {
        const EVAL_SALT: u64 = 0x6576_616c;
        let config = self.config;
        let mut total = 0.0;
        let mut n = 0usize;
        let held_out =
            self.plan
                .held_out_batches(&self.corpus, &self.set, &self.vocab, config.eval_batches);
        for tokens in held_out {
            let batch = MlmBatch::from(&batches::mask(
                &mut self.masker,
                strategy,
                &tokens,
                config.seed ^ EVAL_SALT,
            ));
            if batch.has_labels() {
                total += self.trainer.eval_loss(&batch) as f64;
                n += 1;
            }
        }
        (total / n.max(1) as f64).exp()
    }
}
