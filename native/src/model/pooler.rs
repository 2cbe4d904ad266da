//! HF `bert.pooler`: dense + tanh on the `[CLS]` position, part of `BertModel` (a classifier
//! uses it; the MLM model has none).

use burn::module::Module;
use burn::nn::Linear;
use burn::tensor::{Device, Tensor};

use super::config::BertConfig;
use super::init;

/// HF `bert.pooler`.
#[derive(Module, Debug)]
pub struct BertPooler {
    pub dense: Linear,
}

impl BertPooler {
    pub fn new(config: &BertConfig, device: &Device) -> Self {
        let h = config.hidden_size;
        Self {
            dense: init::linear(h, h, config.initializer_range, device),
        }
    }

    /// `tanh(dense(hidden[:, 0]))`: `[batch, seq, hidden]` → `[batch, hidden]`.
    pub fn forward(&self, hidden: Tensor<3>) -> Tensor<2> {
        let [batch, _, h] = hidden.dims();
        let cls = hidden.slice([0..batch, 0..1, 0..h]).reshape([batch, h]);
        self.dense.forward(cls).tanh()
    }
}
