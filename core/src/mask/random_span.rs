//! DNABERT's random span: every centre hides the k tokens that share one nucleotide.

use super::bits::Bits;
use super::span::Geometry;
use super::work::Work;
use crate::tokenize::kmer::K;
use alloc::vec::Vec;

/// Sets the clipped nucleotide span of every centre.
#[inline]
pub(crate) fn random_span_into(g: &Geometry, end: usize, centres: &[usize], bits: &mut Bits) {
    for &c in centres {
        let (lo, hi) = g.nucleotide_span(c, end);
        bits.set_range(lo, hi);
    }
}

/// The random span mask of an input of `len` positions given its centres: the union of
/// c - before ..= c + after (see [`Geometry`]) clipped to [1, end].
///
/// # Panics
/// If `end >= len` or a centre lies outside [1, end].
pub fn random_span_from_centres(k: K, len: usize, end: usize, centres: &[usize]) -> Vec<bool> {
    assert!(end < len, "end {end} outside an input of {len} positions");
    assert!(
        centres.iter().all(|&c| (1..=end).contains(&c)),
        "centre outside [1, {end}]"
    );
    let mut work = Work::default();
    work.reset(len);
    random_span_into(&Geometry::new(k), end, centres, &mut work.chosen);
    work.flags(len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mask::oracle;
    use proptest::prelude::*;

    #[test]
    fn golden_two_centres_at_the_edges() {
        // k=6, end 10: centre 1 -> -1..4 clipped to 1..4; centre 9 -> 7..12 clipped to 7..10.
        let m = random_span_from_centres(K::SIX, 12, 10, &[1, 9]);
        let set: Vec<usize> = (0..12).filter(|&i| m[i]).collect();
        assert_eq!(set, [1, 2, 3, 4, 7, 8, 9, 10]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn random_span_matches_oracle(
            k in 3usize..=6,
            end in 1usize..300,
            extra in 0usize..4,
            raw in proptest::collection::vec(0usize..1000, 0..30),
        ) {
            let len = end + 1 + extra;
            let centres: Vec<usize> = raw.iter().map(|r| 1 + r % end).collect();
            let got = random_span_from_centres(K::new(k).unwrap(), len, end, &centres);
            let all = alloc::vec![true; len];
            prop_assert_eq!(got, oracle::random_span(k, &all, end, &centres));
        }
    }
}
