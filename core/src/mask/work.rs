//! The buffers a chooser writes into, reused across sequences.

use super::bits::Bits;
use alloc::vec::Vec;

/// The chosen set, the positions expanded to whole k-mers, and key scratch.
#[derive(Debug, Clone, Default)]
pub(crate) struct Work {
    /// Chosen positions.
    pub chosen: Bits,
    /// Expanded positions, increasing and distinct.
    pub expanded: Vec<usize>,
    /// GeneMask's best(c) keys; GLOBAL's candidates, then its m keys.
    pub keys: Vec<u64>,
    /// GLOBAL: the order rank of every position, in rows.
    pub ranks: Vec<u32>,
    /// GLOBAL: the minimum rank of every group.
    pub mins: Vec<u32>,
    /// GLOBAL: the groups that may hold an answer.
    pub groups: Vec<u32>,
}

impl Work {
    /// Empty, for an input of `len` positions.
    #[inline]
    pub fn reset(&mut self, len: usize) {
        self.chosen.reset(len);
        self.expanded.clear();
        self.keys.clear();
    }

    /// The chosen set as one flag per position.
    pub fn flags(&self, len: usize) -> Vec<bool> {
        (0..len).map(|i| self.chosen.contains(i)).collect()
    }
}
