//! `train pretrain` as a library: the config, the data side (corpus, pieces, deterministic
//! batches, prefetching), the loop ([`run()`]) and its log files as an observer.
//!
//! Every batch is a pure function of (seed, micro-batch index): the "data cursor" of a
//! checkpoint is one number, and a resumed run sees exactly the batches an unbroken run
//! would. Masking happens when a batch is consumed, because the curriculum (CM-GEMS) decides
//! the masker from evaluations the loader cannot know in advance.

pub mod batches;
pub mod config;
pub mod corpus;
pub mod error;
pub mod observer;
#[cfg(feature = "train")]
pub mod run;
#[cfg(feature = "train")]
pub mod setup;

pub use batches::{BatchPlan, MaskedBatch, Prefetcher, TokenBatch};
pub use config::{
    CheckpointConfig, ConfigError, DataConfig, EvaluationConfig, Masking, MaskingConfig,
    ModelConfig, PretrainConfig, ScheduleConfig,
};
pub use corpus::{Corpus, PieceSet};
pub use error::PretrainError;
pub use observer::{EvalRecord, JsonlLogs, StepRecord, SwitchRecord};
#[cfg(feature = "train")]
pub use run::{held_out_of_checkpoints, run, HeldOut, Summary};
#[cfg(feature = "train")]
pub use setup::{check_model, config_of, default_seq_len, model_config, CONFIG_FILE};
