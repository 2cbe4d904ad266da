//! BERT as HuggingFace lays it out, so that every parameter path maps to one HF key.
//!
//! Field names follow HF where Rust allows; the two exceptions (`LayerNorm` is not snake case,
//! `self` is a keyword) are fixed by the key mapping in [`crate::hf`].

mod attention;
mod classify;
mod config;
mod embeddings;
mod encoder;
mod init;
mod mask;
mod mlm;
mod pooler;

pub use attention::{BertAttention, BertSelfAttention, BertSelfOutput};
pub use classify::BertForSequenceClassification;
pub use config::{BertConfig, ConfigError, HiddenAct, Preset};
pub use embeddings::BertEmbeddings;
pub use encoder::{BertEncoder, BertIntermediate, BertLayer, BertModel, BertOutput};
pub use mask::PaddingMask;
pub use mlm::{
    BertForMaskedLM, BertLmPredictionHead, BertOnlyMlmHead, BertPredictionHeadTransform,
};
pub use pooler::BertPooler;
