//! Why a pretraining run could not start, continue or finish. Each names the file, the
//! checkpoint or the flag that fixes it.

use std::path::{Path, PathBuf};

use super::config::ConfigError;

#[derive(Debug, thiserror::Error)]
pub enum PretrainError {
    #[error("invalid configuration: {0}")]
    Config(#[from] ConfigError),
    #[error("{path}: {source}")]
    ConfigFile { path: PathBuf, source: ConfigError },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Input(#[from] crate::NativeError),
    #[error(transparent)]
    Core(#[from] cmgems_core::CoreError),
    #[cfg(feature = "train")]
    #[error(transparent)]
    Model(#[from] crate::model::ConfigError),
    #[cfg(feature = "train")]
    #[error(transparent)]
    Checkpoint(#[from] crate::training::CheckpointError),
    #[error("{0} already holds a run; resume it or choose another output folder")]
    AlreadyRun(PathBuf),
    #[error("the corpus is too small to hold out pieces for the perplexity evaluation")]
    NoHeldOut,
    #[error("counting the NPMI table from {corpus} (lower min_count or give a table): {source}")]
    Table {
        corpus: String,
        source: cmgems_core::CoreError,
    },
    #[cfg(feature = "train")]
    #[error(
        "{source}\nthe checkpoint {dir} cannot be loaded; to resume from an earlier one, write \
         its folder name (step-N) into {latest}"
    )]
    Unloadable {
        source: Box<crate::training::CheckpointError>,
        dir: PathBuf,
        latest: PathBuf,
    },
    #[error(
        "{dir} holds a model of {saved}, but {config} asks for {name} ({wanted}); resume with \
         the config the run was started with, or start a new run"
    )]
    OtherModel {
        dir: PathBuf,
        saved: String,
        config: PathBuf,
        name: String,
        wanted: String,
    },
    #[error("{dir}: run state: {source}")]
    RunState {
        dir: PathBuf,
        source: serde_json::Error,
    },
    #[error("the loss became {loss} at step {step}; stopping. The last good checkpoint is {last}")]
    Diverged { loss: f32, step: u64, last: String },
}

impl PretrainError {
    #[cfg_attr(not(feature = "train"), allow(dead_code))] // setup.rs (train) uses it
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        PretrainError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
