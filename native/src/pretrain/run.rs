//! The pretraining loop as a library function: curriculum, model steps, evaluation,
//! checkpoints (the setup before the first step is `setup.rs`'s). What it reports goes to an
//! [`Observer`] (logs, progress bar), so the loop is the same for the `train` binary,
//! `experiment` and tests.

use cmgems_core::eval::baseline::UnigramCounts;
use cmgems_core::mask::{MaskConfig, Masker, Strategy};
use cmgems_core::{Vocab, K};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use super::batches::{self, BatchPlan, Prefetcher};
use super::error::PretrainError;
use super::observer::{EvalRecord, Observer, StepRecord, SwitchRecord};
use super::setup::{prepare_folder, resume_from, start_fresh, Data, RunState};
use super::{Corpus, PieceSet, PretrainConfig};
use crate::backend::Selected;
use crate::model::BertConfig;
use crate::training::{latest_checkpoint, save_checkpoint, MlmBatch, RunCheckpoint, Trainer};

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
    let common = run.evaluate(Strategy::RandomSpan);
    run.summary.random_span_perplexity = common.perplexity;
    run.summary.random_span_unigram_perplexity = common.unigram_perplexity;
    Ok(run.summary)
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
            last_unigram_perplexity: None,
            switch_step: state.curriculum.switch_step(),
            random_span_perplexity: f64::NAN,
            random_span_unigram_perplexity: None,
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
            unigram: data.unigram,
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
        let Evaluation {
            perplexity: ppl,
            unigram_perplexity,
        } = self.evaluate(eval_strategy);
        self.summary.last_perplexity = Some(ppl);
        self.summary.last_unigram_perplexity = unigram_perplexity;
        observer.on_eval(&EvalRecord {
            step: done,
            eval_perplexity: ppl,
            eval_loss: ppl.ln(),
            eval_masker: eval_strategy,
            unigram_perplexity,
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

    /// Held-out perplexity under `strategy`'s masking, on fixed batches and masks, and the
    /// unigram baseline's on the same labels.
    fn evaluate(&mut self, strategy: Strategy) -> Evaluation {
        const EVAL_SALT: u64 = 0x6576_616c;
        let config = self.config;
        let mut total = 0.0;
        let mut n = 0usize;
        let mut unigram = self.unigram.scorer();
        let held_out =
            self.plan
                .held_out_batches(&self.corpus, &self.set, &self.vocab, config.eval_batches);
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
