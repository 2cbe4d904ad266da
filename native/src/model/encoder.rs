//! The encoder stack (HF `bert.encoder.layer.N`) and the bare `BertModel` that the MLM and
//! classification heads share.

use burn::module::Module;
use burn::nn::{Dropout, DropoutConfig, LayerNorm, Linear};
use burn::tensor::activation::{gelu, gelu_approximate, relu};
use burn::tensor::{Device, Int, Tensor};

use super::attention::BertAttention;
use super::config::{BertConfig, HiddenAct};
use super::embeddings::BertEmbeddings;
use super::init;
use super::mask::PaddingMask;
use super::pooler::BertPooler;

/// Applies the configured activation (HF `ACT2FN`).
pub(crate) fn activate<const D: usize>(act: HiddenAct, x: Tensor<D>) -> Tensor<D> {
    match act {
        HiddenAct::Gelu => gelu(x),
        HiddenAct::GeluTanh => gelu_approximate(x),
        HiddenAct::Relu => relu(x),
    }
}

/// HF `intermediate`: the FFN up-projection and activation.
#[derive(Module, Debug)]
pub struct BertIntermediate {
    pub dense: Linear,
    #[module(skip)]
    pub act: HiddenAct,
}

/// HF `output`: the FFN down-projection, dropout, residual, LayerNorm.
#[derive(Module, Debug)]
pub struct BertOutput {
    pub dense: Linear,
    pub layer_norm: LayerNorm,
    pub dropout: Dropout,
}

/// HF `bert.encoder.layer.N`.
#[derive(Module, Debug)]
pub struct BertLayer {
    pub attention: BertAttention,
    pub intermediate: BertIntermediate,
    pub output: BertOutput,
}

/// HF `bert.encoder`.
#[derive(Module, Debug)]
pub struct BertEncoder {
    pub layer: Vec<BertLayer>,
}

/// HF `bert`: embeddings, encoder and, for sequence classification only, the pooler.
#[derive(Module, Debug)]
pub struct BertModel {
    pub embeddings: BertEmbeddings,
    pub encoder: BertEncoder,
    pub pooler: Option<BertPooler>,
}

impl BertLayer {
    pub fn new(config: &BertConfig, device: &Device) -> Self {
        let (h, ffn, std) = (
            config.hidden_size,
            config.intermediate_size,
            config.initializer_range,
        );
        Self {
            attention: BertAttention::new(config, device),
            intermediate: BertIntermediate {
                dense: init::linear(h, ffn, std, device),
                act: config.hidden_act,
            },
            output: BertOutput {
                dense: init::linear(ffn, h, std, device),
                layer_norm: init::layer_norm(h, config.layer_norm_eps, device),
                dropout: DropoutConfig::new(config.hidden_dropout_prob).init(),
            },
        }
    }

    pub fn forward(&self, x: Tensor<3>, mask: &PaddingMask) -> Tensor<3> {
        let attended = self.attention.forward(x, mask);
        let up = activate(
            self.intermediate.act,
            self.intermediate.dense.forward(attended.clone()),
        );
        let down = self.output.dropout.forward(self.output.dense.forward(up));
        self.output.layer_norm.forward(down + attended)
    }
}

impl BertModel {
    /// `with_pooler` is false for `BertForMaskedLM` (HF `add_pooling_layer=False`).
    pub fn new(config: &BertConfig, with_pooler: bool, device: &Device) -> Self {
        Self {
            embeddings: BertEmbeddings::new(config, device),
            encoder: BertEncoder {
                layer: (0..config.num_hidden_layers)
                    .map(|_| BertLayer::new(config, device))
                    .collect(),
            },
            pooler: with_pooler.then(|| BertPooler::new(config, device)),
        }
    }

    /// Whether a training forward pass draws random numbers (any dropout probability above
    /// zero): only then does it depend on the backend's RNG state.
    pub fn uses_dropout(&self) -> bool {
        let probs = self.encoder.layer.iter().flat_map(|l| {
            [
                l.attention.self_attention.dropout.prob,
                l.attention.output.dropout.prob,
                l.output.dropout.prob,
            ]
        });
        std::iter::once(self.embeddings.dropout.prob)
            .chain(probs)
            .any(|p| p > 0.0)
    }

    /// Last hidden states `[batch, seq, hidden]`.
    pub fn forward(&self, input_ids: Tensor<2, Int>, mask: &PaddingMask) -> Tensor<3> {
        let mut x = self.embeddings.forward(input_ids);
        for layer in &self.encoder.layer {
            x = layer.forward(x, mask);
        }
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Preset;

    #[test]
    fn uses_dropout_follows_the_config() {
        let device = Device::flex();
        let logo = BertModel::new(&Preset::Logo.config(), false, &device);
        assert!(!logo.uses_dropout());
        let tiny = BertModel::new(&Preset::Tiny.config(), false, &device);
        assert!(tiny.uses_dropout());
        let only_attention = BertConfig {
            attention_probs_dropout_prob: 0.1,
            ..Preset::Logo.config()
        };
        assert!(BertModel::new(&only_attention, false, &device).uses_dropout());
    }
}
