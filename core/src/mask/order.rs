//! The order GeneMask and GLOBAL choose k-mers in: lowest rank first, ties to the lower
//! position. Packing (rank, position) into one u64 makes that order a plain integer compare.

use crate::npmi::rank::{Rank, RankTable};
use crate::tokenize::vocab::SPECIAL_COUNT;
use alloc::vec::Vec;

/// Order rank of a position that may not be chosen (a hole in [1, end], or padding):
/// above every real rank, which are u16.
pub(crate) const HOLE: u32 = u32::MAX;

/// (order rank, position) as one integer. Positions must fit in 32 bits (4 G tokens).
#[inline]
pub(crate) fn pack(rank: u32, position: usize) -> u64 {
    debug_assert!(position <= u32::MAX as usize);
    ((rank as u64) << 32) | position as u64
}

/// The position back out of a key.
#[inline]
pub(crate) fn position(key: u64) -> usize {
    (key & 0xFFFF_FFFF) as usize
}

/// A rank lookup by index whose last entry answers for every index past the table, so a
/// lookup is one clamp and one load, with no branch (the hot loop of GLOBAL does 510).
#[derive(Debug, Clone)]
pub(crate) struct ClampedRanks(Vec<Rank>);

impl ClampedRanks {
    /// `RankTable::rank_of_id` as a table over ids 0..=5+4^k.
    pub fn by_id(table: &RankTable) -> ClampedRanks {
        let n = SPECIAL_COUNT as usize + table.ranks_by_code().len();
        ClampedRanks((0..=n as u32).map(|id| table.rank_of_id(id)).collect())
    }

    /// `RankTable::rank_of_position` as a table over positions 0..=5+4^k.
    pub fn by_position(table: &RankTable) -> ClampedRanks {
        let n = SPECIAL_COUNT as usize + table.ranks_by_code().len();
        ClampedRanks((0..=n).map(|i| table.rank_of_position(i)).collect())
    }

    /// The rank at `index` (the last entry's for any index past the table), widened.
    #[inline]
    pub fn get(&self, index: usize) -> u32 {
        let r = &self.0[..];
        r[index.min(r.len() - 1)] as u32
    }
}

/// Runs `$body` with `$rank: impl Fn(usize, u32) -> u32` (position, id at it) bound to
/// the order rank for this lookup ([`HOLE`] for holes), specialised for inputs with and
/// without holes so the common case has no check.
macro_rules! with_order_rank {
    ($by_id:expr, $by_position:expr, $lookup:expr, $holes:expr, |$rank:ident| $body:expr) => {{
        use $crate::mask::layout::is_maskable;
        use $crate::mask::order::{ClampedRanks, HOLE};
        use $crate::npmi::rank::RankLookup;
        let by_id: &ClampedRanks = $by_id;
        let by_position: &ClampedRanks = $by_position;
        match ($lookup, $holes) {
            (RankLookup::Kmer, false) => {
                let $rank = |_i: usize, id: u32| by_id.get(id as usize);
                $body
            }
            (RankLookup::Position, false) => {
                let $rank = |i: usize, _id: u32| by_position.get(i);
                $body
            }
            (RankLookup::Kmer, true) => {
                let $rank = |_i: usize, id: u32| {
                    if is_maskable(id) {
                        by_id.get(id as usize)
                    } else {
                        HOLE
                    }
                };
                $body
            }
            (RankLookup::Position, true) => {
                let $rank = |i: usize, id: u32| {
                    if is_maskable(id) {
                        by_position.get(i)
                    } else {
                        HOLE
                    }
                };
                $body
            }
        }
    }};
}
pub(crate) use with_order_rank;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenize::kmer::K;

    #[test]
    fn packed_keys_order_by_rank_then_position() {
        assert!(pack(3, 400) < pack(4, 1));
        assert!(pack(3, 1) < pack(3, 2));
        assert!(pack(Rank::MAX as u32, u32::MAX as usize) < pack(HOLE, 0));
        assert_eq!(position(pack(17, 509)), 509);
    }

    #[test]
    fn clamped_tables_equal_the_rank_table_lookups_everywhere() {
        let k = K::new(3).unwrap();
        let t = RankTable::from_ranks(k, (1..=64).rev().collect()).unwrap();
        let (by_id, by_pos) = (ClampedRanks::by_id(&t), ClampedRanks::by_position(&t));
        for i in 0..200usize {
            assert_eq!(by_id.get(i), t.rank_of_id(i as u32) as u32, "id {i}");
            assert_eq!(by_pos.get(i), t.rank_of_position(i) as u32, "position {i}");
        }
        assert_eq!(by_id.get(usize::MAX), t.rank_of_id(u32::MAX) as u32);
    }
}
