//! A hand-written MLM training loop rather than burn-train's `Learner`: exact resume needs the
//! model, optimizer, schedule position, RNG stream and data cursor under our control, and the
//! `Learner` owns its loop, its checkpoint layout and its data loader.

mod batch;
mod checkpoint;
mod checkpoints;
mod clip;
mod loss;
mod schedule;
mod trainer;

pub use batch::{DeviceBatch, MlmBatch, IGNORE_LABEL};
pub use checkpoint::{Checkpoint, CheckpointError, TrainState};
pub use checkpoints::{
    latest_checkpoint, remove_torn_checkpoints, save_checkpoint, step_name, RunCheckpoint,
    CHECKPOINTS_DIR, LATEST_FILE,
};
pub use clip::clip_grad_norm;
pub use loss::cross_entropy;
pub use schedule::LinearWarmupDecay;
pub use trainer::{micro_batch_seed, Trainer, TrainerConfig};
