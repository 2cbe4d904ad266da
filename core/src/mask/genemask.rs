//! GeneMask (Roy et al., ECAI 2023): random centres, then the locally best NPMI k-mer near
//! each centre is hidden whole.

use super::order::{pack, position};
use super::span::Geometry;
use super::work::Work;
use crate::npmi::rank::Rank;
use crate::tokenize::kmer::K;
use alloc::vec::Vec;

/// With at most this many centres every centre's best k-mer is expanded; with more, only
/// the better half (docs/algorithms.md §3).
pub const GENEMASK_EXPAND_ALL_UP_TO: usize = 8;

/// GeneMask from its centres, into `work`.
///
/// `rank(i, items[i])` is the order rank of position i ([`HOLE`](super::order::HOLE) for
/// holes); `items` is the input ids, or the ranks themselves for the pure function.
/// Positions are compared by (rank, position).
///
/// Each centre's nucleotide span is masked, and best(c) = the lowest key in that clipped
/// span. With n > 8 centres the ceil(n/2) lowest best(c) values are kept, counting a
/// position chosen by two centres twice (each centre votes); a position chosen twice is
/// expanded once, which leaves the mask unchanged since spans are unioned.
#[inline]
pub(crate) fn genemask_into<T: Copy>(
    g: &Geometry,
    end: usize,
    centres: &[usize],
    items: &[T],
    rank: impl Fn(usize, T) -> u32,
    work: &mut Work,
) {
    let best = &mut work.keys;
    best.clear();
    for &c in centres {
        let (lo, hi) = g.nucleotide_span(c, end);
        work.chosen.set_range(lo, hi);
        // The centre itself is maskable, so the minimum is a real position.
        let window = items[lo..=hi].iter().enumerate();
        let keys = window.map(|(j, &t)| pack(rank(lo + j, t), lo + j));
        best.push(keys.fold(u64::MAX, u64::min));
    }
    if best.len() > GENEMASK_EXPAND_ALL_UP_TO {
        let keep = best.len().div_ceil(2);
        best.sort_unstable();
        best.truncate(keep);
    }
    let expanded = &mut work.expanded;
    expanded.clear();
    expanded.extend(best.iter().map(|&b| position(b)));
    expanded.sort_unstable();
    expanded.dedup();
    for &b in expanded.iter() {
        let (lo, hi) = g.kmer_span(b, end);
        work.chosen.set_range(lo, hi);
    }
}

/// The GeneMask mask of an input whose positions 1..=end are all maskable, given the rank
/// at every position (`ranks[i]` for position i; index 0 and past `end` are ignored) and
/// the centres. This is exactly what [`crate::mask::Masker`] runs after drawing centres.
///
/// # Panics
/// If `end >= ranks.len()` or a centre lies outside [1, end].
pub fn genemask_from_centres(k: K, ranks: &[Rank], end: usize, centres: &[usize]) -> Vec<bool> {
    let len = ranks.len();
    assert!(end < len, "end {end} outside an input of {len} positions");
    assert!(
        centres.iter().all(|&c| (1..=end).contains(&c)),
        "centre outside [1, {end}]"
    );
    let mut work = Work::default();
    work.reset(len);
    genemask_into(
        &Geometry::new(k),
        end,
        centres,
        ranks,
        |_, r| r as u32,
        &mut work,
    );
    work.flags(len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mask::oracle;
    use proptest::prelude::*;

    #[test]
    fn golden_one_centre_expands_its_best_kmer() {
        // k=6, end 20. Centre 10 masks 8..=13; ranks there are 50,40,30,7,60,7 at
        // positions 8..=13, so best = 11 (rank 7, the lower of the two rank-7 positions),
        // expanded to 11-5..=11+5 = 6..=16.
        let mut ranks = alloc::vec![100 as Rank; 22];
        ranks[8..=13].copy_from_slice(&[50, 40, 30, 7, 60, 7]);
        let m = genemask_from_centres(K::SIX, &ranks, 20, &[10]);
        let set: Vec<usize> = (0..22).filter(|&i| m[i]).collect();
        assert_eq!(set, (6..=16).collect::<Vec<_>>());
    }

    #[test]
    fn golden_nine_centres_expand_only_the_better_five() {
        // 9 centres 10, 30, .., 170 (end 200, k=6). The best rank near centre j is j+1 at
        // the centre itself (all other ranks 1000), so n = 9 > 8 keeps ceil(9/2) = 5:
        // centres 10..90 are expanded to 11 tokens, centres 110..170 keep their 6 tokens.
        let mut ranks = alloc::vec![1000 as Rank; 202];
        let centres: Vec<usize> = (0..9).map(|j| 10 + 20 * j).collect();
        for (j, &c) in centres.iter().enumerate() {
            ranks[c] = j as Rank + 1;
        }
        let m = genemask_from_centres(K::SIX, &ranks, 200, &centres);
        for (j, &c) in centres.iter().enumerate() {
            let expected: (usize, usize) = if j < 5 {
                (c - 5, c + 5)
            } else {
                (c - 2, c + 3)
            };
            assert!((expected.0..=expected.1).all(|i| m[i]), "centre {c}");
            assert!(
                !m[expected.0 - 1] && !m[expected.1 + 1],
                "centre {c} spills"
            );
        }
        assert_eq!(m.iter().filter(|&&b| b).count(), 5 * 11 + 4 * 6);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn genemask_matches_oracle(
            k in 3usize..=6,
            end in 1usize..200,
            ranks in proptest::collection::vec(1u16..40, 202),
            raw in proptest::collection::btree_set(0usize..1000, 0..20),
        ) {
            // Few distinct ranks so ties are common; centres increasing and distinct, as drawn.
            let mut centres: Vec<usize> = raw.iter().map(|r| 1 + r % end).collect();
            centres.sort_unstable();
            centres.dedup();
            let ranks = &ranks[..end + 2];
            let got = genemask_from_centres(K::new(k).unwrap(), ranks, end, &centres);
            let all = alloc::vec![true; ranks.len()];
            prop_assert_eq!(got, oracle::genemask(k, ranks, &all, end, &centres).0);
        }
    }
}
