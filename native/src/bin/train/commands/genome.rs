//! `train genome`: build a `.2bit` genome store from FASTA (gzipped or not), streaming.

use anyhow::Result;
use clap::Args;
use cmgems_native::genome::build_store;
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

#[derive(Args)]
pub struct GenomeArgs {
    /// FASTA files (optionally .gz), read in order; record names must be unique across them.
    #[arg(long, value_name = "FILE", num_args = 1.., required = true)]
    fasta: Vec<PathBuf>,
    /// The store to write (UCSC .2bit); its sources are recorded beside it in
    /// OUT.sources.json, so a store older than its FASTA is refused later.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

pub fn run(args: GenomeArgs) -> Result<()> {
    let start = std::time::Instant::now();
    let summary = build_store(&args.fasta, &args.out, Arc::new(AtomicU64::new(0)))?;
    for warning in &summary.warnings {
        eprintln!("warning: {warning}");
    }
    eprintln!(
        "wrote {} (.2bit version {}): {} records, {} nucleotides ({} N, {} soft-masked) in {:.1} s",
        args.out.display(),
        summary.version,
        summary.records,
        summary.nucleotides,
        summary.n,
        summary.masked,
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
