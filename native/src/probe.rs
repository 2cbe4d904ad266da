//! The zero-shot probe's embedding side (docs/algorithms.md §9): a frozen pretrained encoder
//! turns each sequence into one vector, and core's `run_probe` fits a logistic regression on
//! the train split's vectors and scores the test split's. One forward pass per sequence and
//! no fine-tuning, so the score has no fine-tuning variance.

use burn::tensor::{Device, Tensor, TensorData};
use cmgems_core::eval::probe::{run_probe, Features, LogisticConfig, ProbeReport};
use cmgems_core::tokenize::vocab::{CLS_ID, PAD_ID, SEP_ID};
use serde::{Deserialize, Serialize};

use crate::finetune::classifier::{map_batches, metrics_error};
use crate::finetune::{FinetuneError, InitSource, LabeledSet};
use crate::model::BertModel;

/// How a sequence's last-layer hidden states become one vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pool {
    /// The mean over the k-mer tokens: not `[PAD]`, `[CLS]` or `[SEP]` (the benchmarks' form).
    Mean,
    /// The `[CLS]` state (position 0).
    Cls,
}

/// The encoder of `init` (an MLM checkpoint, a HF folder or a preset), without its heads.
/// A preset's random weights are drawn from `seed`, so a "no pretraining" probe repeats.
pub fn encoder(init: &InitSource, device: &Device, seed: u64) -> Result<BertModel, FinetuneError> {
    device.seed(seed);
    Ok(init.masked_lm(device)?.0.bert)
}

impl Pool {
    /// The `--pool` value.
    pub fn name(self) -> &'static str {
        match self {
            Pool::Mean => "mean",
            Pool::Cls => "cls",
        }
    }
}

/// Pools hidden states `[rows, seq, hidden]` of the padded token ids `ids` (row-major
/// `[rows, seq]`) into `[rows, hidden]`. A row without a k-mer token pools to zeros.
pub fn pool(hidden: Tensor<3>, ids: &[i64], pool: Pool) -> Tensor<2> {
    let [rows, seq, width] = hidden.dims();
    match pool {
        Pool::Cls => hidden
            .slice([0..rows, 0..1, 0..width])
            .reshape([rows, width]),
        Pool::Mean => {
            let special = [PAD_ID, CLS_ID, SEP_ID].map(i64::from);
            let keep: Vec<f32> = ids
                .iter()
                .map(|id| f32::from(u8::from(!special.contains(id))))
                .collect();
            let counts: Vec<f32> = keep
                .chunks_exact(seq)
                .map(|row| row.iter().sum::<f32>().max(1.0))
                .collect();
            let device = hidden.device();
            let keep = Tensor::<3>::from_data(TensorData::new(keep, [rows, seq, 1]), &device);
            let counts = Tensor::<2>::from_data(TensorData::new(counts, [rows, 1]), &device);
            (hidden * keep).sum_dim(1).reshape([rows, width]) / counts
        }
    }
}

/// Embeds every example of `set` in batches of `batch_size`, row-major `[n, hidden]`. The
/// device should not be an autodiff one: no gradient is needed (and dropout stays off).
pub fn embed(
    model: &BertModel,
    set: &LabeledSet,
    device: &Device,
    batch_size: usize,
    how: Pool,
) -> Vec<f64> {
    map_batches(set, device, batch_size, |host, ids, mask| {
        pool(model.forward(ids, mask), &host.ids, how)
    })
}

/// Embeds both splits and runs the probe (C = 1, docs/algorithms.md §9).
pub fn probe(
    model: &BertModel,
    (train, test): (&LabeledSet, &LabeledSet),
    device: &Device,
    batch_size: usize,
    how: Pool,
) -> Result<ProbeReport, FinetuneError> {
    let n_classes = train.num_classes().max(2);
    test.check_labels(n_classes)?;
    let (a, b) = (
        embed(model, train, device, batch_size, how),
        embed(model, test, device, batch_size, how),
    );
    let (fa, fb) = (features(train, &a)?, features(test, &b)?);
    run_probe(
        (&fa, &train.labels()),
        (&fb, &test.labels()),
        n_classes,
        &LogisticConfig::default(),
    )
    .map_err(|e| metrics_error(test, e))
}

/// The embeddings of `set` as core's features (errors name the file).
fn features<'a>(set: &LabeledSet, values: &'a [f64]) -> Result<Features<'a>, FinetuneError> {
    let width = values.len() / set.len().max(1);
    Features::new(values, width).map_err(|e| metrics_error(set, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Mean pooling averages the k-mer positions only; [CLS] pooling takes position 0.
    #[test]
    fn pooling_leaves_out_the_special_tokens() {
        let device = Device::flex();
        // Two rows of 4 positions, 2 features: [CLS] 10 11 [SEP] and [CLS] 12 [SEP] [PAD].
        let ids = [2, 10, 11, 3, 2, 12, 3, 0];
        let hidden: Vec<f32> = vec![
            100.0, 100.0, 1.0, 2.0, 3.0, 6.0, -50.0, 7.0, // row 0
            -9.0, 9.0, 5.0, -5.0, 40.0, 40.0, 80.0, 80.0, // row 1
        ];
        let hidden = Tensor::<3>::from_data(TensorData::new(hidden, [2, 4, 2]), &device);
        let values = |t: Tensor<2>| t.into_data().try_to_vec::<f32>().unwrap();
        assert_eq!(
            values(pool(hidden.clone(), &ids, Pool::Mean)),
            [2.0, 4.0, 5.0, -5.0]
        );
        assert_eq!(
            values(pool(hidden.clone(), &ids, Pool::Cls)),
            [100.0, 100.0, -9.0, 9.0]
        );
        // A row of specials only pools to zeros, not NaN.
        let only = [2, 3, 0, 0, 2, 12, 3, 0];
        assert_eq!(
            values(pool(hidden, &only, Pool::Mean)),
            [0.0, 0.0, 5.0, -5.0]
        );
    }
}
