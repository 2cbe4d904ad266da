//! GLOBAL (CM-GEMS paper, Algorithm 1): hide whole the m k-mers of lowest NPMI rank in the
//! whole sequence, wherever they are.

use super::layout::Layout;
use super::order::{pack, position, HOLE};
use super::span::Geometry;
use super::work::Work;
use crate::npmi::rank::Rank;
use crate::tokenize::kmer::K;
use alloc::vec::Vec;

/// Positions per group of the two-pass top-m search.
const ROWS: usize = 8;
/// Threshold histogram: buckets over the k-mer ranks, plus one for everything above.
const BUCKETS: usize = 256;
/// At most this many candidates are reduced to m by counting instead of selecting.
const COUNTING_MAX: usize = 16;

/// GLOBAL given m, into `work`.
///
/// Finds the m lowest (rank, position) among positions 1..=end without sorting the
/// sequence (see [`lowest_keys`]); `rank(i, items[i])` as for GeneMask; k (from `g`)
/// sizes the threshold histogram. `work.expanded` receives the chosen positions, increasing.
#[inline]
pub(crate) fn global_into<T: Copy>(
    g: &Geometry,
    layout: Layout,
    m: usize,
    items: &[T],
    rank: impl Fn(usize, T) -> u32,
    work: &mut Work,
) {
    let Layout { end, maskable } = layout;
    work.keys.clear();
    work.expanded.clear();
    let m = m.min(maskable);
    if m == 0 {
        return;
    }
    // Ranks of k-mers are 1..=4^k = 2^(2k) (k = reach + 1): 256 buckets of 2^(2k-8) ranks.
    let shift = (2 * (g.reach as u32 + 1)).saturating_sub(8);
    lowest_keys(end, m, shift, items, rank, work);
    work.expanded.extend(work.keys.iter().map(|&k| position(k)));
    work.expanded.sort_unstable();
    for &b in work.expanded.iter() {
        let (lo, hi) = g.kmer_span(b, end);
        work.chosen.set_range(lo, hi);
    }
}

/// The m lowest (rank, position) keys of positions 1..=end into `work.keys`; needs
/// 1 <= m <= maskable positions.
///
/// Random ranks make every data-dependent branch a coin flip, and mispredictions, not
/// loads, dominated a straightforward scan; so the work is laid out to branch on almost
/// nothing but loop counters:
/// 1. the ranks go into a buffer of `ROWS` rows; group g is column g (positions g+1,
///    g+1+G, ...), so the group minima are an element-wise minimum of rows (vectorised);
/// 2. a histogram of the group minima gives a threshold T with at least m minima <= T,
///    hence at least m positions of rank <= T: every answer has rank <= T and lies in a
///    group whose minimum is <= T (about m groups with random ranks);
/// 3. those groups' positions of rank <= T are the candidates (a few more than m),
///    collected branch-free, and reduced to the m lowest keys by counting.
///
/// Ties and skewed ranks (a poly-A run, [UNK]s) only make T looser and the candidates
/// more; the answer stays exact, and past `COUNTING_MAX` candidates a selection takes over.
#[inline]
fn lowest_keys<T: Copy>(
    end: usize,
    m: usize,
    shift: u32,
    items: &[T],
    rank: impl Fn(usize, T) -> u32,
    work: &mut Work,
) {
    let groups = end.div_ceil(ROWS);
    let ranks = &mut work.ranks;
    ranks.clear();
    let body = items[1..=end].iter().enumerate();
    ranks.extend(body.map(|(j, &t)| rank(1 + j, t)));
    ranks.resize(ROWS * groups, HOLE);

    let mins = &mut work.mins;
    mins.clear();
    mins.extend_from_slice(&ranks[..groups]);
    for row in ranks[groups..].chunks_exact(groups) {
        for (lowest, &r) in mins.iter_mut().zip(row) {
            *lowest = (*lowest).min(r);
        }
    }

    let threshold = threshold_of(mins, m, shift);

    // Candidate groups, then candidate keys, written unconditionally and kept by
    // advancing the write index.
    let chosen_groups = &mut work.groups;
    chosen_groups.clear();
    chosen_groups.resize(groups, 0);
    let mut n_groups = 0;
    for (g, &lowest) in mins.iter().enumerate() {
        chosen_groups[n_groups] = g as u32;
        n_groups += usize::from(lowest <= threshold);
    }
    let keys = &mut work.keys;
    keys.clear();
    keys.resize(n_groups * ROWS, 0);
    let mut n = 0;
    for &g in &chosen_groups[..n_groups] {
        for row in 0..ROWS {
            let at = row * groups + g as usize;
            let r = ranks[at];
            keys[n] = pack(r, 1 + at);
            n += usize::from(r <= threshold);
        }
    }
    keys.truncate(n);
    debug_assert!(n >= m);
    keep_lowest(keys, m);
}

/// Step 2 of [`lowest_keys`]: from a histogram of the group minima, the threshold T with
/// at least m minima <= T.
#[inline]
fn threshold_of(mins: &[u32], m: usize, shift: u32) -> u32 {
    let mut histogram = [0u32; BUCKETS + 1];
    for &r in mins.iter() {
        histogram[((r >> shift) as usize).min(BUCKETS)] += 1;
    }
    let mut seen = 0;
    let mut bucket = 0;
    while bucket < BUCKETS {
        seen += histogram[bucket] as usize;
        if seen >= m {
            break;
        }
        bucket += 1;
    }
    // The overflow bucket holds the ranks above 4^k (specials, [UNK]) and holes: below
    // HOLE, every rank qualifies.
    if bucket < BUCKETS {
        ((bucket as u32 + 1) << shift) - 1
    } else {
        HOLE - 1
    }
}

/// The end of step 3 of [`lowest_keys`]: the candidate keys (distinct, at least m)
/// reduced to the m lowest, in no particular order.
#[inline]
fn keep_lowest(keys: &mut Vec<u64>, m: usize) {
    let n = keys.len();
    if n > m {
        if n <= COUNTING_MAX {
            // Keys are distinct, so exactly m of them have fewer than m keys below.
            let mut lowest = [0u64; COUNTING_MAX];
            let mut kept = 0;
            for &k in keys.iter() {
                let below: usize = keys.iter().map(|&o| usize::from(o < k)).sum();
                lowest[kept] = k;
                kept += usize::from(below < m);
            }
            keys.clear();
            keys.extend_from_slice(&lowest[..m]);
        } else {
            keys.select_nth_unstable(m - 1);
            keys.truncate(m);
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
    let mut work = Work::default();
    work.reset(len);
    let layout = Layout { end, maskable: end };
    global_into(
        &Geometry::new(k),
        layout,
        m,
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

        /// Heavy ties and ranks in the histogram's overflow bucket (4^k itself, the
        /// [UNK]/special rank u16::MAX) must not change the answer.
        #[test]
        fn global_matches_oracle_with_ties_and_out_of_range_ranks(
            end in 1usize..600,
            ranks in proptest::collection::vec(
                prop_oneof![1u16..4, Just(4096u16), Just(Rank::MAX), 1u16..4097],
                602,
            ),
            m in prop_oneof![1usize..20, 0usize..700],
        ) {
            let ranks = &ranks[..end + 2];
            let got = global_from_ranks(K::SIX, ranks, end, m);
            let all = alloc::vec![true; ranks.len()];
            prop_assert_eq!(got, oracle::global(6, ranks, &all, end, m).0);
        }
    }
}
