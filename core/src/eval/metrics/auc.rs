//! ROC AUC: binary, and multi-class one-vs-one (Hand & Till) or one-vs-rest, tied scores
//! joined by one straight segment as sklearn does.

use super::check::{check_labels, check_probs, check_scores};
use crate::error::{CoreError, Result};
use alloc::format;
use alloc::vec;
use alloc::vec::Vec;

/// AUC of `(is_positive, score)` pairs; `None` when one class is missing.
///
/// Walks the scores from high to low; each group of tied scores moves the ROC curve by
/// (neg_g, pos_g) in one straight segment, so its area (in units of one negative by one
/// positive) is `neg_g * (pos_before + pos_g / 2)`. Doubled, all of it is an integer.
fn auc_of(pairs: &mut [(bool, f64)]) -> Option<f64> {
    pairs.sort_unstable_by(|a, b| b.1.total_cmp(&a.1));
    let (mut pos, mut neg, mut area2) = (0u128, 0u128, 0u128);
    let mut i = 0;
    while i < pairs.len() {
        let score = pairs[i].1;
        let (mut pos_g, mut neg_g) = (0u128, 0u128);
        // total_cmp sorts -0.0 and 0.0 apart but they are the same score: compare with ==.
        while i < pairs.len() && pairs[i].1 == score {
            if pairs[i].0 {
                pos_g += 1;
            } else {
                neg_g += 1;
            }
            i += 1;
        }
        area2 += neg_g * (2 * pos + pos_g);
        pos += pos_g;
        neg += neg_g;
    }
    (pos > 0 && neg > 0).then(|| area2 as f64 / (2 * pos * neg) as f64)
}

/// Binary ROC AUC of the score of class 1 (any real: a probability, a logit), as
/// `sklearn.metrics.roc_auc_score(y_true, score_pos)`. Labels must be 0 or 1, both present.
pub fn roc_auc_binary(y_true: &[usize], score_pos: &[f64]) -> Result<f64> {
    if y_true.len() != score_pos.len() {
        return Err(CoreError::Mismatch(format!(
            "y_true has {} labels, score_pos {} scores",
            y_true.len(),
            score_pos.len()
        )));
    }
    if y_true.is_empty() {
        return Err(CoreError::Empty("no labels to score".into()));
    }
    check_labels("y_true", y_true, 2)?;
    check_scores("score_pos", score_pos)?;
    let mut pairs: Vec<(bool, f64)> = y_true
        .iter()
        .zip(score_pos)
        .map(|(&t, &s)| (t == 1, s))
        .collect();
    auc_of(&mut pairs).ok_or_else(|| {
        CoreError::invalid(
            "y_true",
            "ROC AUC needs both classes in y_true, only one is present",
        )
    })
}

/// Multi-class ROC AUC, one-vs-one, macro average (Hand & Till 2001), as
/// `roc_auc_score(y_true, probs, multi_class="ovo", average="macro",
/// labels=range(n_classes))`. `probs` is row-major n x `n_classes`, rows summing to 1.
/// Like sklearn, the mean runs over the pairs of classes that occur in `y_true` (a class
/// absent from the truth has no AUC against anything); fewer than 2 such classes is an
/// error. With 2 classes it equals [`roc_auc_binary`] on column 1.
pub fn roc_auc_ovo(y_true: &[usize], probs: &[f64], n_classes: usize) -> Result<f64> {
    if y_true.is_empty() {
        return Err(CoreError::Empty("no labels to score".into()));
    }
    check_probs(y_true.len(), probs, n_classes)?;
    check_labels("y_true", y_true, n_classes)?;
    let mut present = vec![false; n_classes];
    for &t in y_true {
        present[t] = true;
    }
    let classes: Vec<usize> = (0..n_classes).filter(|&c| present[c]).collect();
    if classes.len() < 2 {
        return Err(CoreError::invalid(
            "y_true",
            "ROC AUC needs at least two classes in y_true, only one is present",
        ));
    }
    let mut pairs = Vec::with_capacity(y_true.len());
    let mut auc_on = |pos: usize, neg: usize| {
        pairs.clear();
        pairs.extend(
            y_true
                .iter()
                .enumerate()
                .filter(|(_, &t)| t == pos || t == neg)
                .map(|(i, &t)| (t == pos, probs[i * n_classes + pos])),
        );
        // Both classes occur in y_true, so the AUC exists.
        auc_of(&mut pairs).unwrap_or(f64::NAN)
    };
    let (mut total, mut n_pairs) = (0.0, 0usize);
    for (i, &a) in classes.iter().enumerate() {
        for &b in &classes[i + 1..] {
            total += (auc_on(a, b) + auc_on(b, a)) / 2.0;
            n_pairs += 1;
        }
    }
    Ok(total / n_pairs as f64)
}

/// Multi-class ROC AUC, one-vs-rest, macro average, as `roc_auc_score(y_true, probs,
/// multi_class="ovr", average="macro", labels=range(n_classes))`: the mean over classes c
/// of the binary AUC of "c vs every other class" on column c, over all rows. `probs` is
/// row-major n x `n_classes`, rows summing to 1. Every class must occur in `y_true` and
/// at least one other class too: sklearn returns NaN (with a warning) when a class is
/// absent, we return an error. With 2 classes it equals [`roc_auc_binary`] on column 1
/// (column 0 ranks the rows in reverse, so its AUC is the same).
pub fn roc_auc_ovr(y_true: &[usize], probs: &[f64], n_classes: usize) -> Result<f64> {
    if y_true.is_empty() {
        return Err(CoreError::Empty("no labels to score".into()));
    }
    check_probs(y_true.len(), probs, n_classes)?;
    check_labels("y_true", y_true, n_classes)?;
    let mut pairs = Vec::with_capacity(y_true.len());
    let mut total = 0.0;
    for c in 0..n_classes {
        pairs.clear();
        pairs.extend(
            y_true
                .iter()
                .enumerate()
                .map(|(i, &t)| (t == c, probs[i * n_classes + c])),
        );
        total += auc_of(&mut pairs).ok_or_else(|| {
            CoreError::invalid(
                "y_true",
                format!(
                    "one-vs-rest ROC AUC needs every class in y_true and another beside it; \
                     class {c} of {n_classes} is {}",
                    if pairs.iter().any(|p| p.0) {
                        "the only one present"
                    } else {
                        "absent"
                    }
                ),
            )
        })?;
    }
    Ok(total / n_classes as f64)
}
