//! `train gue`: fine-tune and score every GUE task under a root (DNABERT-2's Table 2).

use anyhow::{bail, Context, Result};
use clap::Args;
use cmgems_native::files::write_atomic;
use cmgems_native::finetune::gue::{self, TaskScore};
use cmgems_native::finetune::{evaluate, Recipe};
use serde_json::json;
use std::path::PathBuf;

use super::tune::{load, report_line, write_json, Start, TuneArgs};

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

pub fn run(args: GueArgs) -> Result<()> {
    if !args.root.is_dir() {
        bail!("{}: not a folder", args.root.display());
    }
    for t in &args.tasks {
        if Recipe::gue(t).is_none() {
            bail!("--tasks: {t:?} is not a GUE task (e.g. prom/prom_core_all, tf/0, EMP/H3)");
        }
    }
    let start = Start::new(&args.tune)?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let mut scores = Vec::new();
    for task in gue::discover(&args.root) {
        let wanted = args.tasks.is_empty()
            || args
                .tasks
                .iter()
                .any(|t| Recipe::gue(t).is_some_and(|r| r.name == format!("gue:{}", task.name)));
        let score = |mcc, note: &str| TaskScore {
            task: task.name.into(),
            human: task.human,
            mcc,
            note: note.into(),
        };
        let Some(files) = task.files.clone() else {
            eprintln!(
                "{}: absent (no train and test files under {})",
                task.name,
                task.dir.display()
            );
            scores.push(score(None, "absent"));
            continue;
        };
        if !wanted {
            scores.push(score(None, "skipped"));
            continue;
        }
        let recipe = args
            .tune
            .recipe(Recipe::gue(task.name).expect("catalogue task"))?;
        let tokenizer = start.tokenizer(&recipe)?;
        let mut train_set = load(files.train.as_ref().expect("present"), &tokenizer)?;
        if let Some(n) = args.max_train {
            train_set = train_set.spread_sample(n);
        }
        let mut test = load(files.test.as_ref().expect("present"), &tokenizer)?;
        if let Some(n) = args.test_limit {
            test = test.spread_sample(n);
        }
        let num_labels = train_set.num_classes().max(test.num_classes()).max(2);
        let config = recipe.model_config(&start.config);
        let (model, _) = start.fit(
            &config, num_labels, &train_set, &recipe, args.seed, task.name,
        )?;
        let r = evaluate(
            &model,
            &test,
            &start.device,
            args.tune.eval_batch,
            num_labels,
        )?;
        println!("{}", report_line(task.name, &r));
        let file = args
            .out
            .join(format!("{}.json", task.name.replace('/', "_")));
        write_json(
            &file,
            &json!({"task": task.name, "recipe": recipe, "test": r}),
        )?;
        scores.push(score(Some(r.mcc), ""));
    }
    let md = gue::table_markdown(&scores);
    write_atomic(&args.out.join("results.md"), |w| w.write_all(md.as_bytes()))?;
    let csv = gue::table_csv(&scores);
    write_atomic(&args.out.join("results.csv"), |w| {
        w.write_all(csv.as_bytes())
    })?;
    print!("{md}");
    eprintln!(
        "wrote {} and results.csv",
        args.out.join("results.md").display()
    );
    Ok(())
}
