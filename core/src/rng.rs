//! The one seeded RNG of cmgems and the few draws the maskers need.
//!
//! Xoshiro256++ (rand family, `rand_xoshiro`): small state that serialises into a
//! checkpoint, fast, no_std. Distributions are written here rather than taken from `rand`
//! because the hot loops need exactly two things, a uniform and a geometric gap, and the
//! geometric gap turns a per-position Bernoulli(p) into one draw per success.

use rand_core::{Rng as _, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};

/// The seed of stream `stream` of `seed`: SplitMix-style mixing of the two into one 64-bit
/// seed. [`SeededRng::derive`] starts from it; callers that hand a seed on rather than a
/// stream use it directly (the Python collator gives each start of a DataLoader worker its
/// own seed this way).
pub fn derive_seed(seed: u64, stream: u64) -> u64 {
    let mut z = seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A seeded, serialisable random stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeededRng(Xoshiro256PlusPlus);

impl SeededRng {
    /// A stream fixed by `seed`.
    pub fn new(seed: u64) -> SeededRng {
        SeededRng(Xoshiro256PlusPlus::seed_from_u64(seed))
    }

    /// An independent stream derived from this seed and a stream number, e.g. one per
    /// sequence or per worker, so parallel work stays deterministic.
    pub fn derive(seed: u64, stream: u64) -> SeededRng {
        SeededRng::new(derive_seed(seed, stream))
    }

    /// 64 random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in [0, 1) with 53 bits.
    #[inline]
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in (0, 1]: safe to take the logarithm of.
    #[inline]
    pub fn unit_open0(&mut self) -> f64 {
        ((self.next_u64() >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in 0..n (n > 0), by Lemire's multiply-shift (bias < n / 2^64).
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// Bernoulli(p).
    #[inline]
    pub fn bernoulli(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

/// Precomputed gaps for a Bernoulli(p) per position: the number of failures before the
/// next success is Geometric(p), so a scan touches only the successes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Geometric {
    p: f64,
    /// 1 / ln(1 - p); negative. Zero when p is 0 or 1 (handled separately).
    inv_ln_q: f64,
}

impl Geometric {
    /// Gaps for success probability p in [0, 1].
    pub fn new(p: f64) -> Geometric {
        let inv_ln_q = if p > 0.0 && p < 1.0 {
            1.0 / libm::log1p(-p)
        } else {
            0.0
        };
        Geometric { p, inv_ln_q }
    }

    /// The success probability.
    pub fn p(&self) -> f64 {
        self.p
    }

    /// Failures before the next success (`usize::MAX` when p = 0).
    #[inline]
    pub fn gap(&self, rng: &mut SeededRng) -> usize {
        if self.p >= 1.0 {
            return 0;
        }
        if self.p <= 0.0 {
            return usize::MAX;
        }
        let g = libm::log(rng.unit_open0()) * self.inv_ln_q;
        if g >= usize::MAX as f64 {
            usize::MAX
        } else {
            g as usize
        }
    }

    /// Calls `f` with each success among `n` positions 0..n, in increasing order.
    #[inline]
    pub fn for_each_success(&self, n: usize, rng: &mut SeededRng, mut f: impl FnMut(usize)) {
        let mut i = self.gap(rng);
        while i < n {
            f(i);
            i = i.saturating_add(1).saturating_add(self.gap(rng));
        }
    }

    /// Number of successes among n positions: a Binomial(n, p) draw.
    pub fn binomial(&self, n: usize, rng: &mut SeededRng) -> usize {
        let mut count = 0;
        self.for_each_success(n, rng, |_| count += 1);
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derive_seed_is_pinned_and_derive_starts_from_it() {
        // Pinned: the streams of saved runs, `train mask` and the Python collator's workers
        // all depend on it (python/tests/test_api.py pins the same value).
        assert_eq!(derive_seed(42, 7), 0x53ad_348a_f3dd_af4b);
        assert_eq!(
            SeededRng::derive(42, 7),
            SeededRng::new(0x53ad_348a_f3dd_af4b)
        );
    }

    #[test]
    fn same_seed_same_stream_and_derived_streams_differ() {
        let mut a = SeededRng::new(7);
        let mut b = SeededRng::new(7);
        assert_eq!(a.next_u64(), b.next_u64());
        let mut c = SeededRng::derive(7, 1);
        let mut d = SeededRng::derive(7, 2);
        assert_ne!(c.next_u64(), d.next_u64());
    }

    #[test]
    fn geometric_successes_have_rate_p() {
        let g = Geometric::new(0.025);
        let mut rng = SeededRng::new(1);
        let n = 2_000_000;
        let hits = g.binomial(n, &mut rng) as f64;
        let rate = hits / n as f64;
        assert!((rate - 0.025).abs() < 0.0005, "rate {rate}");
    }

    #[test]
    fn geometric_edge_probabilities() {
        let mut rng = SeededRng::new(1);
        assert_eq!(Geometric::new(0.0).binomial(100, &mut rng), 0);
        assert_eq!(Geometric::new(1.0).binomial(100, &mut rng), 100);
    }

    #[test]
    fn rng_state_round_trips_through_json() {
        let mut a = SeededRng::new(3);
        a.next_u64();
        let json = serde_json::to_string(&a).unwrap();
        let mut b: SeededRng = serde_json::from_str(&json).unwrap();
        assert_eq!(a.next_u64(), b.next_u64());
    }
}
