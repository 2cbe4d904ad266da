//! The pretraining loop as a library function: model steps, evaluations and checkpoints at
//! their [`Cadence`]s (the setup before the first step is `setup.rs`'s). What it does goes to
//! [`Observers`] as [`Event`]s (logs, progress bar, signals), whose [`Control`] answers can
//! save a checkpoint or stop the run; the masking curriculum is a hook that picks each step's
//! masker and answers evaluations with CM-GEMS's switch. The loop is the same for the `train`
//! binary, `experiment` and tests.

use cmgems_core::eval::baseline::UnigramCounts;
use cmgems_core::mask::{MaskConfig, Masker, Strategy};
use cmgems_core::{Vocab, K};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use super::batches::{self, BatchPlan, Prefetcher};
use super::error::PretrainError;
use super::setup::{prepare_folder, resume_from, start_fresh, Data, RunState};
use super::{Corpus, PieceSet, PretrainConfig};
use crate::backend::Selected;
use crate::events::{
    Cadence, Control, EvalRecord, Event, Observers, Stage, StepRecord, SwitchRecord,
};
use crate::model::BertConfig;
use crate::training::{
    latest_checkpoint, save_checkpoint, step_name, MlmBatch, RunCheckpoint, Trainer,
    CHECKPOINTS_DIR,
};

/// What a finished run reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub steps: u64,
    pub last_loss: Option<f32>,
    pub last_perplexity: Option<f64>,
    /// The unigram baseline of the last evaluation of this process (docs/algorithms.md §8):
    /// a `last_perplexity` at or above it means the model learned nothing beyond k-mer
    /// frequencies. `None` when a resumed run had no step left to evaluate.
    pub last_unigram_perplexity: Option<f64>,
    pub switch_step: Option<u64>,
    /// Held-out perplexity of the final model under random-span masking: the one figure that
    /// compares runs of different maskers (each run's own evaluations use its own masker).
    pub random_span_perplexity: f64,
    /// The unigram baseline on the same random-span labels (`None`: no label was masked).
    pub random_span_unigram_perplexity: Option<f64>,
    pub out: PathBuf,
    /// An observer stopped the run before its last step (a signal, early stopping); the
    /// checkpoint of `steps` is on disk and `--resume` continues it. The random-span
    /// figures are then not computed (NaN and `None`).
    pub stopped: bool,
}

/// Runs (or, with `resume`, continues) the pretraining described by `config` into `out`.
/// `selected` is the device (see `backend::select_backend`), chosen by the caller before any
/// thread starts because selection also points burn's default device at it.
pub fn run(
    config: &PretrainConfig,
    selected: &Selected,
    out: &Path,
    resume: bool,
    observers: &mut Observers,
) -> Result<Summary, PretrainError> {
    let latest = prepare_folder(config, out, resume)?;
    let data = Data::load(config, out, observers)?;
    observers.on_note(&backend_note(selected));
    let device = selected.device.clone().autodiff();
    let (trainer, model_config, state) = match &latest {
        Some(dir) if resume => resume_from(dir, config, out, &device, observers)?,
        _ => start_fresh(config, &device)?,
    };
    let trainer = trainer.with_devices(selected.autodiff_others());
    let mut run = Loop::new(config, out, data, trainer, model_config, state)?;
    let stage = Stage::Pretrain;
    let control = observers.emit(&Event::Start {
        stage: &stage,
        out: Some(out),
        start: run.trainer.step,
        total: config.schedule.steps,
    })?;
    let stopped = run.train(observers, control)?;
    observers.emit(&Event::End {
        stage: &stage,
        step: run.trainer.step,
        stopped,
    })?;
    run.summary.stopped = stopped;
    if !stopped {
        let common = run.evaluate(Strategy::RandomSpan);
        run.summary.random_span_perplexity = common.perplexity;
        run.summary.random_span_unigram_perplexity = common.unigram_perplexity;
    }
    Ok(run.summary)
}

/// What a saved checkpoint of a run scores on the run's held-out batches: under the masker
/// its curriculum trains with after that step (CM-GEMS: GeneMask, then GLOBAL) and under
/// random span (the one masker common to every run), each beside the unigram baseline of
/// its own masked labels (docs/algorithms.md §8). `train experiment`'s curve points.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldOut {
    pub step: u64,
    pub masker: Strategy,
    pub perplexity: f64,
    pub unigram_perplexity: Option<f64>,
    pub random_span_perplexity: f64,
    pub random_span_unigram_perplexity: Option<f64>,
}

/// [`HeldOut`] of each checkpoint folder of the run in `out` (trained with `config`), with
/// the same held-out batches and masks as the run's own evaluations.
pub fn held_out_of_checkpoints(
    config: &PretrainConfig,
    selected: &Selected,
    out: &Path,
    checkpoints: &[PathBuf],
) -> Result<Vec<HeldOut>, PretrainError> {
    let Some(first) = checkpoints.first() else {
        return Ok(Vec::new());
    };
    let quiet = &mut Observers::new();
    let device = selected.device.clone().autodiff();
    let data = Data::load(config, out, quiet)?;
    let (trainer, model_config, state) = resume_from(first, config, out, &device, quiet)?;
    let mut run = Loop::new(config, out, data, trainer, model_config, state)?;
    let mut scored = Vec::with_capacity(checkpoints.len());
    for dir in checkpoints {
        let (trainer, _, state) = resume_from(dir, config, out, &device, quiet)?;
        run.trainer = trainer;
        run.state = state;
        let masker = run.state.curriculum.current();
        let own = run.evaluate(masker);
        let random = run.evaluate(Strategy::RandomSpan);
        scored.push(HeldOut {
            step: run.trainer.step,
            masker,
            perplexity: own.perplexity,
            unigram_perplexity: own.unigram_perplexity,
            random_span_perplexity: random.perplexity,
            random_span_unigram_perplexity: random.unigram_perplexity,
        });
    }
    Ok(scored)
}

/// The devices a run trains on, in words.
fn backend_note(selected: &Selected) -> String {
    match selected.others.len() {
        0 => format!("backend: {:?}", selected.device),
        n => format!(
            "backend: {:?} and {n} more (data parallel over {} devices)",
            selected.device,
            n + 1
        ),
    }
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
    unigram: UnigramCounts,
    loader: Prefetcher,
    /// When to evaluate and when to save, besides what observers ask.
    eval_cadence: Cadence,
    checkpoint_cadence: Cadence,
    summary: Summary,
}

/// One held-out evaluation: the model's perplexity and the unigram baseline's on the same
/// masked labels, both averaged the same way (a mean of per-batch mean losses).
struct Evaluation {
    perplexity: f64,
    unigram_perplexity: Option<f64>,
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
                rank_lookup: config.masking.rank_lookup,
                random_ids: config.masking.random_ids,
                ..MaskConfig::default()
            },
        )?;
        let plan = BatchPlan {
            rows: config.schedule.batch_size,
            seq_len: config.data.seq_len,
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
            start * config.schedule.accumulation as u64,
            2 * config.schedule.accumulation,
        );
        let summary = Summary {
            steps: start,
            last_loss: None,
            last_perplexity: state.curriculum.last_evaluation().map(|e| e.perplexity),
            last_unigram_perplexity: None,
            switch_step: state.curriculum.switch_step(),
            random_span_perplexity: f64::NAN,
            random_span_unigram_perplexity: None,
            out: out.to_path_buf(),
            stopped: false,
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
            unigram: data.unigram,
            loader,
            eval_cadence: Cadence::Every(config.evaluation.eval_every),
            checkpoint_cadence: Cadence::Every(config.checkpoints.checkpoint_every),
            summary,
        })
    }

    /// Every remaining step, with its evaluations and checkpoints, until the last or until
    /// an observer says stop (`control` is the answer to the start). Whether it stopped early.
    fn train(
        &mut self,
        observers: &mut Observers,
        mut control: Control,
    ) -> Result<bool, PretrainError> {
        let total = self.config.schedule.steps;
        for step in self.trainer.step..total {
            if control == Control::Stop {
                break;
            }
            let record = self.step(step)?;
            control = control.merge(observers.emit(&Event::Step(&record))?);
            self.summary.steps = record.step;
            self.summary.last_loss = record.loss;
            let done = record.step;
            if self.eval_cadence.due(done, total) {
                control = control.merge(self.evaluate_and_observe(done, observers)?);
            }
            if control != Control::Continue || self.checkpoint_cadence.due(done, total) {
                control = control.merge(self.save(done, observers)?);
                if control == Control::Save {
                    control = Control::Continue; // saved: asked and done
                }
            }
        }
        Ok(control == Control::Stop && self.trainer.step < total)
    }

    /// Writes the checkpoint after step `done`, the logs it covers first.
    fn save(&mut self, done: u64, observers: &mut Observers) -> Result<Control, PretrainError> {
        let before = observers.emit(&Event::Checkpoint { step: done })?;
        save_checkpoint(
            self.out,
            &self.trainer,
            RunCheckpoint {
                model_config: &self.model_config,
                data_cursor: done * self.config.schedule.accumulation as u64,
                state: serde_json::to_value(&self.state).expect("state serialises"),
                keep: self.config.checkpoints.keep_checkpoints,
            },
        )?;
        let dir = self.out.join(CHECKPOINTS_DIR).join(step_name(done));
        let after = observers.emit(&Event::Saved {
            step: done,
            dir: &dir,
        })?;
        Ok(before.merge(after))
    }

    /// One optimizer step over `accumulation` micro-batches.
    fn step(&mut self, step: u64) -> Result<StepRecord, PretrainError> {
        let config = self.config;
        let t0 = Instant::now();
        let strategy = self.state.masker_for(step);
        self.masker
            .set_widening(self.state.curriculum.widening(step));
        let mut wait = 0.0;
        let mut micro = Vec::with_capacity(config.schedule.accumulation);
        let (mut masked, mut maskable, mut kmer_tokens) = (0usize, 0usize, 0usize);
        for _ in 0..config.schedule.accumulation {
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

    /// The held-out evaluation after step `done`, told to the observers and then to the
    /// curriculum hook, whose switch (CM-GEMS) they hear next.
    fn evaluate_and_observe(
        &mut self,
        done: u64,
        observers: &mut Observers,
    ) -> Result<Control, PretrainError> {
        let eval_strategy = self.state.curriculum.current();
        // RandomMask's spans at `done`, whether or not this run resumed there.
        self.masker
            .set_widening(self.state.curriculum.widening(done));
        let Evaluation {
            perplexity: ppl,
            unigram_perplexity,
        } = self.evaluate(eval_strategy);
        self.summary.last_perplexity = Some(ppl);
        self.summary.last_unigram_perplexity = unigram_perplexity;
        let eval = EvalRecord {
            step: done,
            eval_perplexity: ppl,
            eval_loss: ppl.ln(),
            eval_masker: eval_strategy,
            unigram_perplexity,
        };
        let mut control = observers.emit(&Event::Eval(&eval))?;
        if let Some(switch) = self.state.after_eval(&eval) {
            control = control.merge(observers.emit(&Event::Switch(&switch))?);
            self.summary.switch_step = Some(switch.step);
        }
        Ok(control)
    }

    /// Held-out perplexity under `strategy`'s masking, on fixed batches and masks, and the
    /// unigram baseline's on the same labels.
    fn evaluate(&mut self, strategy: Strategy) -> Evaluation {
        const EVAL_SALT: u64 = 0x6576_616c;
        let config = self.config;
        let mut total = 0.0;
        let mut n = 0usize;
        let mut unigram = self.unigram.scorer();
        let held_out = self.plan.held_out_batches(
            &self.corpus,
            &self.set,
            &self.vocab,
            config.evaluation.eval_batches,
        );
        for tokens in held_out {
            let masked =
                batches::mask(&mut self.masker, strategy, &tokens, config.seed ^ EVAL_SALT);
            let batch = MlmBatch::from(&masked);
            if batch.has_labels() {
                unigram.add_labels(&masked.labels);
                total += self.trainer.eval_loss(&batch) as f64;
                n += 1;
            }
        }
        Evaluation {
            perplexity: (total / n.max(1) as f64).exp(),
            unigram_perplexity: unigram.batch_mean_perplexity(),
        }
    }
}

/// The masking curriculum as the loop's hook: it picks each step's masker and hears each
/// evaluation, and CM-GEMS answers the one that ends its GeneMask phase with the switch.
impl RunState {
    fn masker_for(&mut self, step: u64) -> Strategy {
        self.curriculum
            .strategy_for_step(step, &mut self.curriculum_rng)
    }

    fn after_eval(&mut self, eval: &EvalRecord) -> Option<SwitchRecord> {
        let from = self.curriculum.current();
        let ev = self
            .curriculum
            .observe_perplexity(eval.step, eval.eval_perplexity)?;
        Some(SwitchRecord {
            step: ev.step,
            event: "switch",
            from,
            to: self.curriculum.current(),
            previous_perplexity: ev.previous,
            perplexity: ev.current,
        })
    }
}
