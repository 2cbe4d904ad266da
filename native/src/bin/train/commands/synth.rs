//! `train synth`: the embedded SYNTHETIC corpus as FASTA, or (`--genome`) a synthetic
//! hg38-shaped genome for the genome-store benchmark, streamed.

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
    /// Write a synthetic genome instead: 24 records sized like hg38's chromosomes times
    /// --scale, with N runs and soft-masked stretches (random letters; for benchmarks).
    #[arg(long)]
    genome: bool,
    /// With --genome: the size relative to hg38 (1.0 = 3.1 Gbp).
    #[arg(long, default_value_t = 1.0)]
    scale: f64,
}

/// Writes the synthetic genome as FASTA in lines of 60, one chunk at a time.
fn write_genome(out: &std::path::Path, seed: u64, scale: f64) -> Result<()> {
    let genome = cmgems_core::input::synthetic_genome::SyntheticGenome { seed, scale };
    let records = genome.records();
    write_atomic(out, |w| {
        for (i, (name, _)) in records.iter().enumerate() {
            writeln!(
                w,
                ">{name} seed={seed} (SYNTHETIC genome, hg38-sized x {scale})"
            )?;
            let mut result = Ok(());
            genome.for_each_chunk(i, 60 * 16_384, |chunk| {
                for line in chunk.chunks(60) {
                    if result.is_ok() {
                        result = w.write_all(line).and_then(|()| w.write_all(b"\n"));
                    }
                }
            });
            result?;
        }
        Ok(())
    })?;
    let total: u64 = records.iter().map(|r| r.1).sum();
    eprintln!(
        "wrote a synthetic genome of {} records, {total} nt, to {}",
        records.len(),
        out.display()
    );
    Ok(())
}

pub fn run(args: SynthArgs) -> Result<()> {
    let SynthArgs {
        out,
        records,
        record_len,
        seed,
        genome,
        scale,
    } = args;
    if genome {
        return write_genome(&out, seed, scale);
    }
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
