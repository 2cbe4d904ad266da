//! Observers that end a run early: an interrupt flag (set by a signal handler or another
//! thread) and early stopping on the held-out perplexity.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use super::{Control, Event, Observer, ObserverError};

/// Asks the run to stop (a pretraining run saves first) once `flag` is non-zero, as
/// burn-train's `Interrupter`. The `train` binary stores the number of the signal it got
/// (SIGTERM, SIGINT) there; the run finishes the step it is in, so what it saves is a step
/// boundary an unbroken run also passes.
#[derive(Debug, Clone, Default)]
pub struct Interrupt {
    flag: Arc<AtomicUsize>,
}

impl Interrupt {
    pub fn new(flag: Arc<AtomicUsize>) -> Interrupt {
        Interrupt { flag }
    }

    /// The value set (a signal number), 0 while none is.
    pub fn received(&self) -> usize {
        self.flag.load(Ordering::SeqCst)
    }
}

impl Observer for Interrupt {
    fn on_event(&mut self, _event: &Event) -> Result<Control, ObserverError> {
        Ok(if self.received() != 0 {
            Control::Stop
        } else {
            Control::Continue
        })
    }
}

/// Stops pretraining once the held-out perplexity has not improved on its best by more than
/// `min_delta` for `patience` evaluations in a row.
#[derive(Debug, Clone)]
pub struct EarlyStopping {
    pub patience: u32,
    pub min_delta: f64,
    best: f64,
    flat: u32,
}

impl EarlyStopping {
    pub fn new(patience: u32, min_delta: f64) -> EarlyStopping {
        EarlyStopping {
            patience,
            min_delta,
            best: f64::INFINITY,
            flat: 0,
        }
    }
}

impl Observer for EarlyStopping {
    fn on_event(&mut self, event: &Event) -> Result<Control, ObserverError> {
        let Event::Eval(eval) = event else {
            return Ok(Control::Continue);
        };
        if eval.eval_perplexity < self.best - self.min_delta {
            self.best = eval.eval_perplexity;
            self.flat = 0;
        } else {
            self.flat += 1;
        }
        Ok(if self.flat >= self.patience {
            Control::Stop
        } else {
            Control::Continue
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::EvalRecord;
    use cmgems_core::mask::Strategy;

    fn eval(ppl: f64) -> EvalRecord {
        EvalRecord {
            step: 1,
            eval_perplexity: ppl,
            eval_loss: ppl.ln(),
            eval_masker: Strategy::RandomSpan,
            unigram_perplexity: None,
        }
    }

    #[test]
    fn early_stopping_waits_for_patience_flat_evaluations() {
        let mut e = EarlyStopping::new(2, 0.5);
        let answers: Vec<Control> = [10.0, 9.0, 8.8, 9.5, 7.0, 7.0, 6.9]
            .iter()
            .map(|&p| e.on_event(&Event::Eval(&eval(p))).unwrap())
            .collect();
        use Control::{Continue as C, Stop as S};
        assert_eq!(answers, [C, C, C, S, C, C, S]);
    }

    #[test]
    fn interrupt_stops_once_the_flag_is_set() {
        let flag = Arc::new(AtomicUsize::new(0));
        let mut i = Interrupt::new(flag.clone());
        assert_eq!(i.on_event(&Event::Note("x")).unwrap(), Control::Continue);
        flag.store(15, Ordering::SeqCst);
        assert_eq!(i.on_event(&Event::Note("x")).unwrap(), Control::Stop);
        assert_eq!(i.received(), 15);
    }
}
