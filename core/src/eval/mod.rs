//! Measuring a model and its inputs (docs/algorithms.md §8-9).
//!
//! - [`metrics`]: downstream metrics, numerically the same as scikit-learn.
//! - [`probe`]: the zero-shot probe's standardisation, logistic regression and scores.
//! - [`baseline`]: the unigram baseline of masked-token perplexity.
//! - [`fewshot`]: the few-shot protocol's seeded draw of n examples per class.
//! - [`stats`]: Spearman's rank correlation between two NPMI rank tables.

pub mod baseline;
pub mod fewshot;
pub mod metrics;
pub mod probe;
pub mod stats;
