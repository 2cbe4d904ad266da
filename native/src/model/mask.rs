//! The attention padding mask, shared by the encoder, its attention layers and the heads.

use burn::tensor::{Int, Tensor};

/// Added to the attention scores of padded keys. Large enough that `exp` underflows to exactly
/// zero in f32 (as HF's `finfo.min`), finite so that a bias + score never becomes NaN.
const MASKED_SCORE: f32 = -1.0e9;

/// Which key positions are padding, as the additive score bias `[batch, 1, 1, seq]`.
///
/// Built once per batch and shared by every layer, the way HF builds its extended mask.
/// Without padding there is no bias at all: adding zeros to the `[batch, heads, seq, seq]`
/// scores would cost a full pass over them, forward and backward, in every layer.
#[derive(Debug, Clone)]
pub struct PaddingMask {
    bias: Option<Tensor<4>>,
}

impl PaddingMask {
    /// From HF's `attention_mask` `[batch, seq]`: 1 for tokens, 0 for padding.
    pub fn from_attention_mask(attention_mask: Tensor<2, Int>) -> Self {
        let [batch, seq] = attention_mask.dims();
        let padded = attention_mask.equal_elem(0).float();
        Self {
            bias: Some(padded.mul_scalar(MASKED_SCORE).reshape([batch, 1, 1, seq])),
        }
    }

    /// No padding anywhere (every sequence full length).
    pub fn none() -> Self {
        Self { bias: None }
    }

    /// `scores` with padded keys pushed to -1e9.
    pub(crate) fn apply(&self, scores: Tensor<4>) -> Tensor<4> {
        match &self.bias {
            Some(bias) => scores + bias.clone(),
            None => scores,
        }
    }
}
