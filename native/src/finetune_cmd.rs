//! `train finetune | fewshot | gue | export`: flags → recipes and sources of the library's
//! `finetune` module, progress on the terminal, results as JSON / Markdown / CSV.

use anyhow::{bail, Context, Result};
use clap::Args;
use cmgems_core::{ClassificationReport, Tokenizer, K};
use cmgems_native::files::write_atomic;
use cmgems_native::finetune::fewshot::{self, FewshotSetup, ShotData};
use cmgems_native::finetune::gue::{self, TaskScore};
use cmgems_native::finetune::{
    evaluate, fit, InitSource, LabeledSet, Recipe, SplitFiles, StepInfo, Warmup,
};
use cmgems_native::hf::write_hf_folder;
use cmgems_native::model::BertConfig;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Flags shared by every fine-tuning command: where to start, the device, and the recipe
/// values (each overrides the recipe's default).
#[derive(Args, Debug, Clone)]
pub struct TuneArgs {
    /// Starting weights: a `train pretrain` run folder (its latest checkpoint), a checkpoint
    /// folder, a HuggingFace folder (config.json + model.safetensors or pytorch_model.bin,
    /// e.g. DNABERT's published models), or preset:tiny|logo|dnabert6 (random weights).
    #[arg(long)]
    pub init: String,
    /// auto (a GPU through wgpu, else the CPU) | wgpu | cuda | cpu.
    #[arg(long, default_value = "auto")]
    pub backend: String,
    #[arg(long)]
    pub lr: Option<f64>,
    #[arg(long)]
    pub epochs: Option<usize>,
    #[arg(long)]
    pub batch_size: Option<usize>,
    /// Model positions per example, [CLS] and [SEP] included.
    #[arg(long)]
    pub max_len: Option<usize>,
    #[arg(long, conflicts_with = "warmup_ratio")]
    pub warmup_steps: Option<u64>,
    #[arg(long)]
    pub warmup_ratio: Option<f64>,
    #[arg(long)]
    pub weight_decay: Option<f32>,
    /// Dropout of encoder and head (the recipe's, or else the initial model's).
    #[arg(long)]
    pub dropout: Option<f64>,
    #[arg(long)]
    pub max_steps: Option<u64>,
    /// Batch size for evaluation.
    #[arg(long, default_value_t = 64)]
    pub eval_batch: usize,
}

impl TuneArgs {
    /// `base` with every given flag applied, then checked.
    fn recipe(&self, base: Recipe) -> Result<Recipe> {
        let mut r = base;
        r.lr = self.lr.unwrap_or(r.lr);
        r.epochs = self.epochs.unwrap_or(r.epochs);
        r.batch_size = self.batch_size.unwrap_or(r.batch_size);
        r.max_len = self.max_len.unwrap_or(r.max_len);
        if let Some(s) = self.warmup_steps {
            r.warmup = Warmup::Steps(s);
        }
        if let Some(x) = self.warmup_ratio {
            r.warmup = Warmup::Ratio(x);
        }
        r.weight_decay = self.weight_decay.unwrap_or(r.weight_decay);
        r.dropout = self.dropout.or(r.dropout);
        r.max_steps = self.max_steps.or(r.max_steps);
        if !(r.lr > 0.0 && r.lr.is_finite()) {
            bail!("--lr must be a positive number, not {}", r.lr);
        }
        if r.epochs == 0 || r.batch_size == 0 {
            bail!("--epochs and --batch-size must be at least 1");
        }
        if let Warmup::Ratio(x) = r.warmup {
            if !(0.0..=1.0).contains(&x) {
                bail!("--warmup-ratio must be within 0..=1, not {x}");
            }
        }
        if let Some(d) = r.dropout {
            if !(0.0..1.0).contains(&d) {
                bail!("--dropout must be within 0..1, not {d}");
            }
        }
        Ok(r)
    }
}

/// The init, its architecture with the recipe's dropout, and a tokenizer sized for both.
struct Start {
    init: InitSource,
    config: BertConfig,
    device: burn::tensor::Device,
}

impl Start {
    fn new(args: &TuneArgs) -> Result<Start> {
        let init = InitSource::resolve(&args.init)?;
        let config = init.config()?;
        let selected = crate::select_backend(&args.backend, 1)?;
        eprintln!("init: {}", describe(&init));
        Ok(Start {
            init,
            config,
            device: selected.device,
        })
    }

    fn tokenizer(&self, recipe: &Recipe) -> Result<Tokenizer> {
        let len = recipe
            .max_len
            .min(self.config.max_position_embeddings)
            .min(512);
        Ok(Tokenizer::new(K::SIX, len, false)?)
    }
}

fn describe(init: &InitSource) -> String {
    match init {
        InitSource::Checkpoint(d) => format!("checkpoint {}", d.display()),
        InitSource::HuggingFace { weights, .. } => {
            format!("HuggingFace weights {}", weights.display())
        }
        InitSource::Preset(p) => format!("{p:?} preset with random weights (no pretraining)"),
    }
}

fn load(path: &Path, tokenizer: &Tokenizer) -> Result<LabeledSet> {
    let set = LabeledSet::load(path, tokenizer)?;
    eprintln!("{}", set.summary());
    Ok(set)
}

fn progress(total: u64, what: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{what} {{bar:30}} {{pos}}/{{len}} steps, {{per_sec}}, ETA {{eta}} {{msg}}"
        ))
        .expect("valid template"),
    );
    bar
}

fn on_step(bar: &ProgressBar) -> impl FnMut(StepInfo) + '_ {
    move |s: StepInfo| {
        bar.set_position(s.step);
        bar.set_message(format!("loss {:.4}", s.loss));
    }
}

fn write_json(path: &Path, value: &serde_json::Value) -> Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    write_atomic(path, |w| w.write_all(text.as_bytes()))?;
    Ok(())
}

fn report_line(name: &str, r: &ClassificationReport) -> String {
    format!(
        "{name}: accuracy {:.4}, MCC {:.4}, F1 {:.4}, precision {:.4}, recall {:.4}, AUC {}",
        r.accuracy,
        r.mcc,
        r.f1,
        r.precision,
        r.recall,
        r.auc.map_or("–".into(), |a| format!("{a:.4}"))
    )
}

/// `train finetune`.
#[derive(Args, Debug)]
pub struct FinetuneArgs {
    /// A task folder: GUE (`train.csv`, `dev.csv`, `test.csv`) or DNABERT (`train.tsv`,
    /// `dev.tsv`, ...), plain or gzipped.
    #[arg(long, required_unless_present = "train")]
    pub data: Option<PathBuf>,
    /// A training file instead of --data (with --dev / --test).
    #[arg(long, conflicts_with = "data")]
    pub train: Option<PathBuf>,
    #[arg(long, requires = "train")]
    pub dev: Option<PathBuf>,
    #[arg(long, requires = "train")]
    pub test: Option<PathBuf>,
    /// gue:TASK or fewshot:N; by default the GUE recipe of the --data folder's name.
    #[arg(long)]
    pub recipe: Option<String>,
    #[command(flatten)]
    pub tune: TuneArgs,
    /// Use only N training examples spread over the file (quick runs).
    #[arg(long)]
    pub max_train: Option<usize>,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Output folder: metrics.json and model/ (a HuggingFace folder).
    #[arg(long, default_value = "cmgems-finetune")]
    pub out: PathBuf,
}

pub fn finetune(args: FinetuneArgs) -> Result<()> {
    let files = match &args.data {
        Some(dir) => {
            let f = SplitFiles::find(dir);
            if f.train.is_none() {
                bail!(
                    "{}: no train.csv / train.tsv (optionally .gz) in this folder",
                    dir.display()
                );
            }
            f
        }
        None => SplitFiles {
            train: args.train.clone(),
            dev: args.dev.clone(),
            test: args.test.clone(),
        },
    };
    let base = match (&args.recipe, &args.data) {
        (Some(spec), _) => Recipe::parse(spec).map_err(anyhow::Error::msg)?,
        (None, Some(dir)) => {
            let name = dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            Recipe::gue(&name).with_context(|| {
                format!(
                    "{}: not a GUE task name; say --recipe gue:TASK or fewshot:N",
                    dir.display()
                )
            })?
        }
        (None, None) => bail!("say which recipe: --recipe gue:TASK or fewshot:N"),
    };
    let recipe = args.tune.recipe(base)?;
    if args.out.join("metrics.json").exists() {
        bail!(
            "{} holds a finished run already; choose another --out",
            args.out.display()
        );
    }
    let start = Start::new(&args.tune)?;
    let tokenizer = start.tokenizer(&recipe)?;
    let mut train_set = load(files.train.as_ref().expect("checked above"), &tokenizer)?;
    if let Some(n) = args.max_train {
        train_set = train_set.spread_sample(n);
    }
    let num_labels = train_set.num_classes().max(2);
    let dev = files
        .dev
        .as_ref()
        .map(|p| load(p, &tokenizer))
        .transpose()?;
    let test = files
        .test
        .as_ref()
        .map(|p| load(p, &tokenizer))
        .transpose()?;
    for set in dev.iter().chain(test.iter()) {
        set.check_labels(num_labels)?;
    }
    let config = recipe.model_config(&start.config);
    let total = recipe.total_steps(train_set.len());
    eprintln!(
        "recipe {}: lr {}, {} epochs, batch {}, {} steps",
        recipe.name, recipe.lr, recipe.epochs, recipe.batch_size, total
    );
    let bar = progress(total, "finetune");
    let started = std::time::Instant::now();
    let (model, report) = fit(
        &start.init,
        &config,
        num_labels,
        &train_set,
        &recipe,
        args.seed,
        &start.device,
        on_step(&bar),
    )?;
    bar.finish_and_clear();
    if !report.fresh.is_empty() {
        eprintln!("newly initialised: {}", report.fresh.join(", "));
    }
    let mut metrics = serde_json::Map::new();
    for (name, set) in [("dev", &dev), ("test", &test)] {
        if let Some(set) = set {
            let r = evaluate(&model, set, &start.device, args.tune.eval_batch, num_labels)?;
            println!("{}", report_line(name, &r));
            metrics.insert(name.into(), serde_json::to_value(r)?);
        }
    }
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let model_dir = args.out.join("model");
    if model_dir.exists() {
        bail!("{} exists; choose another --out", model_dir.display());
    }
    write_hf_folder(
        &model,
        &config,
        "BertForSequenceClassification",
        Some(num_labels),
        &model_dir,
    )?;
    let value = json!({
        "init": args.tune.init,
        "recipe": recipe,
        "seed": args.seed,
        "num_labels": num_labels,
        "train": {"path": train_set.path, "examples": train_set.len(), "class_counts": train_set.class_counts},
        "seconds": started.elapsed().as_secs_f64(),
        "metrics": metrics,
    });
    write_json(&args.out.join("metrics.json"), &value)?;
    eprintln!(
        "wrote {} and {}",
        args.out.join("metrics.json").display(),
        model_dir.display()
    );
    Ok(())
}

/// `train fewshot`.
#[derive(Args, Debug)]
pub struct FewshotArgs {
    /// A labelled file to draw n examples per class from with each seed, or a folder of
    /// published few-shot files laid out as N/train.tsv (GeneMask's Prom-core/10/train.tsv).
    #[arg(long)]
    pub train: PathBuf,
    #[arg(long)]
    pub test: PathBuf,
    /// Shot counts (examples per class).
    #[arg(long, value_delimiter = ',', default_value = "10,50")]
    pub shots: Vec<usize>,
    /// Number of seeds (0, 1, .. N-1).
    #[arg(long, default_value_t = 10)]
    pub seeds: u64,
    #[command(flatten)]
    pub tune: TuneArgs,
    /// Score on N test examples spread over the file (quick runs).
    #[arg(long)]
    pub test_limit: Option<usize>,
    /// Write the results as JSON here.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn fewshot(args: FewshotArgs) -> Result<()> {
    if args.shots.is_empty() || args.shots.contains(&0) || args.seeds == 0 {
        bail!("--shots needs positive counts and --seeds at least 1");
    }
    let start = Start::new(&args.tune)?;
    let recipes: BTreeMap<usize, Recipe> = args
        .shots
        .iter()
        .map(|&n| Ok((n, args.tune.recipe(Recipe::fewshot(n))?)))
        .collect::<Result<_>>()?;
    let widest = recipes.values().map(|r| r.max_len).max().unwrap_or(512);
    let mut longest = recipes[&args.shots[0]].clone();
    longest.max_len = widest;
    let tokenizer = start.tokenizer(&longest)?;
    let mut test = load(&args.test, &tokenizer)?;
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
    let bar = progress((args.shots.len() as u64) * args.seeds, "fewshot runs");
    let results = fewshot::run(
        &setup,
        &data,
        &test,
        &args.shots,
        &seeds,
        |_, _, _| {},
        |n, seed, r| {
            bar.inc(1);
            bar.suspend(|| {
                eprintln!(
                    "{n} shots, seed {seed}: accuracy {:.4}, MCC {:.4}",
                    r.accuracy, r.mcc
                )
            });
        },
    )?;
    bar.finish_and_clear();
    print!("{}", fewshot::results_markdown(&results, seeds.len()));
    if let Some(out) = &args.out {
        write_json(out, &fewshot::results_json(&results))?;
        eprintln!("wrote {}", out.display());
    }
    Ok(())
}

/// `train gue`.
#[derive(Args, Debug)]
pub struct GueArgs {
    /// The GUE folder (EMP/, prom/, splice/, virus/, mouse/, tf/ inside).
    #[arg(long)]
    pub root: PathBuf,
    #[command(flatten)]
    pub tune: TuneArgs,
    /// Only these tasks (e.g. prom/prom_core_all,tf/0).
    #[arg(long, value_delimiter = ',')]
    pub tasks: Vec<String>,
    /// Use only N training examples of each task, spread over the file (quick runs).
    #[arg(long)]
    pub max_train: Option<usize>,
    /// Score on N test examples spread over the file (quick runs).
    #[arg(long)]
    pub test_limit: Option<usize>,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Output folder: results.md, results.csv and a metrics JSON per task.
    #[arg(long, default_value = "cmgems-gue")]
    pub out: PathBuf,
}

pub fn gue(args: GueArgs) -> Result<()> {
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
        let bar = progress(recipe.total_steps(train_set.len()), task.name);
        let (model, _) = fit(
            &start.init,
            &config,
            num_labels,
            &train_set,
            &recipe,
            args.seed,
            &start.device,
            on_step(&bar),
        )?;
        bar.finish_and_clear();
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

/// `train export`.
#[derive(Args, Debug)]
pub struct ExportArgs {
    /// The HuggingFace folder to write (must not exist).
    #[arg(long)]
    pub hf: PathBuf,
    /// A pretraining run, a checkpoint folder, a HF folder or preset:NAME.
    pub source: String,
}

pub fn export(args: ExportArgs) -> Result<()> {
    let init = InitSource::resolve(&args.source)?;
    let device = burn::tensor::Device::flex();
    let (model, config) = init.masked_lm(&device)?;
    write_hf_folder(&model, &config, "BertForMaskedLM", None, &args.hf)?;
    eprintln!(
        "wrote {} (config.json, model.safetensors, vocab.txt): load it with \
         transformers.BertForMaskedLM.from_pretrained",
        args.hf.display()
    );
    Ok(())
}
