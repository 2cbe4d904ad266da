//! Parameter construction with HF BERT's `_init_weights`: weights ~ N(0, initializer_range),
//! biases zero, LayerNorm ones/zeros, the padding row of the word embeddings zero.
//!
//! burn's own defaults (Kaiming-uniform Linear, N(0, 1) Embedding) would train, but a model
//! started here should be statistically the one `transformers` starts from.

use burn::module::Param;
use burn::nn::{Embedding, LayerNorm, LayerNormConfig, Linear};
use burn::tensor::{Device, Distribution, Tensor};

/// A `Linear` of HF shape `[out, in]` stored the burn way (`[in, out]`).
pub(crate) fn linear(d_in: usize, d_out: usize, std: f64, device: &Device) -> Linear {
    Linear {
        weight: normal([d_in, d_out], std, device),
        bias: Some(Param::from_tensor(Tensor::zeros([d_out], device))),
    }
}

/// An embedding table; `padding_row` (if any) starts at zero as in HF.
pub(crate) fn embedding(
    rows: usize,
    dim: usize,
    std: f64,
    padding_row: Option<usize>,
    device: &Device,
) -> Embedding {
    let mut table = Tensor::<2>::random([rows, dim], Distribution::Normal(0.0, std), device);
    if let Some(row) = padding_row.filter(|&r| r < rows) {
        table = table.slice_assign([row..row + 1, 0..dim], Tensor::zeros([1, dim], device));
    }
    Embedding {
        weight: Param::from_tensor(table),
    }
}

/// Post-LN LayerNorm with BERT's epsilon.
pub(crate) fn layer_norm(dim: usize, eps: f64, device: &Device) -> LayerNorm {
    LayerNormConfig::new(dim).with_epsilon(eps).init(device)
}

fn normal<const D: usize>(shape: [usize; D], std: f64, device: &Device) -> Param<Tensor<D>> {
    Param::from_tensor(Tensor::random(
        shape,
        Distribution::Normal(0.0, std),
        device,
    ))
}
