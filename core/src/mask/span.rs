//! The geometry shared by all maskers: which tokens hide one nucleotide, which hide a
//! whole k-mer, and the clipping of a span to the maskable range [1, end].
//!
//! Token i covers nucleotides i..i+k-1, so a nucleotide lies in k consecutive tokens and a
//! k-mer's k nucleotides lie in 2k-1 consecutive tokens. Leaving any of them visible lets
//! the model read the hidden nucleotide off a neighbour, which is why spans exist at all.

use crate::tokenize::kmer::K;

/// Offsets of the k tokens that share one nucleotide, relative to a centre c:
/// c - before ..= c + after with before = floor((k-1)/2), after = ceil((k-1)/2).
///
/// For k = 6 that is c-2 ..= c+3 (docs/algorithms.md §3). For other k it is DNABERT's own `MASK_LIST`
/// (k=3: -1..+1, k=4: -1..+2, k=5: -2..+2): the centre sits at the same relative place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Geometry {
    /// Tokens hidden before a centre.
    pub before: usize,
    /// Tokens hidden after a centre.
    pub after: usize,
    /// A whole k-mer at token b hides b - reach ..= b + reach, reach = k - 1.
    pub reach: usize,
}

impl Geometry {
    /// The spans of one k.
    pub fn new(k: K) -> Geometry {
        let k = k.get();
        Geometry {
            before: (k - 1) / 2,
            after: k / 2,
            reach: k - 1,
        }
    }

    /// The nucleotide span of centre c, clipped to [1, end]. Needs 1 <= c <= end.
    #[inline]
    pub fn nucleotide_span(&self, c: usize, end: usize) -> (usize, usize) {
        clip(c, self.before, self.after, end)
    }

    /// The whole-k-mer span of token b, clipped to [1, end]. Needs 1 <= b <= end.
    #[inline]
    pub fn kmer_span(&self, b: usize, end: usize) -> (usize, usize) {
        clip(b, self.reach, self.reach, end)
    }
}

/// c - before ..= c + after, clipped to [1, end] (inclusive bounds).
#[inline]
fn clip(c: usize, before: usize, after: usize, end: usize) -> (usize, usize) {
    debug_assert!(1 <= c && c <= end);
    (c.saturating_sub(before).max(1), (c + after).min(end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nucleotide_span_is_dnabert_mask_list_for_every_k() {
        // DNABERT run_pretrain.py MASK_LIST: 3: [-1, 1], 4: [-1, 1, 2], 5: [-2, -1, 1, 2],
        // 6: [-2, -1, 1, 2, 3] (offsets besides 0).
        let expect = [(3, 1, 1), (4, 1, 2), (5, 2, 2), (6, 2, 3)];
        for (k, before, after) in expect {
            let g = Geometry::new(K::new(k).unwrap());
            assert_eq!((g.before, g.after, g.reach), (before, after, k - 1));
            assert_eq!(g.before + g.after + 1, k, "k tokens share one nucleotide");
        }
    }

    #[test]
    fn spans_clip_to_one_and_end() {
        let g = Geometry::new(K::SIX);
        assert_eq!(g.nucleotide_span(1, 510), (1, 4));
        assert_eq!(g.nucleotide_span(100, 510), (98, 103));
        assert_eq!(g.nucleotide_span(509, 510), (507, 510));
        assert_eq!(g.kmer_span(3, 510), (1, 8));
        assert_eq!(g.kmer_span(100, 510), (95, 105)); // 11 tokens
        assert_eq!(g.kmer_span(1, 1), (1, 1));
    }
}
