//! One file per subcommand: its flags (`Args`, clap derive) and its `run`, which turns the
//! flags into the library's configs and calls it. Helpers shared by several commands are
//! here.

pub mod bench;
pub mod demo;
pub mod devices;
pub mod experiment;
pub mod export;
pub mod fewshot;
pub mod finetune;
pub mod genome;
pub mod gue;
pub mod mask;
pub mod npmi;
pub mod pretrain;
pub mod probe;
pub mod synth;
pub mod tune;
pub mod vocab;

use anyhow::Result;
use cmgems_native::backend::{select_backend, Selected};
use cmgems_native::files::write_atomic;
use std::io::Write;
use std::path::PathBuf;

/// `--backend NAME --devices N` as the library selects them, saying on standard error when it
/// fell back to the CPU and why.
pub fn backend(name: &str, devices: usize) -> Result<Selected> {
    // Every command that selects devices has `--backend`/`--devices` flags named as the keys.
    let selected =
        select_backend(name, devices).map_err(|e| anyhow::anyhow!("--{}: {e}", e.key()))?;
    if let Some(why) = &selected.fallback {
        eprintln!("note: {why}");
    }
    Ok(selected)
}

/// The flag among `A`'s that sets a library config key (`optimizer.lr` → `--lr`,
/// `warmup.ratio` → `--warmup-ratio`): the key with `_` for `.`, else its last part.
/// `None` for keys no flag sets (config.toml only).
pub fn flag_of<A: clap::Args>(key: &str) -> Option<String> {
    let command = A::augment_args(clap::Command::new("flags"));
    let joined = key.replace('.', "_");
    let last = key.rsplit('.').next().unwrap_or(key);
    let flag = [joined.as_str(), last].into_iter().find_map(|id| {
        let arg = command.get_arguments().find(|a| a.get_id() == id)?;
        arg.get_long().map(|long| format!("--{long}"))
    });
    flag
}

/// `error`, led by the flag that sets `key` if `A` has one (as ripgrep's parser adds the
/// flag to an error): `--lr: optimizer.lr 0 must be a positive number`.
pub fn with_flag<A: clap::Args, E>(key: Option<&str>, error: E) -> anyhow::Error
where
    E: std::error::Error + Send + Sync + 'static,
{
    match key.and_then(flag_of::<A>) {
        Some(flag) => anyhow::anyhow!("{flag}: {error}"),
        None => error.into(),
    }
}

/// Writes to a file atomically, or to standard output.
pub fn emit(out: Option<&PathBuf>, bytes: &[u8]) -> Result<()> {
    match out {
        Some(path) => Ok(write_atomic(path, |w| w.write_all(bytes))?),
        None => Ok(std::io::stdout().lock().write_all(bytes)?),
    }
}

/// `--rank-lookup`: how a masker looks up a position's NPMI rank.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum LookupArg {
    /// By the k-mer at the position (as the papers describe).
    Kmer,
    /// By the position's index in the rank table (as the authors' code does).
    Position,
}

impl From<LookupArg> for cmgems_core::RankLookup {
    fn from(l: LookupArg) -> Self {
        match l {
            LookupArg::Kmer => cmgems_core::RankLookup::Kmer,
            LookupArg::Position => cmgems_core::RankLookup::Position,
        }
    }
}
