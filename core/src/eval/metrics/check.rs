//! The input checks every metric shares: equal, non-empty label slices, labels below
//! `n_classes`, no NaN scores, probability rows that sum to 1.

use crate::error::{CoreError, Result};
use alloc::format;

/// Checks the two label slices have the same, non-zero length.
pub(super) fn check_pair(y_true: &[usize], y_pred: &[usize]) -> Result<()> {
    if y_true.len() != y_pred.len() {
        return Err(CoreError::Mismatch(format!(
            "y_true has {} labels, y_pred {}",
            y_true.len(),
            y_pred.len()
        )));
    }
    if y_true.is_empty() {
        return Err(CoreError::Empty("no labels to score".into()));
    }
    Ok(())
}

/// Checks every label is a class index below `n_classes`.
pub(super) fn check_labels(name: &'static str, labels: &[usize], n_classes: usize) -> Result<()> {
    match labels.iter().position(|&l| l >= n_classes) {
        Some(i) => Err(CoreError::invalid(
            name,
            format!(
                "label {} at index {i} is not below n_classes = {n_classes}",
                labels[i]
            ),
        )),
        None => Ok(()),
    }
}

/// Rejects NaN scores: they have no place in a ranking.
pub(super) fn check_scores(name: &'static str, scores: &[f64]) -> Result<()> {
    match scores.iter().position(|s| s.is_nan()) {
        Some(i) => Err(CoreError::invalid(name, format!("NaN at index {i}"))),
        None => Ok(()),
    }
}

/// Checks a row-major n x C probability matrix: shape, no NaN, rows summing to 1 with
/// sklearn's tolerance (`np.allclose`: |sum - 1| <= 1e-8 + 1e-5 * |sum|), which catches
/// logits passed where probabilities belong.
pub(super) fn check_probs(n: usize, probs: &[f64], n_classes: usize) -> Result<()> {
    if n_classes < 2 {
        return Err(CoreError::invalid("n_classes", "ROC AUC needs at least 2"));
    }
    if probs.len() != n * n_classes {
        return Err(CoreError::Mismatch(format!(
            "{n} labels x {n_classes} classes needs {} probabilities, got {}",
            n * n_classes,
            probs.len()
        )));
    }
    check_scores("probs", probs)?;
    for (i, row) in probs.chunks_exact(n_classes).enumerate() {
        let sum: f64 = row.iter().sum();
        if (sum - 1.0).abs() > 1e-8 + 1e-5 * sum.abs() {
            return Err(CoreError::invalid(
                "probs",
                format!("row {i} sums to {sum}, not 1: pass probabilities, not logits"),
            ));
        }
    }
    Ok(())
}
