//! Downstream metrics (docs/algorithms.md §8), numerically the same as scikit-learn.
//!
//! GUE reports Matthews correlation and the few-shot tables report accuracy; papers are
//! compared to the third decimal, so every formula here is the one sklearn uses (checked
//! against committed sklearn outputs in `tests/metrics_vs_sklearn.rs`), not a textbook
//! variant that differs at ties or on degenerate inputs:
//!
//! - MCC is the multi-class formula on the confusion matrix (it reduces to the binary one),
//!   and 0.0 when its denominator is 0 (constant truth or constant prediction).
//! - Precision, recall and F1 are sklearn's `average="macro"`, `zero_division=0` over the
//!   labels `0..n_classes`: a class never predicted has precision 0, a class absent from the
//!   truth has recall 0, and both still count in the mean. Macro F1 is the mean of the
//!   per-class F1, not the F1 of the macro precision and recall.
//! - ROC AUC is the area under the ROC curve with tied scores joined by one straight
//!   segment (the trapezoid), which equals the Mann-Whitney statistic with average ranks.
//!   Multi-class AUC is one-vs-one, macro (Hand & Till): the mean over class pairs (a, b) of
//!   the AUC of a-vs-b on column a and of b-vs-a on column b, on the rows of a and b only.
//!   The zero-shot probe (docs/algorithms.md §9) uses one-vs-rest instead ([`roc_auc_ovr`]): the mean over
//!   classes c of the AUC of c-vs-all on column c.
//!
//! Where sklearn warns and returns NaN (AUC with one class in the truth) we return an error,
//! so a NaN never reaches a results table.

use crate::error::{CoreError, Result};
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::vec;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

/// Checks the two label slices have the same, non-zero length.
fn check_pair(y_true: &[usize], y_pred: &[usize]) -> Result<()> {
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
fn check_labels(name: &'static str, labels: &[usize], n_classes: usize) -> Result<()> {
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

/// Share of predictions equal to the truth.
pub fn accuracy(y_true: &[usize], y_pred: &[usize]) -> Result<f64> {
    check_pair(y_true, y_pred)?;
    let correct = y_true.iter().zip(y_pred).filter(|(t, p)| t == p).count();
    Ok(correct as f64 / y_true.len() as f64)
}

/// Matthews correlation coefficient for binary or multi-class labels, as
/// `sklearn.metrics.matthews_corrcoef`. Labels are arbitrary class indices (no
/// `n_classes` needed: classes absent from both slices contribute nothing).
pub fn matthews_corrcoef(y_true: &[usize], y_pred: &[usize]) -> Result<f64> {
    check_pair(y_true, y_pred)?;
    // Per label: (count in y_true, count in y_pred). A map, not a vector, so a stray large
    // label cannot allocate a huge table.
    let mut sums: BTreeMap<usize, (u64, u64)> = BTreeMap::new();
    let mut correct = 0u64;
    for (&t, &p) in y_true.iter().zip(y_pred) {
        sums.entry(t).or_default().0 += 1;
        sums.entry(p).or_default().1 += 1;
        correct += u64::from(t == p);
    }
    Ok(mcc_from_sums(
        y_true.len() as u64,
        correct,
        sums.values().copied(),
    ))
}

/// sklearn's MCC from (truth count, prediction count) per class. Integer sums are exact
/// (u128 cannot overflow for any slice that fits in memory); only the last step is float.
fn mcc_from_sums(n: u64, correct: u64, sums: impl Iterator<Item = (u64, u64)>) -> f64 {
    let (mut tp, mut pp, mut tt) = (0u128, 0u128, 0u128);
    for (t, p) in sums {
        tp += t as u128 * p as u128;
        pp += p as u128 * p as u128;
        tt += t as u128 * t as u128;
    }
    let n2 = n as u128 * n as u128;
    let cov_ytyp = (correct as u128 * n as u128) as f64 - tp as f64;
    let cov_ypyp = (n2 - pp) as f64;
    let cov_ytyt = (n2 - tt) as f64;
    let denom = cov_ypyp * cov_ytyt;
    if denom == 0.0 {
        0.0
    } else {
        cov_ytyp / libm::sqrt(denom)
    }
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

    /// Matthews correlation, as [`matthews_corrcoef`].
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

/// Rejects NaN scores: they have no place in a ranking.
fn check_scores(name: &'static str, scores: &[f64]) -> Result<()> {
    match scores.iter().position(|s| s.is_nan()) {
        Some(i) => Err(CoreError::invalid(name, format!("NaN at index {i}"))),
        None => Ok(()),
    }
}

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

/// Checks a row-major n x C probability matrix: shape, no NaN, rows summing to 1 with
/// sklearn's tolerance (`np.allclose`: |sum - 1| <= 1e-8 + 1e-5 * |sum|), which catches
/// logits passed where probabilities belong.
fn check_probs(n: usize, probs: &[f64], n_classes: usize) -> Result<()> {
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

/// Every metric of one evaluation, for logs and result tables.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ClassificationReport {
    pub accuracy: f64,
    pub mcc: f64,
    /// Macro precision (`zero_division=0`).
    pub precision: f64,
    /// Macro recall (`zero_division=0`).
    pub recall: f64,
    /// Macro F1 (`zero_division=0`).
    pub f1: f64,
    /// ROC AUC when probabilities were given: binary on p(class 1), else one-vs-one macro.
    pub auc: Option<f64>,
}

/// All metrics at once. `probs` is `(values, columns)`, row-major: either `columns ==
/// n_classes` (a probability per class; binary AUC uses column 1), or, for 2 classes only,
/// `columns == 1` (the score of class 1 alone, any real). An AUC that is undefined (fewer
/// than two classes in `y_true`) is an error, not a `None`: `None` means no scores were given.
pub fn classification_report(
    y_true: &[usize],
    y_pred: &[usize],
    probs: Option<(&[f64], usize)>,
    n_classes: usize,
) -> Result<ClassificationReport> {
    let cm = ConfusionMatrix::new(y_true, y_pred, n_classes)?;
    let prf = cm.prf_macro();
    let auc = match probs {
        None => None,
        Some((scores, 1)) if n_classes == 2 => Some(roc_auc_binary(y_true, scores)?),
        Some((values, cols)) if cols == n_classes && n_classes == 2 => {
            check_probs(y_true.len(), values, 2)?;
            let pos: Vec<f64> = values.chunks_exact(2).map(|r| r[1]).collect();
            Some(roc_auc_binary(y_true, &pos)?)
        }
        Some((values, cols)) if cols == n_classes => Some(roc_auc_ovo(y_true, values, cols)?),
        Some((_, cols)) => {
            return Err(CoreError::Mismatch(format!(
                "probabilities have {cols} columns for {n_classes} classes"
            )))
        }
    };
    Ok(ClassificationReport {
        accuracy: cm.accuracy(),
        mcc: cm.mcc(),
        precision: prf.precision,
        recall: prf.recall,
        f1: prf.f1,
        auc,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const EPS: f64 = 1e-12;

    #[test]
    fn binary_mcc_matches_hand_computation() {
        // truth 1 1 1 0 0 0, pred 1 1 0 0 0 1: tp=2 fn=1 tn=2 fp=1.
        // MCC = (tp*tn - fp*fn) / sqrt((tp+fp)(tp+fn)(tn+fp)(tn+fn)) = (4-1)/sqrt(3*3*3*3) = 1/3.
        let t = [1, 1, 1, 0, 0, 0];
        let p = [1, 1, 0, 0, 0, 1];
        assert!((matthews_corrcoef(&t, &p).unwrap() - 1.0 / 3.0).abs() < EPS);
        assert!((accuracy(&t, &p).unwrap() - 4.0 / 6.0).abs() < EPS);
    }

    #[test]
    fn constant_prediction_has_zero_mcc_and_zero_precision_for_unpredicted_class() {
        let t = [0, 1, 1, 0];
        let p = [1, 1, 1, 1];
        assert_eq!(matthews_corrcoef(&t, &p).unwrap(), 0.0);
        // class 0: never predicted -> precision 0, recall 0, F1 0.
        // class 1: tp 2, predicted 4, true 2 -> precision 1/2, recall 1, F1 = 4/6.
        let prf = precision_recall_f1_macro(&t, &p, 2).unwrap();
        assert!((prf.precision - 0.25).abs() < EPS);
        assert!((prf.recall - 0.5).abs() < EPS);
        assert!((prf.f1 - 1.0 / 3.0).abs() < EPS);
    }

    #[test]
    fn classes_absent_everywhere_still_count_in_macro_mean() {
        // 3 classes, class 2 never seen: class 0 and 1 perfect (1,1,1), class 2 all 0.
        let prf = precision_recall_f1_macro(&[0, 1], &[0, 1], 3).unwrap();
        assert!((prf.f1 - 2.0 / 3.0).abs() < EPS);
        // MCC ignores absent classes.
        assert_eq!(matthews_corrcoef(&[0, 1], &[0, 1]).unwrap(), 1.0);
    }

    #[test]
    fn auc_with_ties_counts_half() {
        // Positives scored 0.8, 0.5; negatives 0.5, 0.2. Pairs (pos, neg): (0.8,0.5)=1,
        // (0.8,0.2)=1, (0.5,0.5)=1/2, (0.5,0.2)=1 -> 3.5 / 4.
        let auc = roc_auc_binary(&[1, 1, 0, 0], &[0.8, 0.5, 0.5, 0.2]).unwrap();
        assert!((auc - 0.875).abs() < EPS);
        // All scores tied: the diagonal.
        assert_eq!(roc_auc_binary(&[1, 0, 1], &[0.3; 3]).unwrap(), 0.5);
        // -0.0 and 0.0 are one score.
        assert_eq!(roc_auc_binary(&[1, 0], &[0.0, -0.0]).unwrap(), 0.5);
    }

    #[test]
    fn ovo_with_two_classes_equals_binary_auc() {
        let t = [0, 1, 1, 0, 1];
        let p1 = [0.1, 0.7, 0.4, 0.4, 0.9];
        let probs: Vec<f64> = p1.iter().flat_map(|&p| [1.0 - p, p]).collect();
        let a = roc_auc_ovo(&t, &probs, 2).unwrap();
        let b = roc_auc_binary(&t, &p1).unwrap();
        assert!((a - b).abs() < EPS);
    }

    #[test]
    fn ovo_skips_classes_absent_from_the_truth() {
        // Class 2 never occurs: only the pair (0, 1). Column 0 ranks row 0 (0.5) over row 1
        // (0.2), column 1 ranks row 1 (0.5) over row 0 (0.3): both AUCs 1.
        let probs = [0.5, 0.3, 0.2, 0.2, 0.5, 0.3];
        assert_eq!(roc_auc_ovo(&[0, 1], &probs, 3).unwrap(), 1.0);
    }

    #[test]
    fn ovr_matches_hand_computation_and_binary_auc() {
        // Rows (truth; probs): 0 (.6 .3 .1), 1 (.2 .5 .3), 2 (.1 .3 .6), 0 (.3 .4 .3).
        // Class 0 on column 0: positives .6 .3, negatives .2 .1: AUC 1.
        // Class 1 on column 1: positive .5, negatives .3 .3 .4: AUC 1.
        // Class 2 on column 2: positive .6, negatives .1 .3 .3: AUC 1 -> mean 1.
        let probs = [0.6, 0.3, 0.1, 0.2, 0.5, 0.3, 0.1, 0.3, 0.6, 0.3, 0.4, 0.3];
        assert_eq!(roc_auc_ovr(&[0, 1, 2, 0], &probs, 3).unwrap(), 1.0);
        // Swap the truth of rows 1 and 3: class 0 = rows 0, 1 (.6, .2) vs (.1, .3): 3/4;
        // class 1 = row 3 (.4) vs (.3 .5 .3): 2/3; class 2 = row 2 (.6) vs (.1 .3 .3): 1.
        let auc = roc_auc_ovr(&[0, 0, 2, 1], &probs, 3).unwrap();
        assert!((auc - (0.75 + 2.0 / 3.0 + 1.0) / 3.0).abs() < EPS);
        let t = [0, 1, 1, 0, 1];
        let p1 = [0.1, 0.7, 0.4, 0.4, 0.9];
        let two: Vec<f64> = p1.iter().flat_map(|&p| [1.0 - p, p]).collect();
        let ovr = roc_auc_ovr(&t, &two, 2).unwrap();
        assert!((ovr - roc_auc_binary(&t, &p1).unwrap()).abs() < EPS);
        // Class 2 absent from the truth: sklearn's NaN is our error.
        assert!(roc_auc_ovr(&[0, 1, 0, 1], &probs, 3).is_err());
    }

    #[test]
    fn bad_inputs_are_errors() {
        assert!(matches!(
            accuracy(&[0, 1], &[0]),
            Err(CoreError::Mismatch(_))
        ));
        assert!(matches!(accuracy(&[], &[]), Err(CoreError::Empty(_))));
        assert!(matches!(
            precision_recall_f1_macro(&[0, 3], &[0, 1], 3),
            Err(CoreError::InvalidParameter { name: "y_true", .. })
        ));
        assert!(matches!(
            precision_recall_f1_macro(&[0, 1], &[0, 3], 3),
            Err(CoreError::InvalidParameter { name: "y_pred", .. })
        ));
        assert!(roc_auc_binary(&[1, 1], &[0.1, 0.2]).is_err());
        assert!(roc_auc_binary(&[0, 2], &[0.1, 0.2]).is_err());
        assert!(roc_auc_binary(&[0, 1], &[0.1, f64::NAN]).is_err());
        // Only class 1 in the truth.
        let probs = [0.5, 0.3, 0.2, 0.2, 0.5, 0.3];
        assert!(roc_auc_ovo(&[1, 1], &probs, 3).is_err());
        // Logits, not probabilities.
        assert!(roc_auc_ovo(
            &[0, 1, 2],
            &[2.0, 1.0, 0.0, 0.0, 1.0, 2.0, 1.0, 2.0, 0.0],
            3
        )
        .is_err());
        assert!(matches!(
            classification_report(&[0, 1], &[0, 1], Some((&[0.2, 0.8], 3)), 2),
            Err(CoreError::Mismatch(_))
        ));
    }

    #[test]
    fn report_accepts_one_score_column_for_binary() {
        let t = [0, 1, 1, 0];
        let p = [0, 1, 0, 0];
        let one = classification_report(&t, &p, Some((&[-1.0, 2.0, 0.5, 0.7], 1)), 2).unwrap();
        let two = classification_report(
            &t,
            &p,
            Some((&[0.9, 0.1, 0.2, 0.8, 0.45, 0.55, 0.4, 0.6], 2)),
            2,
        )
        .unwrap();
        // Both rank the rows the same: negatives {-1.0, 0.7}, positives {2.0, 0.5}: 3 of 4.
        assert_eq!(one.auc, Some(0.75));
        assert_eq!(two.auc, Some(0.75));
        assert_eq!(one.accuracy, 0.75);
        assert!(classification_report(&t, &p, None, 2)
            .unwrap()
            .auc
            .is_none());
    }

    /// Brute-force oracles: MCC from Pearson correlation of one-hot vectors is the
    /// textbook definition; AUC as the share of (pos, neg) pairs ordered right, ties 1/2.
    fn auc_pairs(t: &[usize], s: &[f64]) -> f64 {
        let (mut num, mut den) = (0.0, 0.0);
        for i in 0..t.len() {
            for j in 0..t.len() {
                if t[i] == 1 && t[j] == 0 {
                    den += 1.0;
                    num += if s[i] > s[j] {
                        1.0
                    } else if s[i] == s[j] {
                        0.5
                    } else {
                        0.0
                    };
                }
            }
        }
        num / den
    }

    fn binary_mcc_textbook(t: &[usize], p: &[usize]) -> f64 {
        let count = |a, b| t.iter().zip(p).filter(|&(&x, &y)| x == a && y == b).count() as f64;
        let (tp, tn, fp, fneg) = (count(1, 1), count(0, 0), count(0, 1), count(1, 0));
        let d = (tp + fp) * (tp + fneg) * (tn + fp) * (tn + fneg);
        if d == 0.0 {
            0.0
        } else {
            (tp * tn - fp * fneg) / d.sqrt()
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn binary_auc_equals_pair_counting(
            rows in proptest::collection::vec((0usize..2, 0u8..6), 2..60)
        ) {
            let t: Vec<usize> = rows.iter().map(|r| r.0).collect();
            let s: Vec<f64> = rows.iter().map(|r| r.1 as f64 / 5.0).collect();
            let has_both = t.contains(&0) && t.contains(&1);
            match roc_auc_binary(&t, &s) {
                Ok(auc) => prop_assert!(has_both && (auc - auc_pairs(&t, &s)).abs() < EPS),
                Err(_) => prop_assert!(!has_both),
            }
        }

        #[test]
        fn binary_mcc_equals_textbook_formula(
            rows in proptest::collection::vec((0usize..2, 0usize..2), 1..60)
        ) {
            let t: Vec<usize> = rows.iter().map(|r| r.0).collect();
            let p: Vec<usize> = rows.iter().map(|r| r.1).collect();
            let m = matthews_corrcoef(&t, &p).unwrap();
            prop_assert!((m - binary_mcc_textbook(&t, &p)).abs() < 1e-12);
            let cm = ConfusionMatrix::new(&t, &p, 2).unwrap();
            prop_assert!((cm.mcc() - m).abs() < 1e-15);
        }
    }
}
