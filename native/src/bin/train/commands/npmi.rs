//! `train npmi`: count an NPMI table from FASTA, import the authors' CSV, or show a table.

use anyhow::{bail, Context, Result};
use clap::Args;
use cmgems_core::K;
use cmgems_native::{npmi_job, tables};
use std::path::{Path, PathBuf};

#[derive(Args)]
#[group(skip)]
pub struct NpmiArgs {
    /// FASTA/FASTQ files (optionally .gz) or .2bit genome stores to count k-mers and their PMI
    /// from (one of --fasta, --import-genemask and --show is required).
    #[arg(long, value_name = "FILE", num_args = 1.., group = "source")]
    fasta: Vec<PathBuf>,
    /// Convert the GeneMask authors' ranking CSV to a cmgems table (or --fasta or --show is
    /// required).
    #[arg(long, value_name = "CSV", group = "source")]
    import_genemask: Option<PathBuf>,
    /// Print the top k-mers of a table, JSON or the authors' CSV (or --fasta or
    /// --import-genemask is required).
    #[arg(long, value_name = "TABLE", group = "source")]
    show: Option<PathBuf>,
    /// k-mer length.
    #[arg(long, default_value_t = 6)]
    k: usize,
    /// The minimum count c, in occurrences: rarer k-mers get no score (the authors used 101).
    #[arg(long, default_value_t = 101)]
    min_count: u64,
    /// Where to write the table (JSON); required with --fasta and --import-genemask.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// How many k-mers --show prints.
    #[arg(long, default_value_t = 20)]
    top: usize,
    /// With --show: the Spearman correlation of the ranks with this other table [default:
    /// none].
    #[arg(long, value_name = "TABLE")]
    compare: Option<PathBuf>,
}

pub fn run(args: NpmiArgs) -> Result<()> {
    let k = K::new(args.k)?;
    if let Some(path) = &args.show {
        return show(&args, path);
    }
    if args.fasta.is_empty() && args.import_genemask.is_none() {
        bail!("say what to do: --fasta FILE.., --import-genemask CSV or --show TABLE");
    }
    let Some(out) = &args.out else {
        bail!("--out FILE is needed to write the table");
    };
    let table = if let Some(csv) = &args.import_genemask {
        tables::load_table(csv, Some(k))?
    } else {
        let config = npmi_job::CountConfig {
            files: args.fasta.clone(),
            k,
        };
        let start = std::time::Instant::now();
        let (bar, mut report) = crate::console::counting_bar();
        let table = npmi_job::table_from_files(&config, args.min_count, &mut report);
        bar.finish_and_clear();
        let table = table?;
        eprintln!(
            "counted {} files in {:.2} s; {} of {} {k}-mers reach the minimum count {}",
            args.fasta.len(),
            start.elapsed().as_secs_f64(),
            table.scored(),
            k.kmer_count(),
            args.min_count
        );
        table
    };
    tables::save_table(&table, out).with_context(|| format!("writing {}", out.display()))?;
    eprintln!("wrote {}", out.display());
    Ok(())
}

/// `--show TABLE [--compare OTHER]`.
fn show(args: &NpmiArgs, path: &Path) -> Result<()> {
    let table = tables::load_table(path, None)?;
    print!("{}", cmgems_native::report::top_table(&table, args.top));
    if let Some(other_path) = &args.compare {
        let other = tables::load_table(other_path, Some(table.k()))?;
        let rho = cmgems_core::eval::stats::spearman(table.rank_table(), other.rank_table())?;
        println!(
            "Spearman rank correlation with {}: {rho:.4}",
            other_path.display()
        );
    }
    Ok(())
}
