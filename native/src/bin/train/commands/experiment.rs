//! `train experiment`: the library's `experiment` with a config file and an output folder.

use anyhow::Result;
use clap::Args;
use std::path::PathBuf;

#[derive(Args)]
pub struct ExperimentArgs {
    /// The experiment file (e.g. experiments/small.toml; required).
    #[arg(long, value_name = "FILE")]
    config: PathBuf,
    /// Output folder: runs/, results.md, results.csv, the charts (*.svg), report.md. A
    /// variant whose run is there already is resumed, not repeated.
    #[arg(long, value_name = "DIR", default_value = "cmgems-experiment")]
    out: PathBuf,
    /// Backend of every run: auto, wgpu, cuda or cpu [default: the config's `backend`].
    #[arg(long)]
    backend: Option<String>,
    /// Only this genome of the config's `genomes` (repeatable) [default: all]: e.g. one
    /// process per genome, side by side, into the same --out.
    #[arg(long = "genome", value_name = "NAME")]
    genomes: Vec<String>,
    /// Train nothing: rebuild report.md, results.md, results.csv and the charts of --out
    /// from its runs' saved scores.json alone.
    #[arg(long)]
    report_only: bool,
}

pub fn run(args: ExperimentArgs) -> Result<()> {
    if args.report_only {
        cmgems_native::experiment::report_only(&args.config, &args.out, &args.genomes)?;
        return Ok(());
    }
    let mut observers = crate::console::terminal()?;
    let (config, out) = (&args.config, &args.out);
    cmgems_native::experiment::run(config, out, args.backend, &args.genomes, &mut observers)?;
    Ok(())
}
