//! The library's `experiment` end to end, at toy size: every variant pretrains, is scored,
//! and the table, charts and report appear.

use cmgems_native::events::Observers;
use cmgems_native::experiment::{self, ExperimentError};
use std::path::Path;

/// The experiment of `config` into `out`, on the config's backend, heard by no observer.
fn run_plan(config: &Path, out: &Path, only: &[String]) -> Result<(), ExperimentError> {
    experiment::run(config, out, None, only, &mut Observers::new())
}

#[test]
fn experiment_runs_every_variant_and_writes_table_charts_and_report() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // A toy labelled task: class 1 carries a motif.
    let mut rng = cmgems_core::SeededRng::new(9);
    let mut tsv = String::from("sequence\tlabel\n");
    for i in 0..40 {
        let mut seq: Vec<u8> = (0..40).map(|_| b"ACGT"[rng.below(4) as usize]).collect();
        if i % 2 == 1 {
            seq[5..17].copy_from_slice(b"TATAAAAGGCGC");
        }
        tsv += &format!("{}\t{}\n", String::from_utf8(seq).unwrap(), i % 2);
    }
    std::fs::write(dir.join("task.tsv"), tsv).unwrap();
    std::fs::write(
        dir.join("exp.toml"),
        r#"
name = "toy"
masking = ["random", "genemask", "cm-gems"]
rank_lookup = ["kmer", "position"]
pretrain_seeds = [1, 2]
curve_every = 2
corpus = ["absent.fa"]
[pretrain]
backend = "cpu"
[pretrain.model]
preset = "tiny"
[pretrain.data]
seq_len = 64
synthetic_records = 10
synthetic_record_len = 2000
min_count = 3
[pretrain.schedule]
steps = 6
batch_size = 4
accumulation = 1
[pretrain.optimizer]
warmup_steps = 1
[pretrain.evaluation]
eval_every = 2
eval_batches = 1
[pretrain.checkpoints]
checkpoint_every = 6
[fewshot]
train = "task.tsv"
test = "task.tsv"
shots = [3]
seeds = 2
epochs = 1
[probe]
untrained = true
tasks = [{ name = "motif", train = "task.tsv", test = "task.tsv" }]
"#,
    )
    .unwrap();
    let out = dir.join("out");
    run_plan(&dir.join("exp.toml"), &out, &[]).unwrap();
    let csv = std::fs::read_to_string(out.join("results.csv")).unwrap();
    // One row per run and scored checkpoint (steps 2, 4 and 6): random once, genemask and
    // cm-gems with both lookups; the probe of random weights (one row, step 0); each at
    // both seeds.
    let rows: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    let steps: Vec<&str> = rows.iter().map(|f| f[2]).collect();
    assert_eq!(&steps[..4], ["2", "4", "6", "2"], "{csv}");
    assert_eq!(steps.iter().filter(|s| **s == "0").count(), 2, "{csv}");
    assert_eq!(rows.len(), 10 * 3 + 2, "{csv}");
    // The final rows (step 6) carry the final scores: one per run.
    let runs: Vec<(&str, &str)> = rows
        .iter()
        .filter(|f| f[2] == "6" || f[2] == "0")
        .map(|f| (f[0], f[1]))
        .collect();
    let names = [
        "random",
        "genemask-kmer",
        "genemask-position",
        "cm-gems-kmer",
        "cm-gems-position",
        "untrained",
    ];
    let want: Vec<(&str, &str)> = names.iter().flat_map(|n| [(*n, "1"), (*n, "2")]).collect();
    assert_eq!(runs, want);
    assert!(csv.starts_with(
        "variant,seed,step,lr,masker,switch_step,perplexity,unigram_perplexity,own_perplexity,\
         own_unigram_perplexity,probe_motif_auc"
    ));
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(report.contains("SYNTHETIC"), "{report}");
    assert!(report.contains("3-shot accuracy, best first"), "{report}");
    assert!(report.contains("probe AUC motif, best first"), "{report}");
    assert!(
        report.contains("genemask: position lookup minus k-mer lookup"),
        "{report}"
    );
    // Two seeds pair every two variants: 5 trained variants x 3 metrics + the untrained
    // probe against each of them.
    let tests = report
        .lines()
        .skip_while(|l| !l.starts_with("## Paired t-tests"))
        .filter(|l| l.starts_with("| ") && l.contains(" | 2 | "))
        .count();
    assert_eq!(tests, 10 * 3 + 5, "{report}");
    // Holm's adjusted p is never below the raw one, and the verdicts follow it.
    let test_rows = report
        .lines()
        .skip_while(|l| !l.starts_with("## Paired t-tests"))
        .filter(|l| l.starts_with("| ") && l.contains(" | 2 | "));
    for line in test_rows {
        let f: Vec<&str> = line.split(" | ").collect();
        let parse = |s: &str| s.parse::<f64>().unwrap_or_else(|e| panic!("{e}: {line}"));
        let (raw, adjusted) = (parse(f[6]), parse(f[7]));
        assert!(adjusted >= raw, "{line}");
        assert_eq!(
            adjusted >= 0.05,
            f[8].starts_with("not separated"),
            "{line}"
        );
    }
    // Steps to target: a row per trained variant, each cell a step or "not reached"; the
    // random-span runs reach their own mean final score by their last step at the latest.
    let section: Vec<&str> = report
        .lines()
        .skip_while(|l| !l.starts_with("## Steps to target"))
        .take_while(|l| !l.starts_with("The curves are"))
        .collect();
    let random = section
        .iter()
        .find(|l| l.starts_with("| random |"))
        .unwrap();
    assert!(
        random.contains("of 2 seeds") && !random.contains("(0 of"),
        "{random}"
    );
    assert_eq!(
        section.iter().filter(|l| l.contains("seeds) |")).count(),
        5,
        "{section:?}"
    );
    assert!(report.contains("linear decay to 0 at step 6"), "{report}");
    // Both perplexities, each beside its unigram baseline; CM-GEMS's own masks named.
    assert!(report.contains("## Held-out perplexity under each masker's own masks"));
    assert!(report.contains("| random | random |"), "{report}");
    // The plateau finding counts the pretrained runs (all but the untrained probe's) whose
    // perplexity ended below their unigram baseline, as the table has them.
    let (below, pretrained) =
        rows.iter()
            .filter(|f| f[2] == "6")
            .fold((0, 0), |(below, all), f| {
                match (f[6].parse::<f64>(), f[7].parse::<f64>()) {
                    (Ok(ppl), Ok(unigram)) => (below + usize::from(ppl < unigram), all + 1),
                    _ => (below, all),
                }
            });
    assert_eq!(pretrained, 10, "{csv}");
    let finding = format!("- {below} of 10 pretrained runs ended below the unigram baseline");
    assert!(report.contains(&finding), "{finding:?} not in {report}");
    // A second run reuses every scored run instead of pretraining it again.
    let before = std::fs::read_to_string(out.join("report.md")).unwrap();
    run_plan(&dir.join("exp.toml"), &out, &[]).unwrap();
    assert_eq!(
        std::fs::read_to_string(out.join("report.md")).unwrap(),
        before
    );
    for svg in [
        "loss.svg",
        "fewshot.svg",
        "perplexity.svg",
        "probe.svg",
        "curve-perplexity.svg",
        "curve-probe-motif.svg",
    ] {
        let text = std::fs::read_to_string(out.join(svg)).unwrap();
        assert!(
            text.starts_with("<svg") && (text.contains("polyline") || text.contains("circle")),
            "{svg}: {text}"
        );
    }
    // The outputs rebuild byte for byte from the runs' scores.json alone.
    rebuilds_from_scores_alone(&dir.join("exp.toml"), &out);
    // A misspelt key is refused, naming the file.
    std::fs::write(dir.join("bad.toml"), "name = \"x\"\nmaskin = []\n").unwrap();
    let err = run_plan(&dir.join("bad.toml"), &dir.join("bad"), &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("bad.toml") && err.contains("maskin"), "{err}");
}

/// The experiment files of the repository read (their `[pretrain]` in sections), and so
/// does a `[pretrain]` table of the earlier, flat layout.
#[test]
fn repository_experiment_files_read() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../experiments");
    for name in [
        "small.toml",
        "medium.toml",
        "paper.toml",
        "curves.toml",
        "curves-smoke.toml",
    ] {
        let config = experiment::load_config(&dir.join(name), Some("cpu".into()))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(config.pretrain.backend, "cpu");
    }
    let small = experiment::load_config(&dir.join("small.toml"), None).unwrap();
    assert_eq!(small.pretrain.optimizer.warmup_steps, 20);
    let medium = experiment::load_config(&dir.join("medium.toml"), None).unwrap();
    assert_eq!(medium.seeds(), [1, 2, 3]);
    assert_eq!(medium.probe.map(|p| p.tasks.len()), Some(3));
    let relative = cmgems_core::SwitchThreshold::Relative(0.01);
    assert_eq!(
        medium.pretrain.masking.curriculum.cm_gems_settings(),
        (relative, 1)
    );
    let flat = tempfile::tempdir().unwrap();
    let file = flat.path().join("flat.toml");
    let text = std::fs::read_to_string(dir.join("medium.toml")).unwrap();
    let start = text.find("[pretrain]").unwrap();
    let end = text.find("[fewshot]").unwrap();
    let flat_table = "[pretrain]\npreset = \"tiny\"\nsteps = 3000\nlr = 6e-3\n\
                      cm_gems_threshold = \"1%\"\n\n";
    std::fs::write(
        &file,
        format!("{}{flat_table}{}", &text[..start], &text[end..]),
    )
    .unwrap();
    let old = experiment::load_config(&file, None).unwrap().pretrain;
    assert_eq!(
        (old.model.preset.as_str(), old.schedule.steps),
        ("tiny", 3000)
    );
    assert_eq!(old.masking.curriculum, medium.pretrain.masking.curriculum);
    assert_eq!(old.optimizer.lr, 6e-3);
    // The curves plan: 5 seeds, 2 genomes, at least 6 scored points per run.
    let curves = experiment::load_config(&dir.join("curves.toml"), None).unwrap();
    assert_eq!(curves.seeds().len(), 5);
    assert_eq!(curves.genomes.len(), 2);
    assert!(curves.pretrain.schedule.steps / curves.curve_every.unwrap() >= 6);
}

/// Removes everything of `out`'s runs but their scores.json and every output, rebuilds them
/// with `report_only`, and compares the bytes with what the run wrote.
fn rebuilds_from_scores_alone(config: &std::path::Path, out: &std::path::Path) {
    let outputs: Vec<(std::path::PathBuf, Vec<u8>)> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| (p.clone(), std::fs::read(&p).unwrap()))
        .collect();
    assert!(outputs.len() >= 8, "{outputs:?}");
    for variant in std::fs::read_dir(out.join("runs")).unwrap() {
        for run in std::fs::read_dir(variant.unwrap().path()).unwrap() {
            for entry in std::fs::read_dir(run.unwrap().path()).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    std::fs::remove_dir_all(&path).unwrap();
                } else if !path.ends_with("scores.json") {
                    std::fs::remove_file(&path).unwrap();
                }
            }
        }
    }
    for (path, _) in &outputs {
        std::fs::remove_file(path).unwrap();
    }
    experiment::report_only(config, out, &[]).unwrap();
    for (path, bytes) in &outputs {
        let rebuilt = std::fs::read(path).unwrap();
        assert!(rebuilt == *bytes, "{} differs when rebuilt", path.display());
    }
}

/// `genomes` runs the plan once per corpus, each into its own folder named in its report;
/// a plan with both `corpus` and `genomes`, or `curve_every = 0`, is refused by name.
#[test]
fn experiment_runs_the_plan_once_per_genome() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut tsv = String::from("sequence\tlabel\n");
    for i in 0..12 {
        let base = if i % 2 == 0 { "ACGTTGCA" } else { "TTTTAAAA" };
        tsv += &format!("{}\t{}\n", base.repeat(5), i % 2);
    }
    std::fs::write(dir.join("task.tsv"), tsv).unwrap();
    let plan = |extra: &str| {
        format!(
            r#"
name = "two"
masking = ["random"]
rank_lookup = ["kmer"]
{extra}
[pretrain]
preset = "tiny"
backend = "cpu"
steps = 2
batch_size = 2
accumulation = 1
seq_len = 32
warmup_steps = 1
eval_every = 2
eval_batches = 1
synthetic_records = 4
synthetic_record_len = 1000
min_count = 3
[fewshot]
train = "task.tsv"
test = "task.tsv"
shots = [2]
seeds = 1
epochs = 1
"#
        )
    };
    let genomes = r#"genomes = [{ name = "one", corpus = ["absent.fa"] }, { name = "other", corpus = ["absent2.fa"] }]"#;
    std::fs::write(dir.join("g.toml"), plan(genomes)).unwrap();
    let out = dir.join("out");
    run_plan(&dir.join("g.toml"), &out, &[]).unwrap();
    for name in ["one", "other"] {
        let report = std::fs::read_to_string(out.join(name).join("report.md")).unwrap();
        assert!(
            report.starts_with(&format!("# Experiment `two ({name})`")),
            "{report}"
        );
        assert!(out
            .join(name)
            .join("runs/random/seed-42/scores.json")
            .is_file());
    }
    // `only`: one genome of the list (one process per genome); a name not listed is refused
    // with the names that are.
    let some = dir.join("some");
    let other = ["other".to_string()];
    run_plan(&dir.join("g.toml"), &some, &other).unwrap();
    assert!(some.join("other/report.md").is_file() && !some.join("one").exists());
    let nope = ["three".to_string()];
    let err = run_plan(&dir.join("g.toml"), &some, &nope)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`three`") && err.contains("one, other"),
        "{err}"
    );
    for (extra, want) in [
        (format!("corpus = [\"a.fa\"]\n{genomes}"), "not both"),
        ("curve_every = 0".to_string(), "curve_every"),
    ] {
        std::fs::write(dir.join("bad.toml"), plan(&extra)).unwrap();
        let err = run_plan(&dir.join("bad.toml"), &out, &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("bad.toml") && err.contains(want), "{err}");
    }
}
