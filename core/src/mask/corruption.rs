//! BERT's 80/10/10 corruption of the chosen positions, applied after the set is fixed.

use super::bits::Bits;
use super::config::RandomIds;
use super::stats::MaskStats;
use crate::rng::SeededRng;
use crate::tokenize::kmer::K;
use crate::tokenize::vocab::{MASK_ID, SPECIAL_COUNT};

/// Label of a position the loss ignores (PyTorch's `ignore_index`).
pub const IGNORE_LABEL: i32 = -100;

/// Share of chosen positions replaced by [MASK].
pub const MASK_SHARE: f64 = 0.8;
/// Share of the remaining chosen positions replaced by a random id (0.5 · 0.2 = 10%).
pub const RANDOM_SHARE_OF_REST: f64 = 0.5;

/// One u64 draw per chosen position decides everything. Its high 32 bits split three
/// ways: below `to_mask` → [MASK], below `to_random` → a random id, else kept (the same
/// law as the 0.8-then-0.5 cascade, to 2^-32). Its low 32 bits, independent of the high
/// ones, pick the random id by multiply-shift (bias below count / 2^32 ≈ 1e-6). With one
/// draw and no data-dependent branch, a chosen position costs a few cycles, where an
/// 80/20 branch mispredicted one time in five.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Corruption {
    to_mask: u32,
    to_random: u32,
    first_random_id: u32,
    random_id_count: u64,
}

impl Corruption {
    pub fn new(k: K, ids: RandomIds) -> Corruption {
        const TWO_32: f64 = 4_294_967_296.0;
        let random_share = (1.0 - MASK_SHARE) * RANDOM_SHARE_OF_REST;
        let kmers = k.kmer_count() as u64;
        let (first_random_id, random_id_count) = match ids {
            RandomIds::Kmers => (SPECIAL_COUNT, kmers),
            RandomIds::AllIds => (0, SPECIAL_COUNT as u64 + kmers),
        };
        Corruption {
            to_mask: (MASK_SHARE * TWO_32) as u32,
            to_random: ((MASK_SHARE + random_share) * TWO_32) as u32,
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
        let (mut by_mask, mut by_random, mut chosen_count) = (0, 0, 0);
        chosen.for_each(|i| {
            let original = input[i];
            labels[i] = original as i32;
            let r = rng.next_u64();
            let decide = (r >> 32) as u32;
            let random_id =
                self.first_random_id + (((r & 0xFFFF_FFFF) * self.random_id_count) >> 32) as u32;
            let to_mask = decide < self.to_mask;
            let to_random = !to_mask & (decide < self.to_random);
            let replaced = if to_random { random_id } else { original };
            out[i] = if to_mask { MASK_ID } else { replaced };
            by_mask += usize::from(to_mask);
            by_random += usize::from(to_random);
            chosen_count += 1;
        });
        stats.replaced_by_mask += by_mask;
        stats.replaced_random += by_random;
        stats.kept += chosen_count - by_mask - by_random;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_split_the_draw_80_10_10() {
        let c = Corruption::new(K::SIX, RandomIds::Kmers);
        let two_32 = 4_294_967_296.0;
        assert!((c.to_mask as f64 / two_32 - 0.8).abs() < 1e-9);
        assert!((c.to_random as f64 / two_32 - 0.9).abs() < 1e-9);
        assert_eq!((c.first_random_id, c.random_id_count), (5, 4096));
        let all = Corruption::new(K::SIX, RandomIds::AllIds);
        assert_eq!((all.first_random_id, all.random_id_count), (0, 4101));
    }
}
