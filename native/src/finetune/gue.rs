//! The GUE runner's bookkeeping: which tasks exist under a root, and the DNABERT-2 paper's
//! Table 2 layout (MCC per task, Human and non-Human means). Absent tasks are listed as
//! absent, never filled in.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::classifier::evaluate;
use super::data::{LabeledSet, SplitFiles};
use super::job::{load, write_json, Start};
use super::recipe::{Recipe, RecipePatch, GUE_TASKS};
use super::select::{dev_loss, BestDev};
use super::FinetuneError;
use crate::events::{Event, Observers, Stage};
use crate::files::write_atomic;
use crate::model::BertForSequenceClassification;

/// A catalogue task as found (or not) under the root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundTask {
    pub name: &'static str,
    pub human: bool,
    pub dir: PathBuf,
    /// `Some` when train and test files exist (dev is optional).
    pub files: Option<SplitFiles>,
}

/// Every GUE task, in Table 2's order, with its files under `root` where present.
pub fn discover(root: &Path) -> Vec<FoundTask> {
    GUE_TASKS
        .iter()
        .map(|&(name, human)| {
            let dir = root.join(name);
            let files = SplitFiles::find(&dir);
            let usable = files.train.is_some() && files.test.is_some();
            FoundTask {
                name,
                human,
                dir,
                files: usable.then_some(files),
            }
        })
        .collect()
}

/// One row of the table: the test MCC, or why there is none.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskScore {
    pub task: String,
    pub human: bool,
    pub mcc: Option<f64>,
    /// `absent`, `skipped`, or empty when scored.
    pub note: String,
}

fn mean(scores: &[TaskScore], human: bool) -> Option<f64> {
    let v: Vec<f64> = scores
        .iter()
        .filter(|s| s.human == human)
        .filter_map(|s| s.mcc)
        .collect();
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), |m| format!("{:.2}", 100.0 * m))
}

/// Markdown: a row per task (MCC in %, or its note), then the two means over the tasks
/// that were scored (and how many of each group that is).
pub fn table_markdown(scores: &[TaskScore]) -> String {
    let mut out = String::from("| task | group | MCC (%) | note |\n|---|---|---:|---|\n");
    for s in scores {
        let group = if s.human { "Human" } else { "non-Human" };
        out += &format!("| {} | {group} | {} | {} |\n", s.task, pct(s.mcc), s.note);
    }
    for (human, label) in [(true, "Human"), (false, "non-Human")] {
        let scored = scores
            .iter()
            .filter(|s| s.human == human && s.mcc.is_some())
            .count();
        let all = scores.iter().filter(|s| s.human == human).count();
        out += &format!(
            "| **{label} mean** | | {} | over {scored} of {all} tasks |\n",
            pct(mean(scores, human))
        );
    }
    out
}

/// CSV with the same rows: `task,group,mcc,note` (MCC as a fraction, empty when none).
pub fn table_csv(scores: &[TaskScore]) -> String {
    let mut out = String::from("task,group,mcc,note\n");
    for s in scores {
        let group = if s.human { "human" } else { "non_human" };
        let mcc = s.mcc.map_or(String::new(), |m| format!("{m:.6}"));
        out += &format!("{},{group},{mcc},{}\n", s.task, s.note);
    }
    for (human, label) in [(true, "human_mean"), (false, "non_human_mean")] {
        let m = mean(scores, human).map_or(String::new(), |m| format!("{m:.6}"));
        out += &format!("{label},,{m},\n");
    }
    out
}

/// A GUE run: which tasks under which root, the recipe values every task's recipe takes,
/// and where the results go.
#[derive(Debug, Clone)]
pub struct GuePlan {
    /// The GUE folder (EMP/, prom/, splice/, virus/, mouse/, tf/ inside).
    pub root: PathBuf,
    /// Only these tasks (e.g. `prom/prom_core_all`); empty: all of them.
    pub tasks: Vec<String>,
    /// Values that replace those of every task's recipe (the flags given).
    pub overrides: RecipePatch,
    /// Use only this many training examples of each task, spread over the file.
    pub max_train: Option<usize>,
    /// Score on this many test examples, spread over the file.
    pub test_limit: Option<usize>,
    pub seed: u64,
    /// Examples per batch when scoring.
    pub eval_batch: usize,
    /// `results.md`, `results.csv` and a metrics JSON per task.
    pub out: PathBuf,
}

/// The table [`run`] wrote, as rows and as Markdown.
#[derive(Debug, Clone)]
pub struct GueResults {
    pub scores: Vec<TaskScore>,
    pub markdown: String,
}

/// Fine-tunes and scores every wanted task found under the root (DNABERT-2's Table 2);
/// observers hear each task's steps and test score ([`Stage::Finetune`] named by the task).
pub fn run(
    start: &Start,
    plan: &GuePlan,
    observers: &mut Observers,
) -> Result<GueResults, FinetuneError> {
    if !plan.root.is_dir() {
        return Err(FinetuneError::Invalid(format!(
            "{}: not a folder",
            plan.root.display()
        )));
    }
    let mut wanted = Vec::new();
    for t in &plan.tasks {
        let recipe = Recipe::gue(t).ok_or_else(|| {
            FinetuneError::Invalid(format!(
                "tasks: {t:?} is not a GUE task (e.g. prom/prom_core_all, tf/0, EMP/H3)"
            ))
        })?;
        wanted.push(recipe.name);
    }
    std::fs::create_dir_all(&plan.out).map_err(|e| crate::NativeError::io(&plan.out, e))?;
    let mut scores = Vec::new();
    for task in discover(&plan.root) {
        let score = |mcc, note: &str| TaskScore {
            task: task.name.into(),
            human: task.human,
            mcc,
            note: note.into(),
        };
        let Some(files) = &task.files else {
            observers.on_note(&format!(
                "{}: absent (no train and test files under {})",
                task.name,
                task.dir.display()
            ));
            scores.push(score(None, "absent"));
            continue;
        };
        if !wanted.is_empty() && !wanted.contains(&format!("gue:{}", task.name)) {
            scores.push(score(None, "skipped"));
            continue;
        }
        let mcc = run_task(start, plan, (&task, files), observers)?;
        scores.push(score(Some(mcc), ""));
    }
    let markdown = table_markdown(&scores);
    write_atomic(&plan.out.join("results.md"), |w| {
        w.write_all(markdown.as_bytes())
    })?;
    let csv = table_csv(&scores);
    write_atomic(&plan.out.join("results.csv"), |w| {
        w.write_all(csv.as_bytes())
    })?;
    Ok(GueResults { scores, markdown })
}

/// Fine-tunes and scores one present task, writing its metrics JSON; its test MCC.
fn run_task(
    start: &Start,
    plan: &GuePlan,
    (task, files): (&FoundTask, &SplitFiles),
    observers: &mut Observers,
) -> Result<f64, FinetuneError> {
    let recipe = Recipe::gue(task.name)
        .expect("catalogue task")
        .with(&plan.overrides)?;
    let tokenizer = start.tokenizer(&recipe)?;
    let present = |p: &Option<PathBuf>| p.clone().expect("discover found train and test");
    let mut train_set = load(&present(&files.train), &tokenizer, observers)?;
    if let Some(n) = plan.max_train {
        train_set = train_set.spread_sample(n);
    }
    let mut test = load(&present(&files.test), &tokenizer, observers)?;
    if let Some(n) = plan.test_limit {
        test = test.spread_sample(n);
    }
    // DNABERT-2's load_best_model_at_end: the dev set picks the scored checkpoint.
    let dev = match (&files.dev, recipe.best_dev_every) {
        (Some(path), Some(_)) => Some(load(path, &tokenizer, observers)?),
        (None, Some(_)) => {
            observers.on_note(&format!(
                "{}: no dev file: the final model is scored",
                task.name
            ));
            None
        }
        (_, None) => None,
    };
    let dev_classes = dev.as_ref().map_or(0, |d| d.num_classes());
    let num_labels = train_set
        .num_classes()
        .max(test.num_classes())
        .max(dev_classes)
        .max(2);
    let config = recipe.model_config(&start.config);
    let stage = Stage::Finetune {
        task: task.name.into(),
    };
    let mut best = dev
        .as_ref()
        .zip(recipe.best_dev_every)
        .map(|(d, every)| BestDev::new(d, every, plan.eval_batch));
    let (model, _) = start.fit(
        &config,
        (num_labels, &train_set),
        &recipe,
        plan.seed,
        (&stage, &mut *observers),
        best.as_mut(),
    )?;
    let selected = selection(best.as_ref(), &model, dev.as_ref(), start, plan.eval_batch);
    observers.on_note(&format!("{}: scored model: {selected}", task.name));
    let r = evaluate(&model, &test, &start.device, plan.eval_batch, num_labels)?;
    observers.emit(&Event::Scored {
        stage: &stage,
        split: "test",
        report: &r,
    })?;
    let file = plan
        .out
        .join(format!("{}.json", task.name.replace('/', "_")));
    write_json(
        &file,
        &json!({"task": task.name, "recipe": recipe, "selected": selected, "test": r}),
    )?;
    Ok(r.mcc)
}

/// Which model was scored, for the task's JSON: the best dev checkpoint (its step and dev
/// loss, the last evaluation's, and the scored model's dev loss measured again), or the final.
fn selection(
    best: Option<&BestDev>,
    model: &BertForSequenceClassification,
    dev: Option<&LabeledSet>,
    start: &Start,
    batch: usize,
) -> serde_json::Value {
    match (best.and_then(BestDev::selected), dev) {
        (Some(s), Some(dev)) => json!({
            "rule": "lowest dev loss",
            "step": s.step,
            "dev_loss": s.dev_loss,
            "last_step": s.last.0,
            "last_dev_loss": s.last.1,
            "scored_model_dev_loss": dev_loss(model, dev, &start.device, batch),
        }),
        _ => json!({"rule": "final model"}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discover_marks_tasks_without_train_or_test_absent() {
        let root = tempfile::tempdir().unwrap();
        let core = root.path().join("prom/prom_core_all");
        std::fs::create_dir_all(&core).unwrap();
        for f in ["train.csv", "dev.csv", "test.csv"] {
            std::fs::write(core.join(f), "").unwrap();
        }
        let only_dev = root.path().join("prom/prom_300_all");
        std::fs::create_dir_all(&only_dev).unwrap();
        std::fs::write(only_dev.join("dev.csv.gz"), "").unwrap();
        let found = discover(root.path());
        assert_eq!(found.len(), 28);
        let present: Vec<&str> = found
            .iter()
            .filter(|t| t.files.is_some())
            .map(|t| t.name)
            .collect();
        assert_eq!(present, ["prom/prom_core_all"]);
    }

    #[test]
    fn table_means_cover_scored_tasks_only() {
        let row = |task: &str, human, mcc: Option<f64>, note: &str| TaskScore {
            task: task.into(),
            human,
            mcc,
            note: note.into(),
        };
        let scores = [
            row("prom/prom_core_all", true, Some(0.5), ""),
            row("tf/0", true, Some(0.7), ""),
            row("prom/prom_300_all", true, None, "absent"),
            row("EMP/H3", false, None, "absent"),
        ];
        let md = table_markdown(&scores);
        assert!(
            md.contains("| **Human mean** | | 60.00 | over 2 of 3 tasks |"),
            "{md}"
        );
        assert!(
            md.contains("| **non-Human mean** | | – | over 0 of 1 tasks |"),
            "{md}"
        );
        assert!(
            md.contains("| prom/prom_300_all | Human | – | absent |"),
            "{md}"
        );
        let csv = table_csv(&scores);
        assert!(csv.contains("human_mean,,0.600000,"), "{csv}");
        assert!(csv.contains("EMP/H3,non_human,,absent"), "{csv}");
    }
}
