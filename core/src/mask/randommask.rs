//! RandomMask (arXiv 2310.07644; docs/algorithms.md §3.4): DNABERT's random-span centres, each
//! span widened by a random number of tokens on each side, up to a bound that grows with
//! training progress. At the start (bound 0) it is random span itself.

use super::bits::Bits;
use super::span::Geometry;
use super::work::Work;
use crate::rng::SeededRng;
use crate::tokenize::kmer::K;
use alloc::vec::Vec;

/// The widest widening, in tokens on each side of a nucleotide span: cmgems' choice (the
/// paper leaves it open, docs/algorithms.md §3.4). With k = 6 the span grows from 6 tokens
/// (one nucleotide hidden) to 12 (seven nucleotides hidden), twice DNABERT's.
pub const RANDOMMASK_MAX_WIDENING: usize = 3;

/// The widening bound at `step` of a run of `max_steps`: the run is cut into
/// [`RANDOMMASK_MAX_WIDENING`] + 1 equal stages and stage s allows a widening of up to s
/// tokens, so w = min(MAX, floor(step · (MAX + 1) / max_steps)). 0 when `max_steps` is 0.
pub fn randommask_widening(step: u64, max_steps: u64) -> usize {
    if max_steps == 0 {
        return 0;
    }
    let stages = RANDOMMASK_MAX_WIDENING as u128 + 1;
    let stage = step as u128 * stages / max_steps as u128;
    stage.min(RANDOMMASK_MAX_WIDENING as u128) as usize
}

/// Draws each centre's widening, uniform in 0..=`bound`: one draw per centre, none at all
/// when `bound` is 0 (so that stage gives random span's masks and random stream).
pub(crate) fn draw_widenings(
    bound: usize,
    centres: usize,
    rng: &mut SeededRng,
    out: &mut Vec<usize>,
) {
    out.clear();
    if bound == 0 {
        out.resize(centres, 0);
    } else {
        out.extend((0..centres).map(|_| rng.below(bound as u64 + 1) as usize));
    }
}

/// Sets every centre's nucleotide span widened by its own count, clipped to [1, end].
#[inline]
pub(crate) fn randommask_into(
    g: &Geometry,
    end: usize,
    centres: &[usize],
    widenings: &[usize],
    bits: &mut Bits,
) {
    for (&c, &w) in centres.iter().zip(widenings) {
        let (lo, hi) = g.nucleotide_span(c, end);
        bits.set_range(lo.saturating_sub(w).max(1), (hi + w).min(end));
    }
}

/// The RandomMask mask of an input of `len` positions given its centres and their
/// widenings: the union of c - before - w ..= c + after + w clipped to [1, end].
///
/// # Panics
/// If `end >= len`, a centre lies outside [1, end] or the two slices differ in length.
pub fn randommask_from_centres(
    k: K,
    len: usize,
    end: usize,
    centres: &[usize],
    widenings: &[usize],
) -> Vec<bool> {
    assert!(end < len, "end {end} outside an input of {len} positions");
    assert_eq!(centres.len(), widenings.len(), "one widening per centre");
    assert!(
        centres.iter().all(|&c| (1..=end).contains(&c)),
        "centre outside [1, {end}]"
    );
    let mut work = Work::default();
    work.reset(len);
    randommask_into(&Geometry::new(k), end, centres, widenings, &mut work.chosen);
    work.flags(len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mask::oracle;
    use proptest::prelude::*;

    #[test]
    fn widening_bound_grows_in_equal_stages_and_stops_at_the_maximum() {
        // 10000 steps, 4 stages of 2500: bounds 0, 1, 2, 3.
        for (step, w) in [
            (0, 0),
            (2499, 0),
            (2500, 1),
            (4999, 1),
            (5000, 2),
            (7500, 3),
            (9999, 3),
            (50_000, 3),
        ] {
            assert_eq!(randommask_widening(step, 10_000), w, "step {step}");
        }
        assert_eq!(randommask_widening(5, 0), 0);
        assert_eq!(randommask_widening(u64::MAX, u64::MAX), 3);
    }

    #[test]
    fn golden_widened_spans_clip_to_one_and_end() {
        // k=6, end 20: centre 2 widened by 2 -> 0-2..5+2 = -2..7 -> 1..7;
        // centre 15 widened by 3 -> 13-3..18+3 -> 10..20 (clipped at end).
        let m = randommask_from_centres(K::SIX, 22, 20, &[2, 15], &[2, 3]);
        let set: Vec<usize> = (0..22).filter(|&i| m[i]).collect();
        assert_eq!(
            set,
            [1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]
        );
    }

    #[test]
    fn bound_zero_draws_nothing() {
        let mut rng = SeededRng::new(5);
        let before = rng.clone();
        let mut out = Vec::new();
        draw_widenings(0, 7, &mut rng, &mut out);
        assert_eq!((out, rng), (alloc::vec![0; 7], before));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn randommask_matches_oracle(
            k in 3usize..=6,
            end in 1usize..300,
            extra in 0usize..4,
            raw in proptest::collection::vec((0usize..1000, 0usize..=RANDOMMASK_MAX_WIDENING), 0..30),
        ) {
            let len = end + 1 + extra;
            let centres: Vec<usize> = raw.iter().map(|r| 1 + r.0 % end).collect();
            let widenings: Vec<usize> = raw.iter().map(|r| r.1).collect();
            let got = randommask_from_centres(K::new(k).unwrap(), len, end, &centres, &widenings);
            let all = alloc::vec![true; len];
            prop_assert_eq!(got, oracle::randommask(k, &all, end, &centres, &widenings));
        }

        #[test]
        fn widening_zero_is_random_span(
            end in 1usize..300,
            raw in proptest::collection::vec(0usize..1000, 0..30),
        ) {
            let centres: Vec<usize> = raw.iter().map(|r| 1 + r % end).collect();
            let zeros = alloc::vec![0; centres.len()];
            prop_assert_eq!(
                randommask_from_centres(K::SIX, end + 1, end, &centres, &zeros),
                crate::mask::random_span_from_centres(K::SIX, end + 1, end, &centres)
            );
        }
    }
}
