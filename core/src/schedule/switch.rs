//! CM-GEMS's switch rule (docs/algorithms.md §4): when is a drop in held-out perplexity
//! "flat"?
//!
//! The paper's rule is absolute, |ppl_i - ppl_{i-1}| < 1.0. It was tuned for perplexities
//! near the end of a 10K-step run; a short run whose perplexity sits in the thousands never
//! drops by less than 1 between evaluations, so it never switches. The relative form,
//! |ppl_i - ppl_{i-1}| < r · ppl_i, asks the same question at every scale. One type serves
//! the trainer, the browser replay and the Python callback, so they cannot disagree.

use crate::error::{CoreError, Result};
use alloc::string::{String, ToString};
use core::fmt;
use core::str::FromStr;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The threshold below which a perplexity drop counts as flat.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SwitchThreshold {
    /// The paper's rule: a drop below this many perplexity points.
    Absolute(f64),
    /// cmgems' scale-free rule: a drop below this share of the current perplexity
    /// (0.005 is written "0.5%").
    Relative(f64),
}

impl SwitchThreshold {
    /// The paper's threshold, 1.0 perplexity point.
    pub const PAPER: SwitchThreshold = SwitchThreshold::Absolute(1.0);

    /// Whether going from `previous` to `current` perplexity is flat under this rule.
    pub fn is_flat(self, previous: f64, current: f64) -> bool {
        let drop = (current - previous).abs();
        match self {
            SwitchThreshold::Absolute(t) => drop < t,
            SwitchThreshold::Relative(r) => drop < r * current,
        }
    }

    /// A threshold must be a finite number >= 0.
    pub fn validate(self) -> Result<()> {
        let v = match self {
            SwitchThreshold::Absolute(v) | SwitchThreshold::Relative(v) => v,
        };
        if v.is_finite() && v >= 0.0 {
            Ok(())
        } else {
            Err(CoreError::invalid(
                "threshold",
                alloc::format!("{self} is not a finite number >= 0"),
            ))
        }
    }
}

impl Default for SwitchThreshold {
    fn default() -> Self {
        SwitchThreshold::PAPER
    }
}

impl From<f64> for SwitchThreshold {
    fn from(v: f64) -> Self {
        SwitchThreshold::Absolute(v)
    }
}

/// "1.0" is absolute, "0.5%" relative (0.005); the parsed value is validated.
impl FromStr for SwitchThreshold {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self> {
        let s = s.trim();
        let (number, relative) = match s.strip_suffix('%') {
            Some(n) => (n.trim_end(), true),
            None => (s, false),
        };
        let v: f64 = number.parse().map_err(|_| {
            CoreError::invalid(
                "threshold",
                alloc::format!(
                    "{s:?} is not a number of perplexity points (e.g. 1.0) or a percentage of \
                     the current perplexity (e.g. 0.5%)"
                ),
            )
        })?;
        let t = if relative {
            SwitchThreshold::Relative(v / 100.0)
        } else {
            SwitchThreshold::Absolute(v)
        };
        t.validate()?;
        Ok(t)
    }
}

impl fmt::Display for SwitchThreshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            SwitchThreshold::Absolute(v) => write!(f, "{v}"),
            SwitchThreshold::Relative(r) => write!(f, "{}%", r * 100.0),
        }
    }
}

/// Absolute thresholds stay numbers (`threshold = 1.0`, as older configs and checkpoints
/// hold them); relative ones are strings (`threshold = "0.5%"`).
impl Serialize for SwitchThreshold {
    fn serialize<S: Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
        match *self {
            SwitchThreshold::Absolute(v) => s.serialize_f64(v),
            SwitchThreshold::Relative(_) => s.serialize_str(&self.to_string()),
        }
    }
}

impl<'de> Deserialize<'de> for SwitchThreshold {
    fn deserialize<D: Deserializer<'de>>(d: D) -> core::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Form {
            Number(f64),
            Text(String),
        }
        match Form::deserialize(d)? {
            Form::Number(v) => Ok(SwitchThreshold::Absolute(v)),
            Form::Text(t) => t.parse().map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_absolute_and_percent_forms() {
        assert_eq!("1.0".parse(), Ok(SwitchThreshold::Absolute(1.0)));
        assert_eq!(" 0.5% ".parse(), Ok(SwitchThreshold::Relative(0.005)));
        assert_eq!("2 %".parse(), Ok(SwitchThreshold::Relative(0.02)));
        for bad in ["", "%", "abc", "-1", "-0.5%", "NaN", "inf"] {
            assert!(bad.parse::<SwitchThreshold>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn display_parses_back() {
        for t in [
            SwitchThreshold::Absolute(1.5),
            SwitchThreshold::Relative(0.005),
        ] {
            assert_eq!(t.to_string().parse(), Ok(t));
        }
    }

    #[test]
    fn relative_rule_scales_with_the_perplexity() {
        let abs = SwitchThreshold::Absolute(1.0);
        let rel = SwitchThreshold::Relative(0.005);
        // 3000 -> 2990: a drop of 10 points, 0.33% of 2990.
        assert!(!abs.is_flat(3000.0, 2990.0));
        assert!(rel.is_flat(3000.0, 2990.0));
        // 48 -> 47.5: 0.5 points (flat in the paper's sense), but 1.05% of 47.5.
        assert!(abs.is_flat(48.0, 47.5));
        assert!(!rel.is_flat(48.0, 47.5));
        // A rise counts by its size too, as |ppl_i - ppl_{i-1}|.
        assert!(!rel.is_flat(2990.0, 3100.0));
        // Strictly below: a drop of exactly the threshold is not flat.
        assert!(!abs.is_flat(11.0, 10.0));
    }

    #[test]
    fn serde_keeps_numbers_for_absolute_and_strings_for_relative() {
        let abs: SwitchThreshold = serde_json::from_str("1.0").unwrap();
        assert_eq!(abs, SwitchThreshold::Absolute(1.0));
        assert_eq!(serde_json::to_string(&abs).unwrap(), "1.0");
        let rel: SwitchThreshold = serde_json::from_str("\"0.5%\"").unwrap();
        assert_eq!(rel, SwitchThreshold::Relative(0.005));
        assert_eq!(serde_json::to_string(&rel).unwrap(), "\"0.5%\"");
        assert!(serde_json::from_str::<SwitchThreshold>("\"x%\"").is_err());
    }
}
