//! HF `BertForSequenceClassification`: the pooler (dense + tanh on `[CLS]`), dropout, and a
//! linear classifier. Shares `BertModel` with the MLM model so a pretrained encoder loads
//! into it unchanged.

use burn::module::Module;
use burn::nn::{Dropout, DropoutConfig, Linear};
use burn::tensor::{Device, Int, Tensor};

use super::config::BertConfig;
use super::encoder::{BertModel, PaddingMask};
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

/// HF `BertForSequenceClassification`.
#[derive(Module, Debug)]
pub struct BertForSequenceClassification {
    pub bert: BertModel,
    pub dropout: Dropout,
    pub classifier: Linear,
}

impl BertForSequenceClassification {
    pub fn new(config: &BertConfig, num_labels: usize, device: &Device) -> Self {
        Self {
            bert: BertModel::new(config, true, device),
            // HF uses `classifier_dropout` when set, else `hidden_dropout_prob`.
            dropout: DropoutConfig::new(config.hidden_dropout_prob).init(),
            classifier: init::linear(
                config.hidden_size,
                num_labels,
                config.initializer_range,
                device,
            ),
        }
    }

    /// Class logits `[batch, num_labels]`.
    pub fn forward(&self, input_ids: Tensor<2, Int>, mask: &PaddingMask) -> Tensor<2> {
        let hidden = self.bert.forward(input_ids, mask);
        let pooler = self
            .bert
            .pooler
            .as_ref()
            .expect("BertForSequenceClassification is built with a pooler");
        let pooled = self.dropout.forward(pooler.forward(hidden));
        self.classifier.forward(pooled)
    }
}
