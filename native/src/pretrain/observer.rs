//! What a pretraining run reports while it runs, and who listens: the loop calls an
//! [`Observer`] at each step, evaluation, CM-GEMS switch and checkpoint, as burn-train's
//! loggers are called by its `Learner`. `metrics.jsonl`/`events.jsonl` ([`JsonlLogs`]) and
//! the terminal ([`Console`]) are two observers; tests or other front ends can add their own.

use super::error::PretrainError;
use crate::files::write_atomic;
use cmgems_core::mask::Strategy;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The file of per-step and per-evaluation lines, and the file of events (switches).
pub const METRICS_FILE: &str = "metrics.jsonl";
pub const EVENTS_FILE: &str = "events.jsonl";

/// One optimizer step (a line of `metrics.jsonl`).
#[derive(Debug, Clone, Serialize)]
pub struct StepRecord {
    /// Optimizer steps done, this one included.
    pub step: u64,
    /// Mean micro-batch loss; `None` when no micro-batch had a label.
    pub loss: Option<f32>,
    /// The learning rate this step used.
    pub lr: f64,
    pub masker: Strategy,
    /// Masked tokens over maskable tokens.
    pub masked_share: f64,
    /// k-mer tokens per second of wall-clock time (timing: varies between runs).
    pub tokens_per_s: f64,
    /// Share of the step spent waiting for the data loader (timing).
    pub loader_share: f64,
}

/// One held-out evaluation (a line of `metrics.jsonl`).
#[derive(Debug, Clone, Serialize)]
pub struct EvalRecord {
    pub step: u64,
    pub eval_perplexity: f64,
    pub eval_loss: f64,
    /// The masker in use: each run is evaluated under its own curriculum's masker.
    pub eval_masker: Strategy,
    /// The unigram baseline on the same masked labels (docs/algorithms.md §8): training
    /// k-mer frequencies, add-one smoothed, averaged per batch as `eval_perplexity` is.
    /// `eval_perplexity` at or above it: nothing learned beyond frequencies. `null` when
    /// no held-out batch drew a label.
    pub unigram_perplexity: Option<f64>,
}

/// CM-GEMS switched from GeneMask to GLOBAL (a line of both files).
#[derive(Debug, Clone, Serialize)]
pub struct SwitchRecord {
    pub step: u64,
    /// Always `"switch"`.
    pub event: &'static str,
    pub from: Strategy,
    pub to: Strategy,
    pub previous_perplexity: f64,
    pub perplexity: f64,
}

/// Listens to a pretraining run. Every method has a default that does nothing; an error
/// stops the run (a log that cannot be written is worth stopping for).
pub trait Observer {
    /// The run starts in `out` after `start` of `total` steps (0 unless resumed).
    fn on_start(&mut self, _out: &Path, _start: u64, _total: u64) -> Result<(), PretrainError> {
        Ok(())
    }
    /// Something the user should know (the corpus is synthetic, the backend, resuming).
    fn on_note(&mut self, _note: &str) {}
    fn on_step(&mut self, _step: &StepRecord) -> Result<(), PretrainError> {
        Ok(())
    }
    fn on_eval(&mut self, _eval: &EvalRecord) -> Result<(), PretrainError> {
        Ok(())
    }
    fn on_switch(&mut self, _switch: &SwitchRecord) -> Result<(), PretrainError> {
        Ok(())
    }
    /// A checkpoint after `step` steps is about to be written: what it covers must be on
    /// disk first, so that a resumed run continues the logs where the checkpoint is.
    fn before_checkpoint(&mut self, _step: u64) -> Result<(), PretrainError> {
        Ok(())
    }
    /// The last step is done (the final evaluation follows).
    fn on_finish(&mut self) {}
}

/// Two observers, called in order: `(JsonlLogs::default(), Console::new(true))`. Nest
/// pairs for more.
impl<A: Observer, B: Observer> Observer for (A, B) {
    fn on_start(&mut self, out: &Path, start: u64, total: u64) -> Result<(), PretrainError> {
        self.0.on_start(out, start, total)?;
        self.1.on_start(out, start, total)
    }
    fn on_note(&mut self, note: &str) {
        self.0.on_note(note);
        self.1.on_note(note);
    }
    fn on_step(&mut self, step: &StepRecord) -> Result<(), PretrainError> {
        self.0.on_step(step)?;
        self.1.on_step(step)
    }
    fn on_eval(&mut self, eval: &EvalRecord) -> Result<(), PretrainError> {
        self.0.on_eval(eval)?;
        self.1.on_eval(eval)
    }
    fn on_switch(&mut self, switch: &SwitchRecord) -> Result<(), PretrainError> {
        self.0.on_switch(switch)?;
        self.1.on_switch(switch)
    }
    fn before_checkpoint(&mut self, step: u64) -> Result<(), PretrainError> {
        self.0.before_checkpoint(step)?;
        self.1.before_checkpoint(step)
    }
    fn on_finish(&mut self) {
        self.0.on_finish();
        self.1.on_finish();
    }
}

/// `metrics.jsonl` (steps, evaluations, switches) and `events.jsonl` (switches) of a run
/// folder, appended line by line. On resume, lines past the checkpoint's step (or torn by a
/// kill) are dropped first, so the files match an unbroken run's.
#[derive(Default)]
pub struct JsonlLogs {
    metrics: Option<(std::fs::File, PathBuf)>,
    events: PathBuf,
}

impl JsonlLogs {
    fn write(&mut self, value: &impl Serialize) -> Result<(), PretrainError> {
        let (file, path) = self.metrics.as_mut().expect("on_start opens the log");
        let line = serde_json::to_value(value).expect("records serialise");
        // Errors name the file: a full disk shows up here first.
        writeln!(file, "{line}").map_err(|e| PretrainError::io(path, e))
    }
}

impl Observer for JsonlLogs {
    fn on_start(&mut self, out: &Path, start: u64, _total: u64) -> Result<(), PretrainError> {
        let path = out.join(METRICS_FILE);
        keep_lines_up_to(&path, start)?;
        self.events = out.join(EVENTS_FILE);
        keep_lines_up_to(&self.events, start)?;
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| PretrainError::io(&path, e))?;
        self.metrics = Some((file, path));
        Ok(())
    }
    fn on_step(&mut self, step: &StepRecord) -> Result<(), PretrainError> {
        self.write(step)
    }
    fn on_eval(&mut self, eval: &EvalRecord) -> Result<(), PretrainError> {
        self.write(eval)
    }
    fn on_switch(&mut self, switch: &SwitchRecord) -> Result<(), PretrainError> {
        self.write(switch)?;
        let line = serde_json::to_value(switch).expect("records serialise");
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.events)
            .and_then(|mut f| writeln!(f, "{line}"))
            .map_err(|e| PretrainError::io(&self.events, e))
    }
    fn before_checkpoint(&mut self, _step: u64) -> Result<(), PretrainError> {
        let (file, path) = self.metrics.as_mut().expect("on_start opens the log");
        file.sync_all().map_err(|e| PretrainError::io(path, e))
    }
}

/// Drops the lines of a JSONL log whose `step` is past `step` (or that are torn), in place
/// and atomically; a missing file is left missing.
fn keep_lines_up_to(path: &Path, step: u64) -> Result<(), PretrainError> {
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

/// The terminal: notes on standard error, a progress bar (when `progress`), and a line when
/// CM-GEMS switches.
pub struct Console {
    bar: ProgressBar,
    progress: bool,
}

impl Console {
    /// With `progress` false (not a terminal) only the notes and the switch are printed.
    pub fn new(progress: bool) -> Console {
        Console {
            bar: ProgressBar::hidden(),
            progress,
        }
    }
}

impl Observer for Console {
    fn on_start(&mut self, _out: &Path, start: u64, total: u64) -> Result<(), PretrainError> {
        if self.progress {
            self.bar = ProgressBar::new(total);
            self.bar.set_style(
                ProgressStyle::with_template(
                    "{bar:30} {pos}/{len} steps, {per_sec}, ETA {eta} {msg}",
                )
                .expect("valid template"),
            );
            self.bar.set_position(start);
        }
        Ok(())
    }
    fn on_note(&mut self, note: &str) {
        self.bar.suspend(|| eprintln!("{note}"));
    }
    fn on_step(&mut self, s: &StepRecord) -> Result<(), PretrainError> {
        let loss = s.loss.unwrap_or(f32::NAN);
        self.bar
            .set_message(format!("loss {loss:.3} ({})", s.masker));
        self.bar.inc(1);
        Ok(())
    }
    fn on_switch(&mut self, s: &SwitchRecord) -> Result<(), PretrainError> {
        self.bar.println(format!(
            "CM-GEMS switched to GLOBAL at step {} (perplexity {:.3} -> {:.3})",
            s.step, s.previous_perplexity, s.perplexity
        ));
        Ok(())
    }
    fn on_finish(&mut self) {
        self.bar.finish_and_clear();
    }
}
