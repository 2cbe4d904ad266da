//! What a masker may be told: k, the centre probabilities and the two "as coded" options.

use super::strategy::Strategy;
use crate::error::{CoreError, Result};
use crate::npmi::rank::RankLookup;
use crate::tokenize::kmer::K;
use serde::{Deserialize, Serialize};

/// How GLOBAL decides how many whole k-mers (m) to hide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GlobalCount {
    /// m = number of successful centre draws with `global_p` (the papers' m ≈ 7 for 510
    /// tokens); the centres themselves are discarded.
    #[default]
    Binomial,
    /// A fixed m for every sequence (clamped to the number of maskable positions).
    Fixed(usize),
}

/// Where the 10% "random token" replacements come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RandomIds {
    /// Uniform over the 4^k k-mer ids (as described).
    #[default]
    Kmers,
    /// Uniform over every id of the vocabulary, specials included (as the authors coded it).
    AllIds,
}

impl core::str::FromStr for RandomIds {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "kmers" => Ok(RandomIds::Kmers),
            "all-ids" | "all_ids" | "all" => Ok(RandomIds::AllIds),
            _ => Err(CoreError::invalid(
                "random_ids",
                alloc::format!("{s:?} is not `kmers` or `all-ids`"),
            )),
        }
    }
}

/// Everything a [`crate::mask::Masker`] needs besides the rank table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MaskConfig {
    /// The k of the tokens; the rank table must have the same k.
    pub k: K,
    /// Centre probability of random span (15% / 6 tokens per centre, DNABERT) and of RandomMask.
    pub random_span_p: f64,
    /// Centre probability of GeneMask. docs/algorithms.md §3 says 0.0176; the CM-GEMS paper prints
    /// 1.765% = 15% / 8.5, 8.5 being the mean span when half the centres grow to 11 tokens.
    pub genemask_p: f64,
    /// Centre probability whose success count is GLOBAL's m: 15% / 11 tokens per k-mer.
    pub global_p: f64,
    /// GLOBAL's m: binomial (default) or fixed.
    pub global_count: GlobalCount,
    /// Rank of the k-mer at a position (default) or the authors' position lookup.
    pub rank_lookup: RankLookup,
    /// Pool of the random replacement ids.
    pub random_ids: RandomIds,
}

impl MaskConfig {
    /// DNABERT's random span centre probability.
    pub const DEFAULT_RANDOM_SPAN_P: f64 = 0.025;
    /// GeneMask's centre probability (docs/algorithms.md §3).
    pub const DEFAULT_GENEMASK_P: f64 = 0.0176;
    /// GLOBAL's centre probability (docs/algorithms.md §3).
    pub const DEFAULT_GLOBAL_P: f64 = 0.0136;

    /// The defaults (docs/algorithms.md §3) for another k.
    pub fn for_k(k: K) -> MaskConfig {
        MaskConfig {
            k,
            ..MaskConfig::default()
        }
    }

    /// The centre probability a strategy draws with.
    pub fn p(&self, strategy: Strategy) -> f64 {
        match strategy {
            Strategy::RandomSpan | Strategy::RandomMask => self.random_span_p,
            Strategy::GeneMask => self.genemask_p,
            Strategy::Global => self.global_p,
        }
    }

    /// Every probability must be a number in [0, 1].
    pub fn validate(&self) -> Result<()> {
        for (name, p) in [
            ("random_span_p", self.random_span_p),
            ("genemask_p", self.genemask_p),
            ("global_p", self.global_p),
        ] {
            if !(0.0..=1.0).contains(&p) {
                return Err(CoreError::invalid(
                    name,
                    alloc::format!("{p} is not a probability in [0, 1]"),
                ));
            }
        }
        Ok(())
    }
}

impl Default for MaskConfig {
    fn default() -> Self {
        MaskConfig {
            k: K::SIX,
            random_span_p: Self::DEFAULT_RANDOM_SPAN_P,
            genemask_p: Self::DEFAULT_GENEMASK_P,
            global_p: Self::DEFAULT_GLOBAL_P,
            global_count: GlobalCount::Binomial,
            rank_lookup: RankLookup::Kmer,
            random_ids: RandomIds::Kmers,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validate_rejects_probabilities_outside_unit_interval_and_nan() {
        assert!(MaskConfig::default().validate().is_ok());
        for bad in [-0.1, 1.5, f64::NAN, f64::INFINITY] {
            let c = MaskConfig {
                genemask_p: bad,
                ..MaskConfig::default()
            };
            assert!(c.validate().is_err(), "{bad} accepted");
        }
        let edge = MaskConfig {
            random_span_p: 0.0,
            global_p: 1.0,
            ..MaskConfig::default()
        };
        assert!(edge.validate().is_ok());
    }

    #[test]
    fn config_serde_fills_missing_fields_with_defaults() {
        let c: MaskConfig = serde_json::from_str(
            r#"{"k": 4, "global_count": {"fixed": 7}, "random_ids": "all-ids"}"#,
        )
        .unwrap();
        assert_eq!(c.k.get(), 4);
        assert_eq!(c.global_count, GlobalCount::Fixed(7));
        assert_eq!(c.random_ids, RandomIds::AllIds);
        assert_eq!(c.random_span_p, 0.025);
        let back: MaskConfig = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
        assert_eq!(back, c);
        let d: MaskConfig = serde_json::from_str(r#"{"global_count": "binomial"}"#).unwrap();
        assert_eq!(d, MaskConfig::default());
    }
}
