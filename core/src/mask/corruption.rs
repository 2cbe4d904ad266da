//! BERT's 80/10/10 corruption of the chosen positions, applied after the set is fixed.

use super::bits::Bits;
use super::config::RandomIds;
use super::stats::MaskStats;
use crate::kmer::K;
use crate::rng::SeededRng;
use crate::vocab::{MASK_ID, SPECIAL_COUNT};

/// Label of a position the loss ignores (PyTorch's `ignore_index`).
pub const IGNORE_LABEL: i32 = -100;

/// Share of chosen positions replaced by [MASK].
pub const MASK_SHARE: f64 = 0.8;
/// Share of the remaining chosen positions replaced by a random id (0.5 · 0.2 = 10%).
pub const RANDOM_SHARE_OF_REST: f64 = 0.5;

/// Thresholds on one u64 draw: below `to_mask` → [MASK], below `to_random` → random id,
/// else kept. One draw split three ways has the same law as the 0.8-then-0.5 cascade and
/// costs one draw per chosen position instead of up to two.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Corruption {
    to_mask: u64,
    to_random: u64,
    first_random_id: u32,
    random_id_count: u64,
}

impl Corruption {
    pub fn new(k: K, ids: RandomIds) -> Corruption {
        const TWO_64: f64 = 18_446_744_073_709_551_616.0;
        let random_share = (1.0 - MASK_SHARE) * RANDOM_SHARE_OF_REST;
        let kmers = k.kmer_count() as u64;
        let (first_random_id, random_id_count) = match ids {
            RandomIds::Kmers => (SPECIAL_COUNT, kmers),
            RandomIds::AllIds => (0, SPECIAL_COUNT as u64 + kmers),
        };
        Corruption {
            to_mask: (MASK_SHARE * TWO_64) as u64,
            to_random: ((MASK_SHARE + random_share) * TWO_64) as u64,
            first_random_id,
            random_id_count,
        }
    }

    /// Writes `out` (a copy of `input` with the chosen positions corrupted) and `labels`
    /// (the original id on chosen positions, [`IGNORE_LABEL`] elsewhere).
    #[inline]
    pub fn apply(
        &self,
        chosen: &Bits,
        input: &[u32],
        rng: &mut SeededRng,
        out: &mut [u32],
        labels: &mut [i32],
        stats: &mut MaskStats,
    ) {
        out.copy_from_slice(input);
        labels.fill(IGNORE_LABEL);
        chosen.for_each(|i| {
            labels[i] = input[i] as i32;
            let r = rng.next_u64();
            if r < self.to_mask {
                out[i] = MASK_ID;
                stats.replaced_by_mask += 1;
            } else if r < self.to_random {
                out[i] = self.first_random_id + rng.below(self.random_id_count) as u32;
                stats.replaced_random += 1;
            } else {
                stats.kept += 1;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_split_the_draw_80_10_10() {
        let c = Corruption::new(K::SIX, RandomIds::Kmers);
        let two_64 = 18_446_744_073_709_551_616.0;
        assert!((c.to_mask as f64 / two_64 - 0.8).abs() < 1e-12);
        assert!((c.to_random as f64 / two_64 - 0.9).abs() < 1e-12);
        assert_eq!((c.first_random_id, c.random_id_count), (5, 4096));
        let all = Corruption::new(K::SIX, RandomIds::AllIds);
        assert_eq!((all.first_random_id, all.random_id_count), (0, 4101));
    }
}
