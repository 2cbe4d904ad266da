//! Bindings of core's eval stage (`metrics`): JavaScript gets the numbers `train finetune`
//! reports, computed by the same code (docs/algorithms.md §8). The page does not call it
//! yet; the browser tests do.

use crate::convert::to_js;
use crate::error::js_err;
use cmgems_core::eval::metrics;
use wasm_bindgen::prelude::*;

/// Core's classification metrics: `{accuracy, mcc, precision, recall, f1, auc}`.
/// `probs` is row-major with `columns` values per example, or empty for no AUC.
#[wasm_bindgen(js_name = classificationReport)]
pub fn classification_report(
    y_true: &[u32],
    y_pred: &[u32],
    n_classes: usize,
    probs: &[f64],
    columns: usize,
) -> Result<JsValue, JsError> {
    let t: Vec<usize> = y_true.iter().map(|&y| y as usize).collect();
    let p: Vec<usize> = y_pred.iter().map(|&y| y as usize).collect();
    let probs = (!probs.is_empty()).then_some((probs, columns));
    to_js(&metrics::classification_report(&t, &p, probs, n_classes).map_err(js_err)?)
}
