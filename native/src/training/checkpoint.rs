//! Checkpoints that resume bit-exactly: model and optimizer in burnpack (which keeps each
//! parameter's `ParamId`, the key AdamW's moments are stored under), the rest as JSON.
//!
//! A checkpoint is a directory written under a temporary name and renamed into place, so a
//! run killed mid-save leaves the previous checkpoint whole and no half-written one. Where
//! checkpoints live in a run folder (`step-N`, `latest`, pruning) is `checkpoints.rs`'s.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use burn::module::Module;
use burn::store::RecordError;
use serde::{Deserialize, Serialize};

use super::trainer::{Trainer, TrainerConfig};
use crate::model::{BertConfig, BertForMaskedLM};

const MODEL_FILE: &str = "model.bpk";
const OPTIM_FILE: &str = "optim.bpk";
const STATE_FILE: &str = "state.json";
const CONFIG_FILE: &str = "config.json";

/// Everything besides tensors that the next step depends on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainState {
    /// Optimizer steps done: the schedule position and the dropout-seed position.
    pub step: u64,
    /// Run seed (dropout streams are derived from it and `step`).
    pub seed: u64,
    /// Next batch index of the data stream.
    pub data_cursor: u64,
    #[serde(deserialize_with = "TrainerConfig::deserialize_either")]
    pub optim: TrainerConfig,
    /// The caller's own state (curriculum, its RNG, counters), opaque here.
    #[serde(default)]
    pub run: serde_json::Value,
}

/// Why a checkpoint could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Record { path: PathBuf, message: String },
    #[error("{path}: {source}")]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error(transparent)]
    Config(#[from] crate::model::ConfigError),
    #[error(transparent)]
    Write(#[from] crate::NativeError),
    #[error("{pointer} names {dir}, which does not exist")]
    Dangling { pointer: PathBuf, dir: PathBuf },
    #[error(
        "writing the checkpoint {dir} failed (a full disk?): {source}\nthe last complete \
         checkpoint is {}; resume the run {} from it",
        .last.as_ref().map_or("none".into(), |p| p.display().to_string()),
        .run.display()
    )]
    SaveFailed {
        dir: PathBuf,
        source: Box<CheckpointError>,
        last: Option<PathBuf>,
        run: PathBuf,
    },
}

pub(super) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> CheckpointError + '_ {
    move |source| CheckpointError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn record(path: &Path) -> impl FnOnce(RecordError) -> CheckpointError + '_ {
    move |e| CheckpointError::Record {
        path: path.to_path_buf(),
        message: shorten(e.to_string()),
    }
}

/// burn lists every mismatched tensor of a model of another shape (dozens of lines): the
/// first few say what is wrong.
fn shorten(mut message: String) -> String {
    const MAX: usize = 400;
    if message.len() > MAX {
        let mut end = MAX;
        while !message.is_char_boundary(end) {
            end -= 1;
        }
        message.truncate(end);
        message.push_str(" ...");
    }
    message
}

/// A checkpoint directory.
#[derive(Debug, Clone)]
pub struct Checkpoint {
    pub dir: PathBuf,
}

impl Checkpoint {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// Writes the trainer's state; `data_cursor` is the caller's (the loader's) position.
    pub fn save(
        &self,
        trainer: &Trainer,
        model_config: &BertConfig,
        data_cursor: u64,
        run: serde_json::Value,
    ) -> Result<(), CheckpointError> {
        let name = self
            .dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "checkpoint".into());
        let tmp = self
            .dir
            .with_file_name(format!(".{name}.tmp-{}", std::process::id()));
        if tmp.exists() {
            fs::remove_dir_all(&tmp).map_err(io(&tmp))?;
        }
        fs::create_dir_all(&tmp).map_err(io(&tmp))?;
        // A failed write (a full disk) must not leave a half checkpoint behind.
        let written = Self::write_files(&tmp, trainer, model_config, data_cursor, run);
        if let Err(e) = written {
            let _ = fs::remove_dir_all(&tmp);
            return Err(e);
        }

        if self.dir.exists() {
            let old = self
                .dir
                .with_file_name(format!(".{name}.old-{}", std::process::id()));
            fs::rename(&self.dir, &old).map_err(io(&self.dir))?;
            fs::rename(&tmp, &self.dir).map_err(io(&self.dir))?;
            fs::remove_dir_all(&old).map_err(io(&old))?;
        } else {
            fs::rename(&tmp, &self.dir).map_err(io(&self.dir))?;
        }
        if let Some(parent) = self.dir.parent() {
            sync_dir(parent)?;
        }
        Ok(())
    }

    /// The files of a checkpoint into `tmp`, synced.
    fn write_files(
        tmp: &Path,
        trainer: &Trainer,
        model_config: &BertConfig,
        data_cursor: u64,
        run: serde_json::Value,
    ) -> Result<(), CheckpointError> {
        let model_path = tmp.join(MODEL_FILE);
        trainer
            .model()
            .clone()
            .save_file(&model_path)
            .map_err(record(&model_path))?;
        let optim_path = tmp.join(OPTIM_FILE);
        trainer
            .optim
            .save(&optim_path)
            .map_err(record(&optim_path))?;
        let state = TrainState {
            step: trainer.step,
            seed: trainer.seed,
            data_cursor,
            optim: trainer.config.clone(),
            run,
        };
        let state_json = serde_json::to_string_pretty(&state).expect("state serialises");
        write_synced(&tmp.join(STATE_FILE), state_json.as_bytes())?;
        write_synced(
            &tmp.join(CONFIG_FILE),
            model_config.to_hf_json("BertForMaskedLM").as_bytes(),
        )?;
        sync_dir(tmp)?;
        Ok(())
    }

    /// Rebuilds a trainer on `device` (autodiff) and returns it with the saved state.
    pub fn load(
        &self,
        device: &burn::tensor::Device,
    ) -> Result<(Trainer, TrainState, BertConfig), CheckpointError> {
        let config = BertConfig::from_json_file(&self.dir.join(CONFIG_FILE))?;
        let state_path = self.dir.join(STATE_FILE);
        let text = fs::read_to_string(&state_path).map_err(io(&state_path))?;
        let state: TrainState =
            serde_json::from_str(&text).map_err(|source| CheckpointError::Json {
                path: state_path.clone(),
                source,
            })?;
        let model_path = self.dir.join(MODEL_FILE);
        let model = BertForMaskedLM::new(&config, device)
            .try_load_file(&model_path)
            .map_err(record(&model_path))?;
        let optim_path = self.dir.join(OPTIM_FILE);
        let optim = state
            .optim
            .optimizer()
            .load(&optim_path)
            .map_err(record(&optim_path))?;
        let mut trainer = Trainer::new(model, state.optim.clone(), state.seed, device.clone());
        trainer.replace_optim(optim);
        trainer.step = state.step;
        Ok((trainer, state, config))
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), CheckpointError> {
    let mut file = fs::File::create(path).map_err(io(path))?;
    file.write_all(bytes).map_err(io(path))?;
    file.sync_all().map_err(io(path))
}

fn sync_dir(path: &Path) -> Result<(), CheckpointError> {
    fs::File::open(path)
        .and_then(|d| d.sync_all())
        .map_err(io(path))
}
