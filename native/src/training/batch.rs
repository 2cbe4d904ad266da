//! Host-side MLM batches in HF layout (`input_ids`, `attention_mask`, `labels` with -100),
//! built from the masked batches of `crate::pretrain`, and their upload to a device.

use burn::tensor::{Device, Int, Tensor, TensorData};

use crate::model::PaddingMask;
use crate::pretrain::MaskedBatch;

/// HF's "no label here".
pub const IGNORE_LABEL: i64 = -100;

/// One MLM micro-batch, row-major `[batch, seq]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MlmBatch {
    pub batch: usize,
    pub seq: usize,
    pub input_ids: Vec<i64>,
    /// 1 for tokens, 0 for padding.
    pub attention_mask: Vec<i64>,
    /// The original token where the model must predict it, [`IGNORE_LABEL`] elsewhere.
    pub labels: Vec<i64>,
}

/// An [`MlmBatch`] uploaded to a device, with labelled positions gathered.
pub struct DeviceBatch {
    pub input_ids: Tensor<2, Int>,
    pub mask: PaddingMask,
    /// Indices into the flattened `batch * seq` tokens that carry a label.
    pub positions: Tensor<1, Int>,
    pub targets: Tensor<1, Int>,
    /// How many positions carry a label (known on the host: no device read-back).
    pub labelled: usize,
}

impl MlmBatch {
    /// True when at least one position carries a label (a micro-batch of only very short
    /// pieces can draw none; it is then skipped rather than turned into a 0/0 loss).
    pub fn has_labels(&self) -> bool {
        self.labels.iter().any(|&l| l != IGNORE_LABEL)
    }

    /// Tokens in the batch, padding included (what a tokens/s figure counts).
    pub fn tokens(&self) -> usize {
        self.batch * self.seq
    }

    /// Uploads the batch. Panics if no position is labelled: the loss would be 0/0, which HF
    /// also turns into NaN; the masker guarantees at least one.
    pub fn to_device(&self, device: &Device) -> DeviceBatch {
        let shape = [self.batch, self.seq];
        let (positions, targets): (Vec<i64>, Vec<i64>) = self
            .labels
            .iter()
            .enumerate()
            .filter(|(_, &l)| l != IGNORE_LABEL)
            .map(|(i, &l)| (i as i64, l))
            .unzip();
        assert!(
            !positions.is_empty(),
            "an MLM batch needs a labelled position"
        );
        let labelled = positions.len();
        let int2 =
            |v: &[i64]| Tensor::<2, Int>::from_data(TensorData::new(v.to_vec(), shape), device);
        let int1 =
            |v: Vec<i64>| Tensor::<1, Int>::from_data(TensorData::new(v, [labelled]), device);
        let mask = if self.attention_mask.iter().all(|&m| m == 1) {
            PaddingMask::none()
        } else {
            PaddingMask::from_attention_mask(int2(&self.attention_mask))
        };
        DeviceBatch {
            input_ids: int2(&self.input_ids),
            mask,
            positions: int1(positions),
            targets: int1(targets),
            labelled,
        }
    }
}

impl From<&MaskedBatch> for MlmBatch {
    fn from(b: &MaskedBatch) -> Self {
        MlmBatch {
            batch: b.rows,
            seq: b.seq_len,
            input_ids: b.input_ids.iter().map(|&v| v as i64).collect(),
            attention_mask: b.attention.iter().map(|&v| v as i64).collect(),
            labels: b.labels.iter().map(|&v| v as i64).collect(),
        }
    }
}
