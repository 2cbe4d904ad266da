//! The four maskers as a value, so configs, CLIs and curricula name them the same way.

use crate::error::{CoreError, Result};
use core::fmt;
use serde::{Deserialize, Serialize};

/// Which masker chooses the positions of a sequence (docs/algorithms.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Strategy {
    /// DNABERT's random span: every centre hides one nucleotide (k tokens).
    #[serde(rename = "random")]
    RandomSpan,
    /// GeneMask: random centres, then whole k-mers at the locally best NPMI rank.
    #[serde(rename = "genemask")]
    GeneMask,
    /// GLOBAL: whole k-mers at the m best NPMI ranks of the sequence.
    #[serde(rename = "global")]
    Global,
    /// RandomMask: random-span centres whose span is widened by a random number of tokens on
    /// each side, up to a bound that grows with training progress ([`crate::mask::Masker::set_widening`]).
    #[serde(rename = "randommask")]
    RandomMask,
}

impl Strategy {
    /// Every strategy, in the order the papers introduce them.
    pub const ALL: [Strategy; 4] = [
        Strategy::RandomSpan,
        Strategy::GeneMask,
        Strategy::Global,
        Strategy::RandomMask,
    ];

    /// The name used in configs, CLIs and serde.
    pub const fn name(self) -> &'static str {
        match self {
            Strategy::RandomSpan => "random",
            Strategy::GeneMask => "genemask",
            Strategy::Global => "global",
            Strategy::RandomMask => "randommask",
        }
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl core::str::FromStr for Strategy {
    type Err = CoreError;
    /// Accepts the canonical names (any case) and the spelled-out `random-span` / `random_span`.
    fn from_str(s: &str) -> Result<Self> {
        let is = |name: &str| s.eq_ignore_ascii_case(name);
        if is("random") || is("random-span") || is("random_span") {
            Ok(Strategy::RandomSpan)
        } else if is("genemask") || is("gene-mask") {
            Ok(Strategy::GeneMask)
        } else if is("global") {
            Ok(Strategy::Global)
        } else if is("randommask") || is("random-mask") || is("random_mask") {
            Ok(Strategy::RandomMask)
        } else {
            Err(CoreError::invalid(
                "strategy",
                alloc::format!("{s:?} is not `random`, `genemask`, `global` or `randommask`"),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_display_fromstr_and_serde() {
        for s in Strategy::ALL {
            assert_eq!(alloc::format!("{s}").parse::<Strategy>().unwrap(), s);
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, alloc::format!("\"{}\"", s.name()));
            assert_eq!(serde_json::from_str::<Strategy>(&json).unwrap(), s);
        }
        assert_eq!(
            "Random-Span".parse::<Strategy>().unwrap(),
            Strategy::RandomSpan
        );
        assert_eq!(
            "Random-Mask".parse::<Strategy>().unwrap(),
            Strategy::RandomMask
        );
        assert!("pmi".parse::<Strategy>().is_err());
    }
}
