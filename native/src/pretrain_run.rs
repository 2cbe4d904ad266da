//! The pretraining loop: data, curriculum, model steps, evaluation, metrics, checkpoints.

use anyhow::{anyhow, bail, Context, Result};
use cmgems_core::curriculum::Curriculum;
use cmgems_core::mask::{MaskConfig, Masker, Strategy};
use cmgems_core::synthetic::SyntheticConfig;
use cmgems_core::{NpmiTable, SamplerConfig, SeededRng, Vocab, K};
use cmgems_native::backend::Selected;
use cmgems_native::files::write_atomic;
use cmgems_native::model::{BertConfig, BertForMaskedLM, Preset};
use cmgems_native::pretrain::batches::{self, BatchPlan, Prefetcher};
use cmgems_native::pretrain::{Corpus, PieceSet, PretrainConfig};
use cmgems_native::training::{
    latest_checkpoint, Checkpoint, MlmBatch, OptimConfig, Trainer, CHECKPOINTS_DIR, LATEST_FILE,
};
use cmgems_native::{npmi_job, tables};
use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

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

const CONFIG_FILE: &str = "config.toml";
const METRICS_FILE: &str = "metrics.jsonl";
const EVENTS_FILE: &str = "events.jsonl";

/// Reads the config a run wrote, for `--resume DIR`.
pub fn config_of(dir: &Path) -> Result<PretrainConfig> {
    let path = dir.join(CONFIG_FILE);
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    PretrainConfig::from_toml(&text).map_err(|e| anyhow!("{}: {e}", path.display()))
}

/// Runs (or, with `resume`, continues) the pretraining described by `config` into `out`.
/// `selected` is the device (see `backend::select_device`), chosen by the caller before any
/// thread starts because selection also points burn's default device at it.
pub fn run(
    config: &PretrainConfig,
    selected: &Selected,
    out: &Path,
    resume: bool,
    progress: bool,
) -> Result<Summary> {
    config
        .validate()
        .map_err(|e| anyhow!("invalid configuration: {e}"))?;
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let latest = latest_checkpoint(out)?;
    remove_torn_checkpoints(&out.join(CHECKPOINTS_DIR))?;
    if !resume && (latest.is_some() || out.join(METRICS_FILE).exists()) {
        bail!(
            "{} already holds a run; continue it with --resume {0} or choose another --out",
            out.display()
        );
    }
    let text = config.to_toml();
    write_atomic(&out.join(CONFIG_FILE), |w| w.write_all(text.as_bytes()))?;

    let k = K::SIX;
    let vocab = Vocab::new(k);
    let corpus = if config.corpus.is_empty() {
        let c = Corpus::synthetic(&SyntheticConfig {
            records: config.synthetic_records,
            record_len: config.synthetic_record_len,
            seed: config.seed,
            ..SyntheticConfig::default()
        });
        eprintln!("note: pretraining on the embedded SYNTHETIC corpus (not real DNA); pass --corpus FILE for real data");
        c
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
        bail!("the corpus is too small to hold out pieces for the perplexity evaluation");
    }
    eprintln!(
        "corpus: {} ({} nt); pieces: {} train, {} held out, {} duplicates dropped",
        corpus.source,
        corpus.len(),
        set.train.len(),
        set.held_out.len(),
        set.duplicates
    );

    match selected.others.len() {
        0 => eprintln!("backend: {:?}", selected.device),
        n => eprintln!(
            "backend: {:?} and {n} more (data parallel over {} devices)",
            selected.device,
            n + 1
        ),
    }
    let device = selected.device.clone().autodiff();

    let optim = OptimConfig {
        lr: config.lr,
        beta_1: config.beta_1,
        beta_2: config.beta_2,
        epsilon: config.epsilon,
        weight_decay: config.weight_decay,
        warmup_steps: config.warmup_steps,
        total_steps: config.steps,
        accumulation: config.accumulation,
    };
    let (trainer, model_config, mut state) = match &latest {
        Some(dir) if resume => {
            let (trainer, saved, model_config) =
                Checkpoint::new(dir).load(&device).map_err(|e| {
                    anyhow!(
                        "{e}\nthe checkpoint {} cannot be loaded; to resume from an earlier \
                         one, write its folder name (step-N) into {}",
                        dir.display(),
                        out.join(CHECKPOINTS_DIR).join(LATEST_FILE).display()
                    )
                })?;
            same_model(&model_config, config, dir, out)?;
            let state: RunState = serde_json::from_value(saved.run.clone())
                .with_context(|| format!("{}: run state", dir.display()))?;
            eprintln!("resuming from {} (step {})", dir.display(), trainer.step);
            (trainer, model_config, state)
        }
        _ => {
            let model_config = model_config(config)?;
            if model_config.max_position_embeddings < config.seq_len {
                bail!(
                    "seq_len {} exceeds the model's max_position_embeddings {}",
                    config.seq_len,
                    model_config.max_position_embeddings
                );
            }
            device.seed(config.seed);
            let model = BertForMaskedLM::new(&model_config, &device);
            let trainer = Trainer::new(model, optim, config.seed, device.clone());
            let state = RunState {
                curriculum: Curriculum::new(config.curriculum())?,
                curriculum_rng: SeededRng::new(config.seed),
            };
            (trainer, model_config, state)
        }
    };
    let mut trainer = trainer.with_devices(selected.autodiff_others());
    let start = trainer.step;
    let mut metrics = MetricsLog::open(out, start)?;
    keep_lines_up_to(&out.join(EVENTS_FILE), start)?;

    let mut masker = Masker::new(
        table.rank_table().clone(),
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
    let corpus = Arc::new(corpus);
    let set = Arc::new(set);
    let accum = config.accumulation as u64;
    let loader = Prefetcher::start(
        plan.clone(),
        corpus.clone(),
        set.clone(),
        vocab,
        start * accum,
        2 * config.accumulation,
    );

    let bar = if progress {
        let bar = ProgressBar::new(config.steps);
        bar.set_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} steps, {per_sec}, ETA {eta} {msg}")
                .expect("valid template"),
        );
        bar.set_position(start);
        bar
    } else {
        ProgressBar::hidden()
    };
    let mut summary = Summary {
        steps: start,
        last_loss: None,
        last_perplexity: state.curriculum.last_evaluation().map(|e| e.perplexity),
        switch_step: state.curriculum.switch_step(),
        random_span_perplexity: f64::NAN,
        out: out.to_path_buf(),
    };
    for step in start..config.steps {
        let t0 = Instant::now();
        let strategy = state
            .curriculum
            .strategy_for_step(step, &mut state.curriculum_rng);
        let mut wait = 0.0;
        let mut micro = Vec::with_capacity(config.accumulation);
        let (mut masked, mut maskable, mut kmer_tokens) = (0usize, 0usize, 0usize);
        for _ in 0..config.accumulation {
            let tw = Instant::now();
            let tokens = loader.next_batch();
            wait += tw.elapsed().as_secs_f64();
            let batch = batches::mask(&mut masker, strategy, &tokens, config.seed);
            masked += batch.stats.masked;
            maskable += batch.stats.maskable;
            kmer_tokens += tokens.kmer_tokens();
            micro.push(MlmBatch::from(&batch));
        }
        let lr = trainer.config.schedule().lr(step);
        let loss = trainer.train_step(&micro);
        if let Some(l) = loss {
            if !l.is_finite() {
                bail!(
                    "the loss became {l} at step {}; stopping. The last good checkpoint is {}",
                    step + 1,
                    latest_checkpoint(out)?.map_or("none (no checkpoint yet)".into(), |p| p
                        .display()
                        .to_string())
                );
            }
        }
        let secs = t0.elapsed().as_secs_f64();
        let done = step + 1;
        metrics.write(&json!({
            "step": done,
            "loss": loss,
            "lr": lr,
            "masker": strategy,
            "masked_share": masked as f64 / maskable.max(1) as f64,
            "tokens_per_s": kmer_tokens as f64 / secs,
            "loader_share": wait / secs,
        }))?;
        summary.steps = done;
        summary.last_loss = loss;
        bar.set_message(format!("loss {:.3} ({strategy})", loss.unwrap_or(f32::NAN)));
        bar.inc(1);

        if done % config.eval_every == 0 || done == config.steps {
            let eval_strategy = state.curriculum.current();
            let ppl = evaluate(
                &trainer,
                &mut masker,
                &plan,
                &corpus,
                &set,
                &vocab,
                eval_strategy,
                config,
            );
            summary.last_perplexity = Some(ppl);
            metrics.write(&json!({
                "step": done,
                "eval_perplexity": ppl,
                "eval_loss": ppl.ln(),
                "eval_masker": eval_strategy,
            }))?;
            if let Some(ev) = state.curriculum.observe_perplexity(done, ppl) {
                let line = json!({
                    "step": done,
                    "event": "switch",
                    "from": Strategy::GeneMask,
                    "to": Strategy::Global,
                    "previous_perplexity": ev.previous,
                    "perplexity": ev.current,
                });
                metrics.write(&line)?;
                append_line(&out.join(EVENTS_FILE), &line)?;
                summary.switch_step = Some(ev.step);
                bar.println(format!(
                    "CM-GEMS switched to GLOBAL at step {done} (perplexity {:.3} -> {:.3})",
                    ev.previous, ev.current
                ));
            }
        }
        if done % config.checkpoint_every == 0 || done == config.steps {
            metrics.sync()?;
            save_checkpoint(
                out,
                &trainer,
                &model_config,
                done * accum,
                &state,
                config.keep_checkpoints,
            )?;
        }
    }
    bar.finish_and_clear();
    summary.random_span_perplexity = evaluate(
        &trainer,
        &mut masker,
        &plan,
        &corpus,
        &set,
        &vocab,
        Strategy::RandomSpan,
        config,
    );
    Ok(summary)
}

#[allow(clippy::too_many_arguments)]
fn evaluate(
    trainer: &Trainer,
    masker: &mut Masker,
    plan: &BatchPlan,
    corpus: &Corpus,
    set: &PieceSet,
    vocab: &Vocab,
    strategy: Strategy,
    config: &PretrainConfig,
) -> f64 {
    const EVAL_SALT: u64 = 0x6576_616c;
    let mut total = 0.0;
    let mut n = 0usize;
    for tokens in plan.held_out_batches(corpus, set, vocab, config.eval_batches) {
        let batch = MlmBatch::from(&batches::mask(
            masker,
            strategy,
            &tokens,
            config.seed ^ EVAL_SALT,
        ));
        if batch.has_labels() {
            total += trainer.eval_loss(&batch) as f64;
            n += 1;
        }
    }
    (total / n.max(1) as f64).exp()
}

/// A resumed run must continue the model its config names: a checkpoint of another
/// preset (an edited config.toml, a checkpoint copied from another run) is refused rather
/// than silently trained in place of the one asked for.
fn same_model(saved: &BertConfig, config: &PretrainConfig, dir: &Path, out: &Path) -> Result<()> {
    let wanted = model_config(config)?;
    // `extra` holds what HF adds to a written config.json (`architectures`, ...).
    let bare = |c: &BertConfig| BertConfig {
        extra: Default::default(),
        ..c.clone()
    };
    if bare(saved) != bare(&wanted) {
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
        bail!(
            "{} holds a model of {}, but {} asks for {} ({}); resume with the config the run \
             was started with, or start a new run",
            dir.display(),
            shape(saved),
            out.join(CONFIG_FILE).display(),
            config
                .model_config
                .as_ref()
                .map_or(format!("preset {:?}", config.preset), |p| p
                    .display()
                    .to_string()),
            shape(&wanted)
        );
    }
    Ok(())
}

fn model_config(config: &PretrainConfig) -> Result<BertConfig> {
    match &config.model_config {
        Some(path) => BertConfig::from_json_file(path).map_err(|e| anyhow!("{e}")),
        None => Preset::from_name(&config.preset)
            .map(Preset::config)
            .ok_or_else(|| {
                anyhow!(
                    "unknown preset {:?} (tiny, logo or dnabert6)",
                    config.preset
                )
            }),
    }
}

fn load_or_count_table(
    config: &PretrainConfig,
    corpus: &Corpus,
    k: K,
    out: &Path,
) -> Result<NpmiTable> {
    let table = match &config.table {
        Some(path) => tables::load_table(path, Some(k))?,
        None => {
            let counts = npmi_job::count_batch(k, &corpus.records);
            NpmiTable::from_counts(&counts, config.min_count)
                .with_context(|| {
                    format!(
                        "counting the NPMI table from {} (lower --min-count or pass --table)",
                        corpus.source
                    )
                })?
                .with_source(format!("counted by cmgems from {}", corpus.source))
        }
    };
    tables::save_table(&table, &out.join("table.json"))?;
    Ok(table)
}

fn save_checkpoint(
    out: &Path,
    trainer: &Trainer,
    model_config: &BertConfig,
    data_cursor: u64,
    state: &RunState,
    keep: usize,
) -> Result<()> {
    let root = out.join(CHECKPOINTS_DIR);
    std::fs::create_dir_all(&root)?;
    let name = format!("step-{:08}", trainer.step);
    Checkpoint::new(root.join(&name))
        .save(
            trainer,
            model_config,
            data_cursor,
            serde_json::to_value(state)?,
        )
        .map_err(|e| {
            anyhow!(
                "writing the checkpoint {} failed (a full disk?): {e}\nthe last complete \
                 checkpoint is {}; continue from it with --resume {}",
                root.join(&name).display(),
                latest_checkpoint(out)
                    .ok()
                    .flatten()
                    .map_or("none".into(), |p| p.display().to_string()),
                out.display()
            )
        })?;
    write_atomic(&root.join(LATEST_FILE), |w| w.write_all(name.as_bytes()))?;
    let mut old: Vec<PathBuf> = std::fs::read_dir(&root)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_dir()
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("step-"))
        })
        .collect();
    old.sort();
    for dir in old.iter().take(old.len().saturating_sub(keep)) {
        // Renamed out of the `step-N` names first: a kill during the removal must not leave
        // a half-deleted folder that looks like a checkpoint.
        let name = dir.file_name().unwrap_or_default().to_string_lossy();
        let doomed = root.join(format!(".{name}.tmp-removing"));
        std::fs::rename(dir, &doomed)?;
        std::fs::remove_dir_all(&doomed)?;
    }
    Ok(())
}

/// Removes the temporary folders (`.step-N.tmp-PID`) that a run killed while saving leaves;
/// only the named `step-N` folders are checkpoints.
fn remove_torn_checkpoints(root: &Path) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(root) else {
        return Ok(()); // no checkpoints yet
    };
    for entry in entries {
        let path = entry?.path();
        let torn = path.file_name().is_some_and(|n| {
            let n = n.to_string_lossy();
            n.starts_with(".step-") && n.contains(".tmp-")
        });
        if torn && path.is_dir() {
            std::fs::remove_dir_all(&path)
                .with_context(|| format!("removing {}", path.display()))?;
        }
    }
    Ok(())
}

fn append_line(path: &Path, value: &serde_json::Value) -> Result<()> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| writeln!(f, "{value}"))
        .with_context(|| format!("writing {}", path.display()))
}

/// `metrics.jsonl`, appended line by line. On resume, lines past the checkpoint's step (or
/// torn by a kill) are dropped first, so the file matches an unbroken run's.
struct MetricsLog {
    file: std::fs::File,
    path: PathBuf,
}

impl MetricsLog {
    fn open(out: &Path, resume_step: u64) -> Result<MetricsLog> {
        let path = out.join(METRICS_FILE);
        keep_lines_up_to(&path, resume_step)?;
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .with_context(|| format!("opening {}", path.display()))?;
        Ok(MetricsLog { file, path })
    }

    /// Errors name the file: a full disk shows up here first.
    fn write(&mut self, value: &serde_json::Value) -> Result<()> {
        writeln!(self.file, "{value}").with_context(|| format!("writing {}", self.path.display()))
    }

    fn sync(&mut self) -> Result<()> {
        self.file
            .sync_all()
            .with_context(|| format!("writing {}", self.path.display()))
    }
}

/// Drops the lines of a JSONL log whose `step` is past `step` (or that are torn), in place
/// and atomically; a missing file is left missing.
fn keep_lines_up_to(path: &Path, step: u64) -> Result<()> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(());
    };
    let kept: String = text
        .lines()
        .filter(|l| {
            serde_json::from_str::<serde_json::Value>(l)
                .ok()
                .and_then(|v| v["step"].as_u64())
                .is_some_and(|s| s <= step)
        })
        .map(|l| format!("{l}\n"))
        .collect();
    write_atomic(path, |w| w.write_all(kept.as_bytes()))?;
    Ok(())
}
