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
    /// Train nothing: rebuild report.md, results.md, results.csv and the charts of --out
    /// from its runs' saved scores.json alone.
    #[arg(long)]
    report_only: bool,
}

pub fn run(args: ExperimentArgs) -> Result<()> {
    if args.report_only {
        cmgems_native::experiment::report_only(&args.config, &args.out)?;
        return Ok(());
    }
    let mut observers = crate::console::terminal()?;
    cmgems_native::experiment::run(&args.config, &args.out, args.backend, &mut observers)?;
    Ok(())
}
