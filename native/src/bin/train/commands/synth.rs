//! `train synth`: the embedded SYNTHETIC corpus as FASTA.

use anyhow::Result;
use clap::Args;
use cmgems_native::files::write_atomic;
use std::path::PathBuf;

#[derive(Args)]
pub struct SynthArgs {
    /// The FASTA file to write (required).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Number of records.
    #[arg(long, default_value_t = 100)]
    records: usize,
    /// Nucleotides per record.
    #[arg(long, default_value_t = 10_000)]
    record_len: usize,
    /// Seed of the generator: the same seed writes the same corpus.
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

pub fn run(args: SynthArgs) -> Result<()> {
    let SynthArgs {
        out,
        records,
        record_len,
        seed,
    } = args;
    let config = cmgems_core::input::synthetic::SyntheticConfig {
        records,
        record_len,
        seed,
        ..Default::default()
    };
    let corpus = cmgems_core::input::synthetic::generate(&config);
    write_atomic(&out, |w| {
        for (i, seq) in corpus.iter().enumerate() {
            writeln!(
                w,
                ">synthetic_{i} seed={seed} (SYNTHETIC: planted motifs and repeats)"
            )?;
            for line in seq.chunks(80) {
                w.write_all(line)?;
                w.write_all(b"\n")?;
            }
        }
        Ok(())
    })?;
    eprintln!("wrote {} synthetic records to {}", records, out.display());
    Ok(())
}
