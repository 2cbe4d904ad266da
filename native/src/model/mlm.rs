//! HF `BertForMaskedLM`: the encoder plus `cls.predictions` (transform, then a decoder whose
//! weight *is* the word-embedding table and a separate output bias).

use burn::module::{Module, Param};
use burn::nn::{LayerNorm, Linear};
use burn::tensor::{Device, Int, Tensor};

use super::config::{BertConfig, HiddenAct};
use super::encoder::{activate, BertModel};
use super::init;
use super::mask::PaddingMask;

/// HF `cls.predictions.transform`: dense, activation, LayerNorm.
#[derive(Module, Debug)]
pub struct BertPredictionHeadTransform {
    pub dense: Linear,
    #[module(skip)]
    pub act: HiddenAct,
    pub layer_norm: LayerNorm,
}

/// HF `cls.predictions`. There is no decoder weight here: tying is done by using
/// `bert.embeddings.word_embeddings.weight` in the product, so the two can never drift apart
/// and the gradient of both uses lands on the one parameter, as in PyTorch.
#[derive(Module, Debug)]
pub struct BertLmPredictionHead {
    pub transform: BertPredictionHeadTransform,
    pub bias: Param<Tensor<1>>,
}

/// HF `cls`.
#[derive(Module, Debug)]
pub struct BertOnlyMlmHead {
    pub predictions: BertLmPredictionHead,
}

/// HF `BertForMaskedLM`.
#[derive(Module, Debug)]
pub struct BertForMaskedLM {
    pub bert: BertModel,
    pub cls: BertOnlyMlmHead,
}

impl BertForMaskedLM {
    pub fn new(config: &BertConfig, device: &Device) -> Self {
        let h = config.hidden_size;
        Self {
            bert: BertModel::new(config, false, device),
            cls: BertOnlyMlmHead {
                predictions: BertLmPredictionHead {
                    transform: BertPredictionHeadTransform {
                        dense: init::linear(h, h, config.initializer_range, device),
                        act: config.hidden_act,
                        layer_norm: init::layer_norm(h, config.layer_norm_eps, device),
                    },
                    bias: Param::from_tensor(Tensor::zeros([config.vocab_size], device)),
                },
            },
        }
    }

    /// Vocabulary logits `[batch, seq, vocab]` at every position (HF's output).
    pub fn forward(&self, input_ids: Tensor<2, Int>, mask: &PaddingMask) -> Tensor<3> {
        let hidden = self.bert.forward(input_ids, mask);
        let [batch, seq, h] = hidden.dims();
        let logits = self.head(hidden.reshape([batch * seq, h]));
        let vocab = logits.dims()[1];
        logits.reshape([batch, seq, vocab])
    }

    /// Logits `[m, vocab]` at `positions`, indices into the flattened `batch * seq` tokens.
    ///
    /// Training needs logits only where there is a label (about 15% of tokens), and the
    /// vocabulary projection is a fifth of LOGO's compute, so the rows are picked before it.
    pub fn forward_at(
        &self,
        input_ids: Tensor<2, Int>,
        mask: &PaddingMask,
        positions: Tensor<1, Int>,
    ) -> Tensor<2> {
        let hidden = self.bert.forward(input_ids, mask);
        let [batch, seq, h] = hidden.dims();
        self.head(hidden.reshape([batch * seq, h]).select(0, positions))
    }

    /// The MLM head on hidden states `[rows, hidden]` → `[rows, vocab]`.
    fn head(&self, hidden: Tensor<2>) -> Tensor<2> {
        let head = &self.cls.predictions;
        let t = &head.transform;
        let x = t
            .layer_norm
            .forward(activate(t.act, t.dense.forward(hidden)));
        // The tied decoder: the word-embedding table `[vocab, hidden]`, transposed (a view).
        let decoder = self
            .bert
            .embeddings
            .word_embeddings
            .weight
            .val()
            .transpose();
        x.matmul(decoder) + head.bias.val().unsqueeze_dim::<2>(0)
    }
}
