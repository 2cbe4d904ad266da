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
    let selected = select_backend(name, devices)?;
    if let Some(why) = &selected.fallback {
        eprintln!("note: {why}");
    }
    Ok(selected)
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
