//! Cross-entropy: the MLM loss over labelled positions, and the classification loss.

use burn::tensor::activation::log_softmax;
use burn::tensor::{Int, Tensor};

/// Mean cross-entropy of `logits` `[m, vocab]` against `targets` `[m]`.
///
/// The caller has already gathered the `m` labelled positions (HF's `labels != -100`), so
/// this is HF's `CrossEntropyLoss(ignore_index=-100)` with nothing left to ignore.
pub fn cross_entropy(logits: Tensor<2>, targets: Tensor<1, Int>) -> Tensor<1> {
    let [m, _] = logits.dims();
    let log_probs = log_softmax(logits, 1);
    let picked = log_probs.gather(1, targets.reshape([m, 1]));
    picked.mean().neg()
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::{Device, TensorData};

    #[test]
    fn equals_hand_computed_cross_entropy() {
        // Row 0: logits [0, ln 3], target 1: p = 3/4, loss ln(4/3).
        // Row 1: logits [0, 0],    target 0: p = 1/2, loss ln 2.
        // Mean: (ln(4/3) + ln 2) / 2 = ln(8/3) / 2 = 0.490415...
        let device = Device::flex();
        let logits = Tensor::<2>::from_data(
            TensorData::new(vec![0.0f32, 3f32.ln(), 0.0, 0.0], [2, 2]),
            &device,
        );
        let targets = Tensor::<1, Int>::from_data(TensorData::new(vec![1i64, 0], [2]), &device);
        let loss: f32 = cross_entropy(logits, targets).into_scalar();
        assert!((loss - (8.0f32 / 3.0).ln() / 2.0).abs() < 1e-6, "{loss}");
    }
}
