//! When a run evaluates and saves: a strategy the loop asks after each step (burn-train's
//! `CheckpointingStrategy`), rather than arithmetic in the loop. "On demand" is an
//! observer's [`Control::Save`](super::Control::Save), whatever the cadence.

/// After which optimizer steps something happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cadence {
    /// Every this many steps, and after the last (0: only after the last).
    Every(u64),
    /// After the last step only.
    AtEnd,
    /// Never by itself: only when an observer asks.
    OnDemand,
}

impl Cadence {
    /// Whether it happens after `done` of `total` steps.
    pub fn due(self, done: u64, total: u64) -> bool {
        match self {
            Cadence::Every(n) => (n > 0 && done.is_multiple_of(n)) || done == total,
            Cadence::AtEnd => done == total,
            Cadence::OnDemand => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_n_includes_the_last_step() {
        let due = |c: Cadence| (1..=10).filter(|&d| c.due(d, 10)).collect::<Vec<_>>();
        assert_eq!(due(Cadence::Every(4)), [4, 8, 10]);
        assert_eq!(due(Cadence::Every(5)), [5, 10]);
        assert_eq!(due(Cadence::Every(0)), [10]);
        assert_eq!(due(Cadence::AtEnd), [10]);
        assert!(due(Cadence::OnDemand).is_empty());
    }
}
