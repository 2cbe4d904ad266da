//! A reusable bitset over token positions: spans become two word operations and the
//! corruption pass skips unmasked words 64 positions at a time.

use alloc::vec::Vec;

/// Positions 0..len, all clear after [`Bits::reset`]. Grows once, then never reallocates.
#[derive(Debug, Clone, Default)]
pub(crate) struct Bits {
    words: Vec<u64>,
    len: usize,
}

impl Bits {
    /// Clears and resizes to `len` positions.
    #[inline]
    pub fn reset(&mut self, len: usize) {
        self.words.clear();
        self.words.resize(len.div_ceil(64), 0);
        self.len = len;
    }

    /// Sets lo..=hi (needs lo <= hi < len).
    #[inline]
    pub fn set_range(&mut self, lo: usize, hi: usize) {
        debug_assert!(lo <= hi && hi < self.len);
        let (wl, wh) = (lo / 64, hi / 64);
        let low_mask = !0u64 << (lo % 64);
        let high_mask = !0u64 >> (63 - hi % 64);
        if wl == wh {
            self.words[wl] |= low_mask & high_mask;
        } else {
            self.words[wl] |= low_mask;
            for w in &mut self.words[wl + 1..wh] {
                *w = !0;
            }
            self.words[wh] |= high_mask;
        }
    }

    /// Clears position i.
    #[inline]
    pub fn remove(&mut self, i: usize) {
        self.words[i / 64] &= !(1u64 << (i % 64));
    }

    /// Whether position i is set.
    #[inline]
    pub fn contains(&self, i: usize) -> bool {
        self.words[i / 64] >> (i % 64) & 1 == 1
    }

    /// Number of set positions.
    #[cfg(test)]
    pub fn count(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Calls `f` with every set position, increasing.
    #[inline]
    pub fn for_each(&self, mut f: impl FnMut(usize)) {
        for (wi, &word) in self.words.iter().enumerate() {
            let mut w = word;
            while w != 0 {
                f(wi * 64 + w.trailing_zeros() as usize);
                w &= w - 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn bits_match_a_bool_vector(
            len in 1usize..300,
            ranges in proptest::collection::vec((0usize..300, 0usize..20), 0..12),
        ) {
            let mut bits = Bits::default();
            bits.reset(len);
            let mut oracle = alloc::vec![false; len];
            for (lo, width) in ranges {
                let lo = lo % len;
                let hi = (lo + width).min(len - 1);
                bits.set_range(lo, hi);
                oracle[lo..=hi].iter_mut().for_each(|b| *b = true);
            }
            if len > 5 {
                bits.remove(5);
                oracle[5] = false;
            }
            let mut seen = Vec::new();
            bits.for_each(|i| seen.push(i));
            let expect: Vec<usize> = (0..len).filter(|&i| oracle[i]).collect();
            prop_assert_eq!(&seen, &expect);
            prop_assert_eq!(bits.count(), expect.len());
            for (i, &o) in oracle.iter().enumerate() {
                prop_assert_eq!(bits.contains(i), o);
            }
        }
    }

    #[test]
    fn reset_clears_what_a_longer_sequence_left() {
        let mut bits = Bits::default();
        bits.reset(200);
        bits.set_range(0, 199);
        bits.reset(100);
        assert_eq!(bits.count(), 0);
        assert_eq!(bits.len, 100);
    }
}
