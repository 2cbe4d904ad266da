//! Matthews correlation coefficient, sklearn's multi-class formula (GUE's metric).

use super::check::check_pair;
use crate::error::Result;
use alloc::collections::BTreeMap;

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
pub(super) fn mcc_from_sums(n: u64, correct: u64, sums: impl Iterator<Item = (u64, u64)>) -> f64 {
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
