//! Metrics of hard labels counted in a confusion matrix: accuracy, MCC, and sklearn's
//! macro precision, recall and F1.

use super::check::{check_labels, check_pair};
use super::mcc::mcc_from_sums;
use crate::error::{CoreError, Result};
use alloc::vec;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

/// Share of predictions equal to the truth.
pub fn accuracy(y_true: &[usize], y_pred: &[usize]) -> Result<f64> {
    check_pair(y_true, y_pred)?;
    let correct = y_true.iter().zip(y_pred).filter(|(t, p)| t == p).count();
    Ok(correct as f64 / y_true.len() as f64)
}

/// Counts of (true class, predicted class) for classes `0..n_classes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfusionMatrix {
    n_classes: usize,
    /// Row-major: `counts[t * n_classes + p]` = samples of class t predicted as p.
    counts: Vec<u64>,
}

impl ConfusionMatrix {
    /// Counts the pairs; every label must be below `n_classes`.
    pub fn new(y_true: &[usize], y_pred: &[usize], n_classes: usize) -> Result<ConfusionMatrix> {
        check_pair(y_true, y_pred)?;
        if n_classes == 0 {
            return Err(CoreError::invalid("n_classes", "must be at least 1"));
        }
        check_labels("y_true", y_true, n_classes)?;
        check_labels("y_pred", y_pred, n_classes)?;
        let mut counts = vec![0u64; n_classes * n_classes];
        for (&t, &p) in y_true.iter().zip(y_pred) {
            counts[t * n_classes + p] += 1;
        }
        Ok(ConfusionMatrix { n_classes, counts })
    }

    /// Number of classes (rows and columns).
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// Samples of class `t` predicted as `p`; panics if either is not below `n_classes`.
    pub fn get(&self, t: usize, p: usize) -> u64 {
        assert!(t < self.n_classes && p < self.n_classes);
        self.counts[t * self.n_classes + p]
    }

    /// Rows as slices, one per true class.
    pub fn rows(&self) -> impl Iterator<Item = &[u64]> {
        self.counts.chunks_exact(self.n_classes)
    }

    /// Number of samples.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Correct predictions (the diagonal).
    pub fn correct(&self) -> u64 {
        (0..self.n_classes).map(|c| self.get(c, c)).sum()
    }

    /// Samples per true class (row sums).
    pub fn true_counts(&self) -> Vec<u64> {
        self.rows().map(|r| r.iter().sum()).collect()
    }

    /// Samples per predicted class (column sums).
    pub fn pred_counts(&self) -> Vec<u64> {
        let mut out = vec![0u64; self.n_classes];
        for row in self.rows() {
            for (o, &c) in out.iter_mut().zip(row) {
                *o += c;
            }
        }
        out
    }

    /// Share of correct predictions.
    pub fn accuracy(&self) -> f64 {
        self.correct() as f64 / self.total() as f64
    }

    /// Matthews correlation, as [`matthews_corrcoef`](super::matthews_corrcoef).
    pub fn mcc(&self) -> f64 {
        let sums = self.true_counts().into_iter().zip(self.pred_counts());
        mcc_from_sums(self.total(), self.correct(), sums)
    }

    /// Macro precision, recall and F1 over all `n_classes` classes, `zero_division=0`.
    pub fn prf_macro(&self) -> PrfMacro {
        let (truth, pred) = (self.true_counts(), self.pred_counts());
        let ratio = |num: u64, den: u64| {
            if den == 0 {
                0.0
            } else {
                num as f64 / den as f64
            }
        };
        let (mut p, mut r, mut f) = (0.0, 0.0, 0.0);
        for c in 0..self.n_classes {
            let tp = self.get(c, c);
            p += ratio(tp, pred[c]);
            r += ratio(tp, truth[c]);
            // sklearn: F1 = 2 tp / (true + predicted), 0 when both are 0.
            f += ratio(2 * tp, truth[c] + pred[c]);
        }
        let n = self.n_classes as f64;
        PrfMacro {
            precision: p / n,
            recall: r / n,
            f1: f / n,
        }
    }
}

/// Macro-averaged precision, recall and F1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PrfMacro {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

/// sklearn's `precision_recall_fscore_support(average="macro", zero_division=0,
/// labels=range(n_classes))`.
pub fn precision_recall_f1_macro(
    y_true: &[usize],
    y_pred: &[usize],
    n_classes: usize,
) -> Result<PrfMacro> {
    Ok(ConfusionMatrix::new(y_true, y_pred, n_classes)?.prf_macro())
}
