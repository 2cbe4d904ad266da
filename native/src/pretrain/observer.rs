//! The pretraining run's files as an observer: [`JsonlLogs`] writes `metrics.jsonl` and
//! `events.jsonl` from the run's [`Event`]s. The records are the event protocol's
//! (`crate::events`); the terminal is the `train` binary's observer.

use crate::events::{Control, Event, Observer, ObserverError, Stage};
use crate::files::write_atomic;
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};

pub use crate::events::{EvalRecord, StepRecord, SwitchRecord};

/// The file of per-step and per-evaluation lines, and the file of events (switches).
pub const METRICS_FILE: &str = "metrics.jsonl";
pub const EVENTS_FILE: &str = "events.jsonl";

/// `metrics.jsonl` (steps, evaluations, switches) and `events.jsonl` (switches) of a run
/// folder, appended line by line. On resume, lines past the checkpoint's step (or torn by a
/// kill) are dropped first, so the files match an unbroken run's.
#[derive(Default)]
pub struct JsonlLogs {
    metrics: Option<(std::fs::File, PathBuf)>,
    events: PathBuf,
}

impl JsonlLogs {
    /// Opens the run's `metrics.jsonl`, keeping the lines up to step `start`.
    fn open(&mut self, out: &Path, start: u64) -> Result<(), ObserverError> {
        let path = out.join(METRICS_FILE);
        keep_lines_up_to(&path, start)?;
        self.events = out.join(EVENTS_FILE);
        keep_lines_up_to(&self.events, start)?;
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| ObserverError::io(&path, e))?;
        self.metrics = Some((file, path));
        Ok(())
    }

    /// Appends a line to `metrics.jsonl` (nothing before a pretraining run opened it).
    fn write(&mut self, value: &impl Serialize) -> Result<(), ObserverError> {
        let Some((file, path)) = self.metrics.as_mut() else {
            return Ok(());
        };
        let line = serde_json::to_value(value).expect("records serialise");
        // Errors name the file: a full disk shows up here first.
        writeln!(file, "{line}").map_err(|e| ObserverError::io(&*path, e))
    }

    fn write_switch(&mut self, switch: &SwitchRecord) -> Result<(), ObserverError> {
        if self.metrics.is_none() {
            return Ok(());
        }
        self.write(switch)?;
        let line = serde_json::to_value(switch).expect("records serialise");
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.events)
            .and_then(|mut f| writeln!(f, "{line}"))
            .map_err(|e| ObserverError::io(&self.events, e))
    }

    /// Puts what a checkpoint covers on disk before the checkpoint is written.
    fn sync(&mut self) -> Result<(), ObserverError> {
        match self.metrics.as_mut() {
            Some((file, path)) => file.sync_all().map_err(|e| ObserverError::io(&*path, e)),
            None => Ok(()),
        }
    }
}

impl Observer for JsonlLogs {
    fn on_event(&mut self, event: &Event) -> Result<Control, ObserverError> {
        match *event {
            Event::Start {
                stage: Stage::Pretrain,
                out: Some(out),
                start,
                ..
            } => self.open(out, start)?,
            Event::Step(step) => self.write(step)?,
            Event::Eval(eval) => self.write(eval)?,
            Event::Switch(switch) => self.write_switch(switch)?,
            Event::Checkpoint { .. } => self.sync()?,
            _ => {}
        }
        Ok(Control::Continue)
    }
}

/// Drops the lines of a JSONL log whose `step` is past `step` (or that are torn), in place
/// and atomically; a missing file is left missing.
fn keep_lines_up_to(path: &Path, step: u64) -> Result<(), ObserverError> {
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
    write_atomic(path, |w| w.write_all(kept.as_bytes()))
}
