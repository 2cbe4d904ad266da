//! One protocol for every training run (pretraining, fine-tuning, few-shot, the experiment):
//! the run sends each [`Event`] to a list of [`Observer`]s ([`Observers`]), and each answers
//! with a [`Control`] that can steer the run: go on, save a checkpoint now, or stop. This is
//! burn-train's event processor and interrupter, and transformers' `TrainerCallback` with its
//! `TrainerControl`, in one small trait. Logs (`pretrain::JsonlLogs`), the terminal (the
//! `train` binary's console), signals ([`Interrupt`]) and [`EarlyStopping`] are observers;
//! when to evaluate and to save is a [`Cadence`].

mod cadence;
mod records;
mod stop;

pub use cadence::Cadence;
pub use records::{EvalRecord, StepRecord, SwitchRecord, TuneStep};
pub use stop::{EarlyStopping, Interrupt};

use cmgems_core::ClassificationReport;
use std::path::Path;

/// Which run an event belongs to: fine-tuning and few-shot events carry their task or
/// (shots, seed), so one observer can follow an experiment's many runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    Pretrain,
    /// Fine-tuning on a task (`train finetune`, a GUE task).
    Finetune {
        task: String,
    },
    /// One run of the few-shot protocol.
    Fewshot {
        shots: usize,
        seed: u64,
    },
}

/// Something a run reports. Borrowed: an event lives for the call that delivers it.
#[derive(Debug, Clone, Copy)]
pub enum Event<'a> {
    /// A run starts after `start` of `total` optimizer steps (0 unless resumed); `out` is
    /// the folder a pretraining run writes.
    Start {
        stage: &'a Stage,
        out: Option<&'a Path>,
        start: u64,
        total: u64,
    },
    /// Something the user should know (the corpus is synthetic, the backend, resuming).
    Note(&'a str),
    /// A pretraining optimizer step (a line of `metrics.jsonl`).
    Step(&'a StepRecord),
    /// A fine-tuning optimizer step.
    TuneStep {
        stage: &'a Stage,
        step: &'a TuneStep,
    },
    /// A held-out evaluation of pretraining.
    Eval(&'a EvalRecord),
    /// CM-GEMS switched masker.
    Switch(&'a SwitchRecord),
    /// A checkpoint after `step` steps is about to be written: what it covers must be on
    /// disk first, so that a resumed run continues the logs where the checkpoint is.
    Checkpoint { step: u64 },
    /// The checkpoint after `step` steps is on disk in `dir`.
    Saved { step: u64, dir: &'a Path },
    /// A fine-tuned model was scored on a split (`dev`, `test`).
    Scored {
        stage: &'a Stage,
        split: &'a str,
        report: &'a ClassificationReport,
    },
    /// The run's last step is done (`stopped`: an observer ended it early).
    End {
        stage: &'a Stage,
        step: u64,
        stopped: bool,
    },
}

/// What an observer asks of the run after an event. Several answers merge to the strongest:
/// stop beats save beats go on (the order of the variants).
///
/// `Stop` ends the run after the current step; a pretraining run then writes a checkpoint of
/// that step, so that `--resume` continues it exactly. `Save` writes a checkpoint after the
/// current step whatever the cadence says (fine-tuning keeps no checkpoints and ignores it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Control {
    #[default]
    Continue,
    Save,
    Stop,
}

impl Control {
    /// The stronger of two answers.
    pub fn merge(self, other: Control) -> Control {
        self.max(other)
    }
}

/// Why an observer could not do its work: a file it writes (a log that cannot be written
/// is worth stopping the run for), so the crate's file error, which names it.
pub type ObserverError = crate::NativeError;

/// Listens to a run and may steer it. An error stops the run.
pub trait Observer {
    fn on_event(&mut self, event: &Event) -> Result<Control, ObserverError>;
}

/// A borrowed observer is one too: a caller keeps its observer and reads it after the run.
impl<O: Observer + ?Sized> Observer for &mut O {
    fn on_event(&mut self, event: &Event) -> Result<Control, ObserverError> {
        (**self).on_event(event)
    }
}

/// An observer made of a closure that only listens (a front end's one-off line).
pub struct OnEvent<F>(pub F);

impl<F: FnMut(&Event)> Observer for OnEvent<F> {
    fn on_event(&mut self, event: &Event) -> Result<Control, ObserverError> {
        (self.0)(event);
        Ok(Control::Continue)
    }
}

/// The observers of a run, each told every event in the order they were added.
#[derive(Default)]
pub struct Observers<'a> {
    list: Vec<Box<dyn Observer + 'a>>,
}

impl<'a> Observers<'a> {
    pub fn new() -> Observers<'a> {
        Observers::default()
    }

    /// This list and `observer` after it.
    pub fn with(mut self, observer: impl Observer + 'a) -> Observers<'a> {
        self.push(observer);
        self
    }

    pub fn push(&mut self, observer: impl Observer + 'a) {
        self.list.push(Box::new(observer));
    }

    /// Tells every observer (none is skipped when another asks to stop) and merges their
    /// answers; the first error ends the round.
    pub fn emit(&mut self, event: &Event) -> Result<Control, ObserverError> {
        let mut control = Control::Continue;
        for observer in &mut self.list {
            control = control.merge(observer.on_event(event)?);
        }
        Ok(control)
    }

    /// A [`Event::Note`]: notes neither fail nor steer, so their answers are dropped.
    pub fn on_note(&mut self, note: &str) {
        for observer in &mut self.list {
            let _ = observer.on_event(&Event::Note(note));
        }
    }
}

/// A list is an observer: a run can add its own observers in front of its caller's.
impl Observer for Observers<'_> {
    fn on_event(&mut self, event: &Event) -> Result<Control, ObserverError> {
        self.emit(event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Answer(Control, Vec<String>);
    impl Observer for Answer {
        fn on_event(&mut self, event: &Event) -> Result<Control, ObserverError> {
            if let Event::Note(n) = event {
                self.1.push(n.to_string());
            }
            Ok(self.0)
        }
    }

    #[test]
    fn answers_merge_to_the_strongest_and_every_observer_hears_every_event() {
        assert_eq!(Control::Save.merge(Control::Stop), Control::Stop);
        assert_eq!(Control::Save.merge(Control::Continue), Control::Save);
        assert_eq!(
            Control::Continue.merge(Control::Continue),
            Control::Continue
        );
        let (mut stop, mut save, mut go) = (
            Answer(Control::Stop, vec![]),
            Answer(Control::Save, vec![]),
            Answer(Control::Continue, vec![]),
        );
        let mut list = Observers::new()
            .with(&mut stop)
            .with(&mut save)
            .with(&mut go);
        let stage = Stage::Pretrain;
        let end = Event::End {
            stage: &stage,
            step: 3,
            stopped: false,
        };
        assert_eq!(list.emit(&end).unwrap(), Control::Stop);
        list.on_note("hello");
        drop(list);
        for heard in [&stop.1, &save.1, &go.1] {
            assert_eq!(heard, &["hello"]);
        }
        let mut nested = Observers::new().with(Observers::new().with(&mut save));
        assert_eq!(nested.emit(&end).unwrap(), Control::Save);
    }
}
