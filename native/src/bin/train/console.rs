//! The terminal: progress bars and console lines as observers of the library's runs
//! (indicatif lives here, never in the library), and the signals that ask a run to stop.

use cmgems_native::events::{Control, Event, Interrupt, Observer, ObserverError, Observers, Stage};
use cmgems_native::npmi_job::CountProgress;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

/// Notes on standard error, a progress bar per run (when standard error is a terminal), a
/// line when CM-GEMS switches and one per few-shot run.
pub struct Console {
    bar: ProgressBar,
    progress: bool,
}

impl Console {
    fn new() -> Console {
        Console {
            bar: ProgressBar::hidden(),
            progress: std::io::stderr().is_terminal(),
        }
    }

    fn start(&mut self, stage: &Stage, start: u64, total: u64) {
        if !self.progress {
            return;
        }
        let what = match stage {
            Stage::Pretrain => String::new(),
            Stage::Finetune { task } => format!("{task} "),
            Stage::Fewshot { shots, seed } => format!("{shots} shots, seed {seed} "),
        };
        self.bar = ProgressBar::new(total);
        self.bar.set_style(
            ProgressStyle::with_template(&format!(
                "{what}{{bar:30}} {{pos}}/{{len}} steps, {{per_sec}}, ETA {{eta}} {{msg}}"
            ))
            .expect("valid template"),
        );
        self.bar.set_position(start);
    }
}

impl Observer for Console {
    fn on_event(&mut self, event: &Event) -> Result<Control, ObserverError> {
        match *event {
            Event::Start {
                stage,
                start,
                total,
                ..
            } => self.start(stage, start, total),
            Event::Note(note) => self.bar.suspend(|| eprintln!("{note}")),
            Event::Step(s) => {
                let loss = s.loss.unwrap_or(f32::NAN);
                self.bar
                    .set_message(format!("loss {loss:.3} ({})", s.masker));
                self.bar.inc(1);
            }
            Event::TuneStep { step, .. } => {
                self.bar.set_position(step.step);
                self.bar.set_message(format!("loss {:.4}", step.loss));
            }
            Event::Switch(s) => self.bar.println(format!(
                "CM-GEMS switched to GLOBAL at step {} (perplexity {:.3} -> {:.3})",
                s.step, s.previous_perplexity, s.perplexity
            )),
            Event::Scored {
                stage: Stage::Fewshot { shots, seed },
                report: r,
                ..
            } => self.bar.suspend(|| {
                eprintln!(
                    "{shots} shots, seed {seed}: accuracy {:.4}, MCC {:.4}",
                    r.accuracy, r.mcc
                )
            }),
            Event::End { .. } => self.bar.finish_and_clear(),
            _ => {}
        }
        Ok(Control::Continue)
    }
}

/// What every training command plugs in: the console and the signal handler's interrupt.
pub fn terminal<'a>() -> anyhow::Result<Observers<'a>> {
    Ok(notes().with(interrupt()?))
}

/// The console alone, for commands that run nothing a signal should stop cleanly.
pub fn notes<'a>() -> Observers<'a> {
    Observers::new().with(Console::new())
}

/// The signal that stopped a run (SIGTERM, SIGINT), once one arrived.
static RECEIVED: OnceLock<Arc<AtomicUsize>> = OnceLock::new();

/// An observer that asks the run to stop (and a pretraining run to save) at the first
/// SIGTERM or SIGINT; a second one ends the process at once. signal-hook rather than ctrlc:
/// it sets an atomic from the handler and nothing else (async-signal-safe, no thread of its
/// own), covers SIGTERM without a feature, records which signal came, and is already in the
/// lock file (crossterm and tokio use it).
pub fn interrupt() -> anyhow::Result<Interrupt> {
    let received = RECEIVED.get_or_init(|| Arc::new(AtomicUsize::new(0)));
    let twice = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        // Registered in this order, the first signal sets `twice` and the second exits.
        signal_hook::flag::register_conditional_shutdown(signal, 128 + signal, twice.clone())?;
        signal_hook::flag::register(signal, twice.clone())?;
        signal_hook::flag::register_usize(signal, received.clone(), signal as usize)?;
    }
    Ok(Interrupt::new(received.clone()))
}

/// The signal received while a run was observed, if one was.
pub fn received_signal() -> Option<i32> {
    let n = RECEIVED.get()?.load(Ordering::SeqCst);
    (n != 0).then_some(n as i32)
}

/// The name of a signal `interrupt` handles.
pub fn signal_name(signal: i32) -> &'static str {
    match signal {
        signal_hook::consts::SIGINT => "SIGINT",
        _ => "SIGTERM",
    }
}

/// A byte-progress bar for counting k-mers, drawn only on a terminal.
pub fn counting_bar() -> (ProgressBar, impl FnMut(CountProgress)) {
    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::new(0)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} counting {msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} ETA {eta}",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    let shown = bar.clone();
    let report = move |p: CountProgress| {
        shown.set_length(p.total_bytes);
        shown.set_message(p.file.display().to_string());
        shown.set_position(p.done_bytes);
    };
    (bar, report)
}
