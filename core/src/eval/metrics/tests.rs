use super::*;
use crate::error::CoreError;
use alloc::vec::Vec;
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
