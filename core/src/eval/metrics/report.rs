//! Every metric of one evaluation at once, for logs and result tables.

use super::auc::{roc_auc_binary, roc_auc_ovo};
use super::check::check_probs;
use super::confusion::ConfusionMatrix;
use crate::error::{CoreError, Result};
use alloc::format;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

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
