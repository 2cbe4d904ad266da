//! GeneMask's few-shot protocol (Table 4): for each shot count n and each seed, fine-tune the
//! same initial model on n examples per class and score it on the full test set; report
//! mean ± std over seeds.

use std::collections::BTreeMap;
use std::path::Path;

use burn::tensor::Device;
use cmgems_core::eval::fewshot::draw_per_class;
use cmgems_core::{ClassificationReport, Tokenizer};
use serde::Serialize;

use super::classifier::evaluate;
use super::data::{LabeledSet, SplitFiles};
use super::fit;
use super::init::InitSource;
use super::recipe::Recipe;
use super::FinetuneError;
use crate::events::{Event, Observers, Stage};
use crate::model::BertConfig;

/// Where each shot count's training examples come from.
pub enum ShotData {
    /// Draw n per class from this set with each seed.
    Draw(LabeledSet),
    /// Published few-shot files (GeneMask's `Prom-core/10/train.tsv`): the same examples for
    /// every seed; the seed then varies the head's initialisation and the batch order.
    Given(BTreeMap<usize, LabeledSet>),
}

impl ShotData {
    /// `train` is a folder with one subfolder `N/` per shot count, holding `train.tsv` or the
    /// one `train*.tsv` of the authors' release ([`shot_file`]), or a labelled file to draw from.
    pub fn load(
        train: &Path,
        shots: &[usize],
        tokenizer: &Tokenizer,
    ) -> Result<ShotData, FinetuneError> {
        if !train.is_dir() {
            return Ok(ShotData::Draw(LabeledSet::load(train, tokenizer)?));
        }
        let mut given = BTreeMap::new();
        for &n in shots {
            let path = shot_file(&train.join(n.to_string()), n)?;
            given.insert(n, LabeledSet::load(&path, tokenizer)?);
        }
        Ok(ShotData::Given(given))
    }

    /// Every set loaded (for the terminal's summaries).
    pub fn sets(&self) -> Vec<&LabeledSet> {
        match self {
            ShotData::Draw(pool) => vec![pool],
            ShotData::Given(files) => files.values().collect(),
        }
    }

    /// The classes the training labels imply.
    pub fn num_classes(&self) -> usize {
        self.sets()
            .iter()
            .map(|s| s.num_classes())
            .max()
            .unwrap_or(0)
    }
}

/// The training file of one shot count's folder: `train.tsv` (or `.csv`, gzipped or not), else
/// the folder's one file named `train*.tsv`/`train*.csv` (gzipped or not): GeneMask's release
/// names them after the task and the count (`Splice-40/10/train_splice40_10.tsv`). Two such
/// files are an error rather than a guess.
fn shot_file(dir: &Path, n: usize) -> Result<std::path::PathBuf, FinetuneError> {
    if let Some(path) = SplitFiles::find(dir).train {
        return Ok(path);
    }
    let invalid = |why: String| FinetuneError::Invalid(format!("{}: {why}", dir.display()));
    let entries =
        std::fs::read_dir(dir).map_err(|e| invalid(format!("no folder for {n} shots ({e})")))?;
    let mut found: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && is_training_file(p))
        .collect();
    found.sort();
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(invalid(format!(
            "no training file for {n} shots (train.tsv, or one train*.tsv / train*.csv)"
        ))),
        _ => Err(invalid(format!(
            "{} training files for {n} shots, expected one: {}",
            found.len(),
            found
                .iter()
                .filter_map(|p| p.file_name().map(|f| f.to_string_lossy().into_owned()))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// `train*.tsv` / `train*.csv`, optionally gzipped.
fn is_training_file(path: &Path) -> bool {
    let name = path
        .file_name()
        .map_or(String::new(), |f| f.to_string_lossy().to_lowercase());
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    name.starts_with("train") && (name.ends_with(".tsv") || name.ends_with(".csv"))
}

/// Mean and population standard deviation (numpy's default, `ddof=0`) over seeds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spread {
    pub mean: f64,
    pub std: f64,
    pub runs: Vec<f64>,
}

impl Spread {
    pub fn of(runs: Vec<f64>) -> Spread {
        let n = runs.len().max(1) as f64;
        let mean = runs.iter().sum::<f64>() / n;
        let var = runs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
        Spread {
            mean,
            std: var.sqrt(),
            runs,
        }
    }
}

/// One shot count's result: the two figures of Table 4.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShotResult {
    pub accuracy: Spread,
    pub mcc: Spread,
}

/// Everything one few-shot evaluation needs besides the data.
pub struct FewshotSetup<'a> {
    pub init: &'a InitSource,
    /// The init's architecture, dropout already set from the recipe.
    pub config: &'a BertConfig,
    pub num_labels: usize,
    /// The recipe for a shot count (normally [`Recipe::fewshot`] with flag overrides).
    pub recipe: &'a dyn Fn(usize) -> Recipe,
    /// Plain device; training uses its autodiff twin.
    pub device: &'a Device,
    pub eval_batch: usize,
}

/// One fine-tuning + evaluation of `shots` with `seed`: the unit the protocol repeats.
/// `observers` hear its steps and its score ([`Stage::Fewshot`]).
pub fn run_one(
    setup: &FewshotSetup,
    (train_set, test): (&LabeledSet, &LabeledSet),
    recipe: &Recipe,
    (shots, seed): (usize, u64),
    observers: &mut Observers,
) -> Result<ClassificationReport, FinetuneError> {
    let stage = Stage::Fewshot { shots, seed };
    let (model, _) = fit(
        setup.init,
        setup.config,
        setup.num_labels,
        train_set,
        recipe,
        seed,
        setup.device,
        (&stage, &mut *observers),
        None,
    )?;
    let report = evaluate(
        &model,
        test,
        setup.device,
        setup.eval_batch,
        setup.num_labels,
    )?;
    observers.emit(&Event::Scored {
        stage: &stage,
        split: "test",
        report: &report,
    })?;
    Ok(report)
}

/// The whole protocol; `observers` hear every run's steps and score
/// ([`Stage::Fewshot`]).
pub fn run(
    setup: &FewshotSetup,
    source: &ShotData,
    test: &LabeledSet,
    (shots, seeds): (&[usize], &[u64]),
    observers: &mut Observers,
) -> Result<BTreeMap<usize, ShotResult>, FinetuneError> {
    let mut results = BTreeMap::new();
    for &n in shots {
        let recipe = (setup.recipe)(n);
        let (mut acc, mut mcc) = (Vec::new(), Vec::new());
        for &seed in seeds {
            let drawn = source.train_set(n, seed)?;
            let report = run_one(setup, (drawn.get(), test), &recipe, (n, seed), observers)?;
            acc.push(report.accuracy);
            mcc.push(report.mcc);
        }
        results.insert(
            n,
            ShotResult {
                accuracy: Spread::of(acc),
                mcc: Spread::of(mcc),
            },
        );
    }
    Ok(results)
}

/// A shot count's training set: drawn for the seed, or the published file.
enum ShotSet<'a> {
    Drawn(LabeledSet),
    Given(&'a LabeledSet),
}

impl ShotSet<'_> {
    fn get(&self) -> &LabeledSet {
        match self {
            ShotSet::Drawn(set) => set,
            ShotSet::Given(set) => set,
        }
    }
}

impl ShotData {
    /// The training examples of `n` shots with `seed`.
    fn train_set(&self, n: usize, seed: u64) -> Result<ShotSet<'_>, FinetuneError> {
        Ok(match self {
            ShotData::Draw(pool) => {
                let picked = draw_per_class(&pool.labels(), n, seed)
                    .map_err(|e| FinetuneError::Invalid(format!("{}: {e}", pool.path.display())))?;
                ShotSet::Drawn(pool.subset(&picked))
            }
            ShotData::Given(files) => ShotSet::Given(files.get(&n).ok_or_else(|| {
                FinetuneError::Invalid(format!("no few-shot file for {n} shots"))
            })?),
        })
    }
}

/// The `--out` JSON: `{"shots": {"10": {"accuracy": {"mean", "std", "runs"}, "mcc": ..}}}`.
pub fn results_json(results: &BTreeMap<usize, ShotResult>) -> serde_json::Value {
    let shots: serde_json::Map<String, serde_json::Value> = results
        .iter()
        .map(|(n, r)| {
            (
                n.to_string(),
                serde_json::to_value(r).expect("serialisable"),
            )
        })
        .collect();
    serde_json::json!({ "shots": shots })
}

/// Table 4's layout: a row per shot count, accuracy and MCC as mean ± std (in %).
pub fn results_markdown(results: &BTreeMap<usize, ShotResult>, seeds: usize) -> String {
    let mut out =
        String::from("| shots | accuracy (%) | MCC (%) | seeds |\n|---:|---:|---:|---:|\n");
    for (n, r) in results {
        out += &format!(
            "| {n} | {:.2} ± {:.2} | {:.2} ± {:.2} | {seeds} |\n",
            100.0 * r.accuracy.mean,
            100.0 * r.accuracy.std,
            100.0 * r.mcc.mean,
            100.0 * r.mcc.std
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_is_numpy_mean_and_population_std() {
        // mean 2, deviations -1 0 1: var = 2/3, std = 0.816496...
        let s = Spread::of(vec![1.0, 2.0, 3.0]);
        assert_eq!(s.mean, 2.0);
        assert!((s.std - (2.0f64 / 3.0).sqrt()).abs() < 1e-12);
    }

    #[test]
    fn results_json_has_the_documented_shape() {
        let mut r = BTreeMap::new();
        r.insert(
            10,
            ShotResult {
                accuracy: Spread::of(vec![0.5, 0.7]),
                mcc: Spread::of(vec![0.0, 0.4]),
            },
        );
        let v = results_json(&r);
        assert!((v["shots"]["10"]["accuracy"]["mean"].as_f64().unwrap() - 0.6).abs() < 1e-12);
        assert_eq!(v["shots"]["10"]["mcc"]["runs"].as_array().unwrap().len(), 2);
        let md = results_markdown(&r, 2);
        assert!(
            md.contains("| 10 | 60.00 ± 10.00 | 20.00 ± 20.00 | 2 |"),
            "{md}"
        );
    }

    fn set(dir: &Path, name: &str) {
        std::fs::create_dir_all(dir).unwrap();
        let body = "\"sequence\"\t\"label\"\n\"ACGTAC CGTACG\"\t\"0\"\n\"TTTTTT TTTTTA\"\t\"1\"\n";
        std::fs::write(dir.join(name), body).unwrap();
    }

    #[test]
    fn shot_folders_take_train_tsv_or_the_authors_one_named_file() {
        let root = tempfile::tempdir().unwrap();
        let tok = Tokenizer::dnabert6();
        // GeneMask's Splice-40 layout: 10/train_splice40_10.tsv; Prom-core's: 50/train.tsv.
        set(&root.path().join("10"), "train_splice40_10.tsv");
        set(&root.path().join("50"), "train.tsv");
        set(&root.path().join("50"), "train_other.tsv");
        let data = ShotData::load(root.path(), &[10, 50], &tok).unwrap();
        match data {
            ShotData::Given(sets) => {
                assert_eq!(sets.keys().copied().collect::<Vec<_>>(), vec![10, 50]);
                assert!(sets.values().all(|s| s.len() == 2));
            }
            ShotData::Draw(_) => panic!("a folder is given sets"),
        }
    }

    #[test]
    fn shot_folders_with_two_candidates_or_none_are_named_errors() {
        let root = tempfile::tempdir().unwrap();
        let tok = Tokenizer::dnabert6();
        set(&root.path().join("10"), "train_a.tsv");
        set(&root.path().join("10"), "train_b.tsv.gz");
        let err = ShotData::load(root.path(), &[10], &tok)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("2 training files for 10 shots"), "{err}");
        assert!(err.contains("train_a.tsv, train_b.tsv.gz"), "{err}");
        std::fs::create_dir_all(root.path().join("20")).unwrap();
        set(&root.path().join("20"), "test.tsv");
        let err = ShotData::load(root.path(), &[20], &tok)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("no training file for 20 shots"), "{err}");
        let err = ShotData::load(root.path(), &[30], &tok)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("no folder for 30 shots"), "{err}");
    }
}
