//! Counts a trainer logs per batch: how much was hidden and how it was corrupted.

use core::ops::AddAssign;
use serde::{Deserialize, Serialize};

/// What one or more `mask` calls did. Sums with `+=` across sequences and batches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MaskStats {
    /// Sequences masked.
    pub sequences: usize,
    /// Maskable positions (not [CLS], [SEP], [PAD]).
    pub maskable: usize,
    /// Positions chosen, i.e. labelled with their original id.
    pub masked: usize,
    /// Chosen positions that became [MASK] (80%).
    pub replaced_by_mask: usize,
    /// Chosen positions that became a random id (10%). Counted by the draw, so a random id
    /// that happens to equal the original still counts here.
    pub replaced_random: usize,
    /// Chosen positions left as they were (10%).
    pub kept: usize,
    /// Successful centre draws. For GLOBAL with a binomial m this is m; with a fixed m, 0.
    pub centres: usize,
    /// Positions expanded to a whole k-mer (GeneMask, GLOBAL; 0 for random span).
    pub expanded: usize,
}

impl MaskStats {
    /// Masked share of the maskable positions (0 when nothing was maskable).
    pub fn masked_share(&self) -> f64 {
        if self.maskable == 0 {
            0.0
        } else {
            self.masked as f64 / self.maskable as f64
        }
    }
}

impl AddAssign for MaskStats {
    fn add_assign(&mut self, o: MaskStats) {
        self.sequences += o.sequences;
        self.maskable += o.maskable;
        self.masked += o.masked;
        self.replaced_by_mask += o.replaced_by_mask;
        self.replaced_random += o.replaced_random;
        self.kept += o.kept;
        self.centres += o.centres;
        self.expanded += o.expanded;
    }
}
