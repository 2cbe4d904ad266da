//! HF `get_linear_schedule_with_warmup`, as a pure function of the optimizer step so that the
//! scheduler's whole state is the step counter the checkpoint already holds.

use serde::{Deserialize, Serialize};

/// Linear warmup from 0 to `peak` over `warmup` steps, then linear decay to 0 at `total`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LinearWarmupDecay {
    pub peak: f64,
    pub warmup: u64,
    pub total: u64,
}

impl LinearWarmupDecay {
    /// Learning rate of the optimizer step that follows `done` completed steps.
    ///
    /// Matches PyTorch's `LambdaLR` stepped after each `optimizer.step()`: the first step runs
    /// at `lr_lambda(0)`, which is 0 when there is a warmup.
    pub fn lr(&self, done: u64) -> f64 {
        let factor = if done < self.warmup {
            done as f64 / self.warmup.max(1) as f64
        } else {
            let left = self.total.saturating_sub(done) as f64;
            (left / self.total.saturating_sub(self.warmup).max(1) as f64).max(0.0)
        };
        self.peak * factor
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_transformers_linear_schedule() {
        // docs/algorithms.md §7: peak 8e-4, warmup 500, 10K steps.
        // lr_lambda(0) = 0; (250) = 250/500; (500) = 9500/9500; (5250) = 4750/9500; (10000) = 0.
        let s = LinearWarmupDecay {
            peak: 8e-4,
            warmup: 500,
            total: 10_000,
        };
        assert_eq!(s.lr(0), 0.0);
        assert!((s.lr(250) - 4e-4).abs() < 1e-15);
        assert!((s.lr(500) - 8e-4).abs() < 1e-15);
        assert!((s.lr(5250) - 4e-4).abs() < 1e-15);
        assert_eq!(s.lr(10_000), 0.0);
        assert_eq!(s.lr(12_000), 0.0);
    }

    #[test]
    fn no_warmup_starts_at_peak() {
        let s = LinearWarmupDecay {
            peak: 1.0,
            warmup: 0,
            total: 4,
        };
        assert_eq!(s.lr(0), 1.0);
        assert_eq!(s.lr(2), 0.5);
    }
}
