//! The order GeneMask and GLOBAL choose k-mers in: lowest rank first, ties to the lower
//! position. Packing (rank, position) into one u64 makes that order a plain integer compare.

use super::layout::is_maskable;
use crate::rank::{Rank, RankLookup, RankTable};

/// Key of a position that may not be chosen (a hole in [1, end]); above every real key.
pub(crate) const NOT_MASKABLE: u64 = u64::MAX;

/// (rank, position) as one integer. Positions must fit in 32 bits (4 G tokens).
#[inline]
pub(crate) fn pack(rank: Rank, position: usize) -> u64 {
    debug_assert!(position <= u32::MAX as usize);
    ((rank as u64) << 32) | position as u64
}

/// The position back out of a key.
#[inline]
pub(crate) fn position(key: u64) -> usize {
    (key & 0xFFFF_FFFF) as usize
}

/// Runs `$body` with `$key: impl Fn(usize) -> u64` bound to the key function for this
/// lookup, specialised for inputs with and without holes so the common case has no check.
macro_rules! with_order_key {
    ($table:expr, $lookup:expr, $ids:expr, $holes:expr, |$key:ident| $body:expr) => {{
        let table: &$crate::rank::RankTable = $table;
        let ids: &[u32] = $ids;
        match ($lookup, $holes) {
            ($crate::rank::RankLookup::Kmer, false) => {
                let $key = |i: usize| $crate::mask::order::pack(table.rank_of_id(ids[i]), i);
                $body
            }
            ($crate::rank::RankLookup::Position, false) => {
                let $key = |i: usize| $crate::mask::order::pack(table.rank_of_position(i), i);
                $body
            }
            (lookup, true) => {
                let $key = |i: usize| $crate::mask::order::key_with_holes(table, lookup, ids, i);
                $body
            }
        }
    }};
}
pub(crate) use with_order_key;

/// The key of position i of an input that has holes (rare: sequence pairs, stray pads).
#[inline]
pub(crate) fn key_with_holes(table: &RankTable, lookup: RankLookup, ids: &[u32], i: usize) -> u64 {
    if !is_maskable(ids[i]) {
        return NOT_MASKABLE;
    }
    let rank = match lookup {
        RankLookup::Kmer => table.rank_of_id(ids[i]),
        RankLookup::Position => table.rank_of_position(i),
    };
    pack(rank, i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_keys_order_by_rank_then_position() {
        assert!(pack(3, 400) < pack(4, 1));
        assert!(pack(3, 1) < pack(3, 2));
        assert!(pack(Rank::MAX, u32::MAX as usize) < NOT_MASKABLE);
        assert_eq!(position(pack(17, 509)), 509);
    }
}
