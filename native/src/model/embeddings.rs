//! Word + position + token-type embeddings, then LayerNorm and dropout, as HF `BertEmbeddings`.

use burn::module::Module;
use burn::nn::{Dropout, DropoutConfig, Embedding, LayerNorm};
use burn::tensor::{Device, Int, Tensor};

use super::config::BertConfig;
use super::init;

/// HF `bert.embeddings`.
#[derive(Module, Debug)]
pub struct BertEmbeddings {
    pub word_embeddings: Embedding,
    pub position_embeddings: Embedding,
    pub token_type_embeddings: Embedding,
    /// HF `LayerNorm` (renamed by [`crate::hf`]).
    pub layer_norm: LayerNorm,
    pub dropout: Dropout,
}

impl BertEmbeddings {
    pub fn new(config: &BertConfig, device: &Device) -> Self {
        let std = config.initializer_range;
        let h = config.hidden_size;
        Self {
            word_embeddings: init::embedding(
                config.vocab_size,
                h,
                std,
                Some(config.pad_token_id),
                device,
            ),
            position_embeddings: init::embedding(
                config.max_position_embeddings,
                h,
                std,
                None,
                device,
            ),
            token_type_embeddings: init::embedding(config.type_vocab_size, h, std, None, device),
            layer_norm: init::layer_norm(h, config.layer_norm_eps, device),
            dropout: DropoutConfig::new(config.hidden_dropout_prob).init(),
        }
    }

    /// `input_ids` `[batch, seq]` → `[batch, seq, hidden]`. Positions are `0..seq` and token
    /// types all zero, as HF does when neither is given (DNABERT never passes them).
    pub fn forward(&self, input_ids: Tensor<2, Int>) -> Tensor<3> {
        let [_, seq] = input_ids.dims();
        let device = input_ids.device();
        let words = self.word_embeddings.forward(input_ids);
        let positions = Tensor::<1, Int>::arange(0..seq as i64, &device).unsqueeze_dim::<2>(0);
        let positions = self.position_embeddings.forward(positions);
        let types = self
            .token_type_embeddings
            .forward(Tensor::<2, Int>::zeros([1, seq], &device));
        self.dropout
            .forward(self.layer_norm.forward(words + positions + types))
    }
}
