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
//!
//! The files: [`confusion`] (accuracy, the confusion matrix, macro precision/recall/F1),
//! [`mcc`] (Matthews correlation), [`auc`] (ROC AUC), [`report`] (all of them at once),
//! and `check` (the input checks they share).

pub mod auc;
mod check;
pub mod confusion;
pub mod mcc;
pub mod report;

pub use auc::{roc_auc_binary, roc_auc_ovo, roc_auc_ovr};
pub use confusion::{accuracy, precision_recall_f1_macro, ConfusionMatrix, PrfMacro};
pub use mcc::matthews_corrcoef;
pub use report::{classification_report, ClassificationReport};

#[cfg(test)]
mod tests;
