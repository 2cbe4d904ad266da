//! The library's `experiment` end to end, at toy size: every variant pretrains, is scored,
//! and the table, charts and report appear.

use cmgems_native::events::Observers;
use cmgems_native::experiment;

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
    experiment::run(&dir.join("exp.toml"), &out, None, &mut Observers::new()).unwrap();
    let csv = std::fs::read_to_string(out.join("results.csv")).unwrap();
    // One row per run: random once, genemask and cm-gems with both lookups, the probe of
    // random weights; each at both seeds.
    let runs: Vec<(&str, &str)> = csv
        .lines()
        .skip(1)
        .map(|l| {
            let mut f = l.split(',');
            (f.next().unwrap(), f.next().unwrap())
        })
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
    assert!(
        csv.starts_with("variant,seed,switch_step,perplexity,unigram_perplexity,probe_motif_auc")
    );
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
    // The plateau finding counts the pretrained runs (all but the untrained probe's) whose
    // perplexity ended below their unigram baseline, as the table has them.
    let (below, pretrained) = csv.lines().skip(1).fold((0, 0), |(below, all), line| {
        let f: Vec<&str> = line.split(',').collect();
        match (f[3].parse::<f64>(), f[4].parse::<f64>()) {
            (Ok(ppl), Ok(unigram)) => (below + usize::from(ppl < unigram), all + 1),
            _ => (below, all),
        }
    });
    assert_eq!(pretrained, 10, "{csv}");
    let finding = format!("- {below} of 10 pretrained runs ended below the unigram baseline");
    assert!(report.contains(&finding), "{finding:?} not in {report}");
    // A second run reuses every scored run instead of pretraining it again.
    let before = std::fs::read_to_string(out.join("report.md")).unwrap();
    experiment::run(&dir.join("exp.toml"), &out, None, &mut Observers::new()).unwrap();
    assert_eq!(
        std::fs::read_to_string(out.join("report.md")).unwrap(),
        before
    );
    for svg in ["loss.svg", "fewshot.svg", "perplexity.svg", "probe.svg"] {
        let text = std::fs::read_to_string(out.join(svg)).unwrap();
        assert!(
            text.starts_with("<svg") && (text.contains("polyline") || text.contains("circle")),
            "{svg}: {text}"
        );
    }
    // A misspelt key is refused, naming the file.
    std::fs::write(dir.join("bad.toml"), "name = \"x\"\nmaskin = []\n").unwrap();
    let err = experiment::run(
        &dir.join("bad.toml"),
        &dir.join("bad"),
        None,
        &mut Observers::new(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("bad.toml") && err.contains("maskin"), "{err}");
}

/// The experiment files of the repository read (their `[pretrain]` in sections), and so
/// does a `[pretrain]` table of the earlier, flat layout.
#[test]
fn repository_experiment_files_read() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../experiments");
    for name in ["small.toml", "medium.toml", "paper.toml"] {
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
}
