//! `train gue`: fine-tune and score every GUE task under a root (DNABERT-2's Table 2).

use anyhow::Result;
use clap::{ArgMatches, Args};
use cmgems_native::events::{Event, OnEvent, Stage};
use cmgems_native::finetune::gue::{self, GuePlan};
use std::path::PathBuf;

use super::tune::{report_line, TuneArgs};

/// `train gue`.
#[derive(Args, Debug)]
pub struct GueArgs {
    /// The GUE folder (EMP/, prom/, splice/, virus/, mouse/, tf/ inside; required).
    #[arg(long, value_name = "DIR")]
    pub root: PathBuf,
    #[command(flatten)]
    pub tune: TuneArgs,
    /// Only these tasks, comma separated (e.g. prom/prom_core_all,tf/0) [default: all 28].
    #[arg(long, value_name = "TASKS", value_delimiter = ',')]
    pub tasks: Vec<String>,
    /// Use only N training examples of each task, spread over the file, for quick runs
    /// [default: all].
    #[arg(long, value_name = "N")]
    pub max_train: Option<usize>,
    /// Score on N test examples spread over the file, for quick runs [default: all].
    #[arg(long, value_name = "N")]
    pub test_limit: Option<usize>,
    /// Seed of every task's new head, batch order and dropout.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Output folder: results.md, results.csv and a metrics JSON per task.
    #[arg(long, value_name = "DIR", default_value = "cmgems-gue")]
    pub out: PathBuf,
}

pub fn run(args: GueArgs, matches: &ArgMatches) -> Result<()> {
    let plan = GuePlan {
        root: args.root.clone(),
        tasks: args.tasks.clone(),
        overrides: args.tune.patch(matches)?,
        max_train: args.max_train,
        test_limit: args.test_limit,
        seed: args.seed,
        eval_batch: args.tune.eval_batch,
        out: args.out.clone(),
    };
    let start = args.tune.start()?;
    let scores = OnEvent(|e: &Event| {
        if let Event::Scored {
            stage: Stage::Finetune { task },
            report,
            ..
        } = e
        {
            println!("{}", report_line(task, report));
        }
    });
    let mut observers = crate::console::terminal()?.with(scores);
    let results = gue::run(&start, &plan, &mut observers)?;
    print!("{}", results.markdown);
    eprintln!(
        "wrote {} and results.csv",
        args.out.join("results.md").display()
    );
    Ok(())
}
