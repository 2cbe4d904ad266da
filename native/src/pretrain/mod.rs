//! The data side of `train pretrain`: corpus, pieces, deterministic batches, prefetching.
//!
//! Every batch is a pure function of (seed, micro-batch index): the "data cursor" of a
//! checkpoint is one number, and a resumed run sees exactly the batches an unbroken run
//! would. Masking happens when a batch is consumed, because the curriculum (CM-GEMS) decides
//! the masker from evaluations the loader cannot know in advance.

pub mod batches;
pub mod config;
pub mod corpus;

pub use batches::{BatchPlan, MaskedBatch, Prefetcher, TokenBatch};
pub use config::{Masking, PretrainConfig};
pub use corpus::{Corpus, PieceSet};
