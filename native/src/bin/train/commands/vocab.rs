//! `train vocab`: DNABERT's vocab.txt for k.

use anyhow::Result;
use clap::Args;
use cmgems_core::K;
use std::path::PathBuf;

#[derive(Args)]
pub struct VocabArgs {
    /// k-mer length (3 to 6, as DNABERT's vocabularies).
    #[arg(long, default_value_t = 6)]
    k: usize,
    /// Write the vocabulary to this file, atomically [default: standard output].
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

pub fn run(args: VocabArgs) -> Result<()> {
    let vocab = cmgems_core::Vocab::new(K::new(args.k)?);
    super::emit(args.out.as_ref(), vocab.vocab_txt().as_bytes())
}
