//! HF `BertForSequenceClassification`: the pooler (dense + tanh on `[CLS]`), dropout, and a
//! linear classifier. Shares `BertModel` with the MLM model so a pretrained encoder loads
//! into it unchanged.

use burn::module::Module;
use burn::nn::{Dropout, DropoutConfig, Linear};
use burn::tensor::{Device, Int, Tensor};

use super::config::BertConfig;
use super::encoder::BertModel;
use super::init;
use super::mask::PaddingMask;

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
