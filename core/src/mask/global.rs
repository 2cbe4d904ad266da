//! GLOBAL (CM-GEMS paper, Algorithm 1): hide whole the m k-mers of lowest NPMI rank in the
//! whole sequence, wherever they are.

use super::bits::Bits;
use super::layout::Layout;
use super::order::{pack, position, NOT_MASKABLE};
use super::span::Geometry;
use crate::kmer::K;
use crate::rank::Rank;
use alloc::vec::Vec;

/// Above this m the top-m buffer gives way to one `select_nth_unstable` over all keys.
const INSERTION_MAX_M: usize = 32;

/// GLOBAL given m, writing the mask into `bits`.
///
/// Finds the m lowest keys among positions 1..=end without sorting the sequence: a sorted
/// buffer of m keys with the current m-th as a threshold, so nearly every position costs one
/// compare (random ranks enter the buffer about m·ln(n/m) times). `top` is scratch;
/// `expanded` receives the chosen positions, increasing. Holes (`NOT_MASKABLE`) never win.
#[inline]
pub(crate) fn global_into(
    g: &Geometry,
    layout: Layout,
    m: usize,
    key: impl Fn(usize) -> u64,
    bits: &mut Bits,
    top: &mut Vec<u64>,
    expanded: &mut Vec<usize>,
) {
    top.clear();
    expanded.clear();
    let Layout { end, maskable } = layout;
    let m = m.min(maskable);
    if m == 0 {
        return;
    }
    if m == maskable {
        top.extend((1..=end).map(&key).filter(|&k| k != NOT_MASKABLE));
    } else if m > INSERTION_MAX_M {
        top.extend((1..=end).map(&key).filter(|&k| k != NOT_MASKABLE));
        top.select_nth_unstable(m - 1);
        top.truncate(m);
    } else {
        top_m_by_insertion(end, m, key, top);
    }
    expanded.extend(top.iter().map(|&k| position(k)));
    expanded.sort_unstable();
    for &b in expanded.iter() {
        let (lo, hi) = g.kmer_span(b, end);
        bits.set_range(lo, hi);
    }
}

/// The m lowest keys of 1..=end (m < number of maskable positions), sorted, into `top`.
#[inline]
fn top_m_by_insertion(end: usize, m: usize, key: impl Fn(usize) -> u64, top: &mut Vec<u64>) {
    let mut i = 1;
    while top.len() < m {
        let k = key(i);
        if k != NOT_MASKABLE {
            let at = top.partition_point(|&t| t < k);
            top.insert(at, k);
        }
        i += 1;
    }
    let mut worst = top[m - 1];
    for i in i..=end {
        let k = key(i);
        if k < worst {
            top.pop();
            let at = top.partition_point(|&t| t < k);
            top.insert(at, k);
            worst = top[m - 1];
        }
    }
}

/// The GLOBAL mask of an input whose positions 1..=end are all maskable, given the rank at
/// every position (`ranks[i]` for position i; index 0 and past `end` ignored) and m.
///
/// # Panics
/// If `end >= ranks.len()`.
pub fn global_from_ranks(k: K, ranks: &[Rank], end: usize, m: usize) -> Vec<bool> {
    let len = ranks.len();
    assert!(end < len, "end {end} outside an input of {len} positions");
    let mut bits = Bits::default();
    bits.reset(len);
    let (mut top, mut expanded) = (Vec::new(), Vec::new());
    global_into(
        &Geometry::new(k),
        Layout { end, maskable: end },
        m,
        |i| pack(ranks[i], i),
        &mut bits,
        &mut top,
        &mut expanded,
    );
    (0..len).map(|i| bits.contains(i)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mask::oracle;
    use proptest::prelude::*;

    #[test]
    fn golden_two_best_ranks_anywhere() {
        // end 100, k=6, m=2: rank 1 at 90 and rank 2 at 3 (rank 2 also at 50: later, loses).
        // 90 -> 85..=95, 3 -> -2..=8 clipped to 1..=8.
        let mut ranks = alloc::vec![500 as Rank; 102];
        ranks[90] = 1;
        ranks[3] = 2;
        ranks[50] = 2;
        let m = global_from_ranks(K::SIX, &ranks, 100, 2);
        let set: Vec<usize> = (0..102).filter(|&i| m[i]).collect();
        let expect: Vec<usize> = (1..=8).chain(85..=95).collect();
        assert_eq!(set, expect);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]
        #[test]
        fn global_matches_sorting_oracle(
            k in 3usize..=6,
            end in 1usize..300,
            ranks in proptest::collection::vec(1u16..60, 302),
            m in prop_oneof![0usize..12, 0usize..400],
        ) {
            let ranks = &ranks[..end + 2];
            let got = global_from_ranks(K::new(k).unwrap(), ranks, end, m);
            let all = alloc::vec![true; ranks.len()];
            prop_assert_eq!(got, oracle::global(k, ranks, &all, end, m).0);
        }
    }
}
