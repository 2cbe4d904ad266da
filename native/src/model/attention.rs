//! Multi-head self-attention as HF `BertAttention`: `self.{query,key,value}` then
//! `output.{dense,LayerNorm}` with the residual inside the output block (post-LN).
//!
//! burn-nn's `MultiHeadAttention` is not used: its parameter tree (`query`, `key`, `value`,
//! `output` side by side) does not match HF's, and under autodiff burn's fused
//! `attention` op falls back to the same matmul + softmax composition written here anyway.

use burn::module::Module;
use burn::nn::{Dropout, DropoutConfig, LayerNorm, Linear};
use burn::tensor::activation::softmax;
use burn::tensor::{Device, Tensor};

use super::config::BertConfig;
use super::init;
use super::mask::PaddingMask;

/// HF `attention.self`.
#[derive(Module, Debug)]
pub struct BertSelfAttention {
    pub query: Linear,
    pub key: Linear,
    pub value: Linear,
    /// Dropout on the attention probabilities (`attention_probs_dropout_prob`).
    pub dropout: Dropout,
    pub num_heads: usize,
}

/// HF `attention.output`: projection, dropout, residual, LayerNorm.
#[derive(Module, Debug)]
pub struct BertSelfOutput {
    pub dense: Linear,
    pub layer_norm: LayerNorm,
    pub dropout: Dropout,
}

/// HF `attention`.
#[derive(Module, Debug)]
pub struct BertAttention {
    /// HF `self` (a Rust keyword; renamed by [`crate::hf`]).
    pub self_attention: BertSelfAttention,
    pub output: BertSelfOutput,
}

impl BertSelfAttention {
    pub fn new(config: &BertConfig, device: &Device) -> Self {
        let (h, std) = (config.hidden_size, config.initializer_range);
        Self {
            query: init::linear(h, h, std, device),
            key: init::linear(h, h, std, device),
            value: init::linear(h, h, std, device),
            dropout: DropoutConfig::new(config.attention_probs_dropout_prob).init(),
            num_heads: config.num_attention_heads,
        }
    }

    /// `[batch, seq, hidden]` → `[batch, seq, hidden]` (heads concatenated, not projected).
    pub fn forward(&self, x: Tensor<3>, mask: &PaddingMask) -> Tensor<3> {
        let [batch, seq, hidden] = x.dims();
        let head_dim = hidden / self.num_heads;
        let split = |t: Tensor<3>| {
            t.reshape([batch, seq, self.num_heads, head_dim])
                .swap_dims(1, 2)
        };
        // HF divides the `[batch, heads, seq, seq]` scores by sqrt(head_dim); scaling the
        // queries instead is the same product and a pass over a tensor `seq / head_dim` times
        // smaller (LOGO: 16x), forward and backward.
        let scale = 1.0 / (head_dim as f64).sqrt();
        let q = split(self.query.forward(x.clone()).mul_scalar(scale));
        let k = split(self.key.forward(x.clone()));
        let v = split(self.value.forward(x));
        let scores = mask.apply(q.matmul(k.swap_dims(2, 3)));
        let probs = self.dropout.forward(softmax(scores, 3));
        probs
            .matmul(v)
            .swap_dims(1, 2)
            .reshape([batch, seq, hidden])
    }
}

impl BertSelfOutput {
    pub fn new(config: &BertConfig, device: &Device) -> Self {
        let h = config.hidden_size;
        Self {
            dense: init::linear(h, h, config.initializer_range, device),
            layer_norm: init::layer_norm(h, config.layer_norm_eps, device),
            dropout: DropoutConfig::new(config.hidden_dropout_prob).init(),
        }
    }

    pub fn forward(&self, hidden: Tensor<3>, residual: Tensor<3>) -> Tensor<3> {
        let projected = self.dropout.forward(self.dense.forward(hidden));
        self.layer_norm.forward(projected + residual)
    }
}

impl BertAttention {
    pub fn new(config: &BertConfig, device: &Device) -> Self {
        Self {
            self_attention: BertSelfAttention::new(config, device),
            output: BertSelfOutput::new(config, device),
        }
    }

    pub fn forward(&self, x: Tensor<3>, mask: &PaddingMask) -> Tensor<3> {
        let attended = self.self_attention.forward(x.clone(), mask);
        self.output.forward(attended, x)
    }
}
