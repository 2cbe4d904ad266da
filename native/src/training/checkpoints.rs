//! The `checkpoints/` folder of a run: one `step-N` folder per checkpoint (zero-padded, so
//! names sort by step), `latest` naming the newest, the oldest pruned beyond a count, and the
//! temporary folders of a run killed while saving cleaned away. What one checkpoint holds is
//! `checkpoint.rs`'s.

use std::fs;
use std::path::{Path, PathBuf};

use super::checkpoint::{io, Checkpoint, CheckpointError};
use super::trainer::Trainer;
use crate::model::BertConfig;

/// A run's checkpoint folder, and the file in it naming the newest checkpoint.
pub const CHECKPOINTS_DIR: &str = "checkpoints";
pub const LATEST_FILE: &str = "latest";
/// The prefix of a checkpoint folder's name; only these folders are checkpoints.
const STEP_PREFIX: &str = "step-";

/// The folder name of the checkpoint after `step` optimizer steps.
pub fn step_name(step: u64) -> String {
    format!("{STEP_PREFIX}{step:08}")
}

/// The checkpoint `checkpoints/latest` of run folder `run` names; `None` before the first.
pub fn latest_checkpoint(run: &Path) -> Result<Option<PathBuf>, CheckpointError> {
    let pointer = run.join(CHECKPOINTS_DIR).join(LATEST_FILE);
    match fs::read_to_string(&pointer) {
        Ok(name) => {
            let dir = run.join(CHECKPOINTS_DIR).join(name.trim());
            if dir.is_dir() {
                Ok(Some(dir))
            } else {
                Err(CheckpointError::Dangling { pointer, dir })
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(CheckpointError::Io {
            path: pointer,
            source,
        }),
    }
}

/// What a checkpoint of a run holds besides the trainer.
pub struct RunCheckpoint<'a> {
    pub model_config: &'a BertConfig,
    /// Next batch index of the data stream.
    pub data_cursor: u64,
    /// The caller's own state (curriculum, its RNG), opaque here.
    pub state: serde_json::Value,
    /// Checkpoints kept on disk, the oldest removed first.
    pub keep: usize,
}

/// Saves `checkpoints/step-N` of run folder `run` (N = the trainer's step), points `latest`
/// at it and prunes the oldest beyond `keep`. A failed write names the last complete
/// checkpoint, which stays `latest`.
pub fn save_checkpoint(
    run: &Path,
    trainer: &Trainer,
    what: RunCheckpoint,
) -> Result<(), CheckpointError> {
    let root = run.join(CHECKPOINTS_DIR);
    fs::create_dir_all(&root).map_err(io(&root))?;
    let name = step_name(trainer.step);
    let dir = root.join(&name);
    Checkpoint::new(&dir)
        .save(trainer, what.model_config, what.data_cursor, what.state)
        .map_err(|e| CheckpointError::SaveFailed {
            dir: dir.clone(),
            source: Box::new(e),
            last: latest_checkpoint(run).ok().flatten(),
            run: run.to_path_buf(),
        })?;
    let latest = root.join(LATEST_FILE);
    crate::files::write_atomic(&latest, |w| w.write_all(name.as_bytes()))?;
    prune(&root, what.keep)
}

/// Removes the oldest `step-N` folders beyond `keep`.
fn prune(root: &Path, keep: usize) -> Result<(), CheckpointError> {
    let mut old: Vec<PathBuf> = fs::read_dir(root)
        .map_err(io(root))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_dir()
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with(STEP_PREFIX))
        })
        .collect();
    old.sort();
    for dir in old.iter().take(old.len().saturating_sub(keep)) {
        // Renamed out of the `step-N` names first: a kill during the removal must not leave
        // a half-deleted folder that looks like a checkpoint.
        let name = dir.file_name().unwrap_or_default().to_string_lossy();
        let doomed = root.join(format!(".{name}.tmp-removing"));
        fs::rename(dir, &doomed).map_err(io(dir))?;
        fs::remove_dir_all(&doomed).map_err(io(&doomed))?;
    }
    Ok(())
}

/// Removes the temporary folders (`.step-N.tmp-PID`) that a run killed while saving leaves
/// in run folder `run`; only the named `step-N` folders are checkpoints.
pub fn remove_torn_checkpoints(run: &Path) -> Result<(), CheckpointError> {
    let root = run.join(CHECKPOINTS_DIR);
    let Ok(entries) = fs::read_dir(&root) else {
        return Ok(()); // no checkpoints yet
    };
    for entry in entries {
        let path = entry.map_err(io(&root))?.path();
        let torn = path.file_name().is_some_and(|n| {
            let n = n.to_string_lossy();
            n.starts_with(&format!(".{STEP_PREFIX}")) && n.contains(".tmp-")
        });
        if torn && path.is_dir() {
            fs::remove_dir_all(&path).map_err(io(&path))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_names_sort_by_step_and_torn_folders_are_removed() {
        assert!(step_name(9) < step_name(10));
        assert_eq!(step_name(4), "step-00000004");
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join(CHECKPOINTS_DIR);
        for name in [".step-00000004.tmp-123", "step-00000002", ".other.tmp-1"] {
            fs::create_dir_all(root.join(name)).unwrap();
        }
        remove_torn_checkpoints(dir.path()).unwrap();
        let mut left: Vec<String> = fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, [".other.tmp-1", "step-00000002"]);
        prune(&root, 0).unwrap();
        assert_eq!(fs::read_dir(&root).unwrap().count(), 1);
        assert_eq!(latest_checkpoint(dir.path()).unwrap(), None);
    }
}
