//! `train fewshot`: the few-shot protocol, n examples per class over seeds, mean ± std.

use anyhow::{bail, Result};
use clap::{ArgMatches, Args};
use cmgems_native::finetune::fewshot::{self, FewshotSetup, ShotData};
use cmgems_native::finetune::{load, write_json, Recipe};
use std::collections::BTreeMap;
use std::path::PathBuf;

use super::tune::TuneArgs;

/// `train fewshot`.
#[derive(Args, Debug)]
pub struct FewshotArgs {
    /// A labelled file to draw n examples per class from with each seed, or a folder of
    /// published few-shot files laid out as N/train.tsv (GeneMask's Prom-core/10/train.tsv;
    /// required).
    #[arg(long, value_name = "PATH")]
    pub train: PathBuf,
    /// The labelled test file every run is scored on (required).
    #[arg(long, value_name = "FILE")]
    pub test: PathBuf,
    /// Shot counts, in examples per class, comma separated.
    #[arg(long, value_delimiter = ',', default_value = "10,50")]
    pub shots: Vec<usize>,
    /// Number of seeds (0, 1, .. N-1) per shot count.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub seeds: u64,
    #[command(flatten)]
    pub tune: TuneArgs,
    /// Score on N test examples spread over the file, for quick runs [default: all].
    #[arg(long, value_name = "N")]
    pub test_limit: Option<usize>,
    /// Write the results as JSON here [default: standard output only].
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub fn run(args: FewshotArgs, matches: &ArgMatches) -> Result<()> {
    if args.shots.is_empty() || args.shots.contains(&0) || args.seeds == 0 {
        bail!("--shots needs positive counts and --seeds at least 1");
    }
    let start = args.tune.start()?;
    let mut observers = crate::console::terminal()?;
    let recipes: BTreeMap<usize, Recipe> = args
        .shots
        .iter()
        .map(|&n| Ok((n, args.tune.recipe(Recipe::fewshot(n), matches)?)))
        .collect::<Result<_>>()?;
    let widest = recipes.values().map(|r| r.max_len).max().unwrap_or(512);
    let mut longest = recipes[&args.shots[0]].clone();
    longest.max_len = widest;
    let tokenizer = start.tokenizer(&longest)?;
    let mut test = load(&args.test, &tokenizer, &mut observers)?;
    if let Some(n) = args.test_limit {
        test = test.spread_sample(n);
    }
    let data = ShotData::load(&args.train, &args.shots, &tokenizer)?;
    for set in data.sets() {
        eprintln!("{}", set.summary());
    }
    let num_labels = data.num_classes().max(test.num_classes()).max(2);
    let config = recipes[&args.shots[0]].model_config(&start.config);
    let recipe_of = |n: usize| recipes[&n].clone();
    let setup = FewshotSetup {
        init: &start.init,
        config: &config,
        num_labels,
        recipe: &recipe_of,
        device: &start.device,
        eval_batch: args.tune.eval_batch,
    };
    let seeds: Vec<u64> = (0..args.seeds).collect();
    let shots = (args.shots.as_slice(), seeds.as_slice());
    let results = fewshot::run(&setup, &data, &test, shots, &mut observers)?;
    print!("{}", fewshot::results_markdown(&results, seeds.len()));
    if let Some(out) = &args.out {
        write_json(out, &fewshot::results_json(&results))?;
        eprintln!("wrote {}", out.display());
    }
    Ok(())
}
