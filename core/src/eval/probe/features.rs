//! A checked, row-major feature matrix and its standardisation (docs/algorithms.md §9 step 2).

use crate::error::{CoreError, Result};
use alloc::format;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

/// A borrowed row-major n x d matrix of finite features (one row per sequence).
#[derive(Debug, Clone, Copy)]
pub struct Features<'a> {
    values: &'a [f64],
    n_features: usize,
}

impl<'a> Features<'a> {
    /// Checks the shape (at least one row and one column, a whole number of rows) and that
    /// every value is finite: a NaN embedding would otherwise poison the fit silently.
    pub fn new(values: &'a [f64], n_features: usize) -> Result<Features<'a>> {
        if n_features == 0 {
            return Err(CoreError::invalid("n_features", "must be at least 1"));
        }
        if values.is_empty() {
            return Err(CoreError::Empty("no feature rows".into()));
        }
        if !values.len().is_multiple_of(n_features) {
            return Err(CoreError::Mismatch(format!(
                "{} feature values are not a whole number of rows of {n_features}",
                values.len()
            )));
        }
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            return Err(CoreError::invalid(
                "features",
                format!(
                    "row {}, column {} is {}, not a finite number",
                    i / n_features,
                    i % n_features,
                    values[i]
                ),
            ));
        }
        Ok(Features { values, n_features })
    }

    /// Columns per row (d).
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Rows (n).
    pub fn n_rows(&self) -> usize {
        self.values.len() / self.n_features
    }

    /// The rows, in order.
    pub fn rows(&self) -> core::slice::ChunksExact<'a, f64> {
        self.values.chunks_exact(self.n_features)
    }

    /// The values, row-major.
    pub fn values(&self) -> &'a [f64] {
        self.values
    }

    /// Checks there is one label per row.
    pub(crate) fn check_labels(&self, labels: &[usize]) -> Result<()> {
        if labels.len() == self.n_rows() {
            Ok(())
        } else {
            Err(CoreError::Mismatch(format!(
                "{} feature rows but {} labels",
                self.n_rows(),
                labels.len()
            )))
        }
    }
}

/// Per-feature mean and scale of the train split, as scikit-learn's `StandardScaler`:
/// population standard deviation (divisor n), and scale 1 for a feature that is constant up
/// to rounding, so it maps to x − mean instead of a NaN or a huge value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Standardizer {
    mean: Vec<f64>,
    scale: Vec<f64>,
    constant: Vec<bool>,
}

impl Standardizer {
    /// Fits on the train rows. Variance is the corrected two-pass sum sklearn uses
    /// (Chan, Golub & LeVeque): Σ(x − m)² − (Σ(x − m))² / n, divided by n.
    pub fn fit(x: &Features) -> Standardizer {
        let (d, n) = (x.n_features(), x.n_rows() as f64);
        let mut mean = alloc::vec![0.0; d];
        for row in x.rows() {
            mean.iter_mut().zip(row).for_each(|(m, v)| *m += v);
        }
        mean.iter_mut().for_each(|m| *m /= n);
        let (mut sq, mut lin) = (alloc::vec![0.0; d], alloc::vec![0.0; d]);
        for row in x.rows() {
            for j in 0..d {
                let r = row[j] - mean[j];
                sq[j] += r * r;
                lin[j] += r;
            }
        }
        let mut scale = Vec::with_capacity(d);
        let mut constant = Vec::with_capacity(d);
        for j in 0..d {
            let var = ((sq[j] - lin[j] * lin[j] / n) / n).max(0.0);
            // sklearn's `_is_constant_feature`: the variance is within the error bound of
            // the two-pass algorithm.
            let eps = f64::EPSILON;
            let bound = n * eps * var + (n * mean[j] * eps) * (n * mean[j] * eps);
            let is_constant = var <= bound;
            constant.push(is_constant);
            scale.push(if is_constant { 1.0 } else { libm::sqrt(var) });
        }
        Standardizer {
            mean,
            scale,
            constant,
        }
    }

    /// (x − mean) / scale for every row, row-major.
    pub fn transform(&self, x: &Features) -> Result<Vec<f64>> {
        if x.n_features() != self.mean.len() {
            return Err(CoreError::Mismatch(format!(
                "rows have {} features, the standardiser was fitted on {}",
                x.n_features(),
                self.mean.len()
            )));
        }
        let mut out = Vec::with_capacity(x.values().len());
        for row in x.rows() {
            for ((v, m), s) in row.iter().zip(&self.mean).zip(&self.scale) {
                out.push((v - m) / s);
            }
        }
        Ok(out)
    }

    /// The train mean per feature.
    pub fn mean(&self) -> &[f64] {
        &self.mean
    }

    /// The divisor per feature: the population standard deviation, or 1 where constant.
    pub fn scale(&self) -> &[f64] {
        &self.scale
    }

    /// How many features were constant on the train split (they carry no information).
    pub fn constant_features(&self) -> usize {
        self.constant.iter().filter(|&&c| c).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standardises_with_population_std_and_keeps_constant_features_finite() {
        // Column 0: 1, 2, 3 -> mean 2, population std sqrt(2/3). Column 1: constant 5.
        let x = [1.0, 5.0, 2.0, 5.0, 3.0, 5.0];
        let f = Features::new(&x, 2).unwrap();
        let s = Standardizer::fit(&f);
        assert_eq!(s.mean(), &[2.0, 5.0]);
        assert!((s.scale()[0] - libm::sqrt(2.0 / 3.0)).abs() < 1e-15);
        assert_eq!(s.scale()[1], 1.0);
        assert_eq!(s.constant_features(), 1);
        let t = s.transform(&f).unwrap();
        assert!((t[0] + libm::sqrt(1.5)).abs() < 1e-15 && t[2] == 0.0);
        assert_eq!(t[1], 0.0);
        // A test row off the constant value maps to x - mean, not to a NaN or infinity.
        let test = [2.0, 7.5];
        assert_eq!(
            s.transform(&Features::new(&test, 2).unwrap()).unwrap(),
            [0.0, 2.5]
        );
        // 0.1 repeated is constant although its computed variance is a rounding error.
        let tenths = [0.1; 7];
        assert_eq!(
            Standardizer::fit(&Features::new(&tenths, 1).unwrap()).scale(),
            &[1.0]
        );
    }

    #[test]
    fn bad_matrices_are_errors() {
        assert!(matches!(
            Features::new(&[1.0, 2.0, 3.0], 2),
            Err(CoreError::Mismatch(_))
        ));
        assert!(matches!(Features::new(&[], 2), Err(CoreError::Empty(_))));
        assert!(Features::new(&[1.0], 0).is_err());
        let err = Features::new(&[1.0, 2.0, f64::NAN, 4.0], 2).unwrap_err();
        assert!(alloc::format!("{err}").contains("row 1, column 0"), "{err}");
        assert!(Features::new(&[f64::INFINITY], 1).is_err());
        let s = Standardizer::fit(&Features::new(&[1.0, 2.0], 2).unwrap());
        assert!(s
            .transform(&Features::new(&[1.0, 2.0, 3.0], 3).unwrap())
            .is_err());
    }
}
