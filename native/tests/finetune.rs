//! `train finetune | fewshot | gue | export` end to end on the CPU backend.

use crate::common::{fails_with, ok, p, train};
use std::path::Path;

/// A separable toy task: class 1 sequences carry a planted motif, class 0 do not.
fn write_task(dir: &Path, rows: usize, seed: u64) {
    std::fs::create_dir_all(dir).unwrap();
    let mut rng = cmgems_core::SeededRng::new(seed);
    for split in ["train", "dev", "test"] {
        let mut csv = String::from("sequence,label\n");
        for i in 0..rows {
            let label = i % 2;
            let mut seq: Vec<u8> = (0..40).map(|_| b"ACGT"[rng.below(4) as usize]).collect();
            if label == 1 {
                seq[10..22].copy_from_slice(b"TATAAAAGGCGC");
            }
            csv += &format!("{},{label}\n", String::from_utf8(seq).unwrap());
        }
        std::fs::write(dir.join(format!("{split}.csv")), csv).unwrap();
    }
}

fn metric(json: &serde_json::Value, split: &str, name: &str) -> f64 {
    json["metrics"][split][name].as_f64().unwrap()
}

#[test]
fn finetune_learns_a_planted_motif_and_writes_metrics_and_an_hf_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let task = tmp.path().join("task");
    write_task(&task, 80, 1);
    let out = tmp.path().join("run");
    let stdout = ok(&[
        "finetune",
        "--data",
        p(&task),
        "--recipe",
        "fewshot:10",
        "--init",
        "preset:tiny",
        "--backend",
        "cpu",
        "--epochs",
        "15",
        "--lr",
        "1e-3",
        "--out",
        p(&out),
    ]);
    assert!(
        stdout.contains("dev: accuracy") && stdout.contains("test: accuracy"),
        "{stdout}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("metrics.json")).unwrap()).unwrap();
    assert!(metric(&json, "test", "accuracy") > 0.8, "{json}");
    assert!(metric(&json, "test", "auc") > 0.8, "{json}");
    assert_eq!(json["train"]["class_counts"], serde_json::json!([40, 40]));
    for f in [
        "config.json",
        "model.safetensors",
        "vocab.txt",
        "tokenizer_config.json",
    ] {
        assert!(out.join("model").join(f).is_file(), "{f}");
    }
    // A finished run is not overwritten.
    let again = train(&[
        "finetune",
        "--data",
        p(&task),
        "--recipe",
        "fewshot:10",
        "--init",
        "preset:tiny",
        "--backend",
        "cpu",
        "--out",
        p(&out),
    ]);
    assert!(!again.status.success());
    // The fine-tuned folder is a valid --init (its classifier is reused).
    let out2 = tmp.path().join("run2");
    ok(&[
        "finetune",
        "--data",
        p(&task),
        "--recipe",
        "fewshot:10",
        "--init",
        p(&out.join("model")),
        "--backend",
        "cpu",
        "--epochs",
        "1",
        "--out",
        p(&out2),
    ]);
}

#[test]
fn test_label_out_of_range_is_refused_with_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let task = tmp.path().join("task");
    write_task(&task, 10, 2);
    std::fs::write(
        task.join("test.csv"),
        "sequence,label\nACGTACGTAC,0\nACGTACGTAC,5\n",
    )
    .unwrap();
    fails_with(
        &[
            "finetune",
            "--data",
            p(&task),
            "--recipe",
            "fewshot:5",
            "--init",
            "preset:tiny",
            "--backend",
            "cpu",
            "--out",
            p(&tmp.path().join("run")),
        ],
        &["test.csv", "line 3", "label 5 is out of range"],
    );
}

#[test]
fn fewshot_draws_per_seed_and_writes_the_documented_json() {
    let tmp = tempfile::tempdir().unwrap();
    let task = tmp.path().join("task");
    write_task(&task, 40, 3);
    let json_path = tmp.path().join("fewshot.json");
    let stdout = ok(&[
        "fewshot",
        "--train",
        p(&task.join("train.csv")),
        "--test",
        p(&task.join("test.csv")),
        "--shots",
        "5,10",
        "--seeds",
        "2",
        "--epochs",
        "2",
        "--init",
        "preset:tiny",
        "--backend",
        "cpu",
        "--out",
        p(&json_path),
    ]);
    assert!(
        stdout.contains("| shots | accuracy (%) | MCC (%) | seeds |"),
        "{stdout}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    // Each figure's mean and population standard deviation are those of its two seeds'
    // runs: (a + b) / 2 and |a - b| / 2.
    for n in ["5", "10"] {
        for figure in ["accuracy", "mcc"] {
            let spread = &json["shots"][n][figure];
            let runs: Vec<f64> = spread["runs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r.as_f64().unwrap())
                .collect();
            let [a, b] = runs[..] else {
                panic!("{n} shots: wanted 2 runs of {figure}, got {json}");
            };
            let close = |key: &str, want: f64| {
                let got = spread[key].as_f64().unwrap();
                assert!(
                    (got - want).abs() < 1e-12,
                    "{n} shots {figure} {key}: {got} vs {want}"
                );
            };
            close("mean", (a + b) / 2.0);
            close("std", (a - b).abs() / 2.0);
        }
    }
    // More shots than a class has is refused, naming the file.
    let out = train(&[
        "fewshot",
        "--train",
        p(&task.join("train.csv")),
        "--test",
        p(&task.join("test.csv")),
        "--shots",
        "50",
        "--seeds",
        "1",
        "--init",
        "preset:tiny",
        "--backend",
        "cpu",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("train.csv") && err.contains("class 0 has 20"),
        "{err}"
    );
}

#[test]
fn gue_runner_scores_present_tasks_and_lists_absent_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("GUE");
    write_task(&root.join("prom/prom_core_all"), 20, 4);
    write_task(&root.join("tf/0"), 20, 5);
    let out = tmp.path().join("gue");
    let stdout = ok(&[
        "gue",
        "--root",
        p(&root),
        "--init",
        "preset:tiny",
        "--backend",
        "cpu",
        "--epochs",
        "1",
        "--out",
        p(&out),
    ]);
    assert!(
        stdout.contains("| prom/prom_core_all | Human |"),
        "{stdout}"
    );
    assert!(
        stdout.contains("| EMP/H3 | non-Human | – | absent |"),
        "{stdout}"
    );
    assert!(stdout.contains("over 2 of 12 tasks"), "{stdout}");
    let csv = std::fs::read_to_string(out.join("results.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 28 + 2, "{csv}");
    assert!(out.join("prom_prom_core_all.json").is_file());
}

/// DNABERT-2's `load_best_model_at_end`: with a dev evaluation every step, a run whose last
/// step is not its best dev loss is scored with the best one (its dev loss, measured again on
/// the scored model, is the best's, not the last's); `--final-model` scores the last.
#[test]
fn gue_scores_the_checkpoint_of_lowest_dev_loss_not_the_last() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("GUE");
    write_task(&root.join("tf/0"), 20, 5);
    let run = |out: &Path, extra: &[&str]| {
        let mut args = vec![
            "gue",
            "--root",
            p(&root),
            "--init",
            "preset:tiny",
            "--backend",
            "cpu",
            "--tasks",
            "tf/0",
            "--epochs",
            "2",
            "--batch-size",
            "2",
            "--lr",
            "0.01",
            "--warmup-steps",
            "0",
            "--out",
            p(out),
        ];
        args.extend_from_slice(extra);
        ok(&args);
        let text = std::fs::read_to_string(out.join("tf_0.json")).unwrap();
        serde_json::from_str::<serde_json::Value>(&text).unwrap()["selected"].clone()
    };
    let best = run(&tmp.path().join("best"), &["--best-dev-every", "1"]);
    let f = |k: &str| best[k].as_f64().unwrap_or_else(|| panic!("{k} in {best}"));
    assert_eq!(best["rule"], "lowest dev loss", "{best}");
    assert_eq!(f("last_step"), 20.0, "{best}");
    assert!(
        f("step") < f("last_step"),
        "the last step was the best: {best}"
    );
    assert!(f("dev_loss") < f("last_dev_loss"), "{best}");
    assert!(
        (f("scored_model_dev_loss") - f("dev_loss")).abs() < 1e-6,
        "{best}"
    );
    let last = run(&tmp.path().join("last"), &["--final-model"]);
    assert_eq!(last["rule"], "final model", "{last}");
}

#[test]
fn export_writes_a_folder_that_init_reads_back() {
    let tmp = tempfile::tempdir().unwrap();
    let hf = tmp.path().join("hf");
    ok(&["export", "--hf", p(&hf), "preset:tiny"]);
    let config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(hf.join("config.json")).unwrap()).unwrap();
    assert_eq!(config["architectures"][0], "BertForMaskedLM");
    let vocab = std::fs::read_to_string(hf.join("vocab.txt")).unwrap();
    assert_eq!(vocab.lines().count(), 4101);
    // Exporting over an existing folder is refused.
    assert!(!train(&["export", "--hf", p(&hf), "preset:tiny"])
        .status
        .success());
    // A folder without weights is refused by name.
    let out = train(&["export", "--hf", p(&tmp.path().join("x")), p(tmp.path())]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("model.safetensors"));
}

/// The few-shot protocol (docs/algorithms.md §7) on the real Prom-core data, when the machine
/// has it.
#[test]
fn tiny_model_beats_chance_on_real_prom_core_few_shot() {
    let Some(dir) = cmgems_tests::shared_file("GeneMask/Data-B_fewshot-task-datasets/Prom-core")
    else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let json_path = tmp.path().join("fewshot.json");
    let stdout = ok(&[
        "fewshot",
        "--train",
        p(&dir),
        "--test",
        p(&dir.join("test.tsv")),
        "--shots",
        "50",
        "--seeds",
        "2",
        "--init",
        "preset:tiny",
        "--backend",
        "cpu",
        "--out",
        p(&json_path),
    ]);
    eprintln!("{stdout}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    let mean = json["shots"]["50"]["accuracy"]["mean"].as_f64().unwrap();
    // 5920 test rows, balanced: chance is 0.5 and its standard error 0.0065.
    assert!(mean > 0.55, "mean accuracy {mean}");
}

/// `train probe` on the planted-motif task: an encoder with random weights still mean-pools
/// the motif's k-mers into a direction a linear model finds, so the test AUC is well above
/// chance; the JSON carries the report, the pooling, the init and the files.
#[test]
fn probe_separates_a_planted_motif_and_writes_its_report() {
    let tmp = tempfile::tempdir().unwrap();
    let task = tmp.path().join("task");
    write_task(&task, 80, 3);
    let train_csv = task.join("train.csv");
    // `train probe` of the preset on the train split and `test`, with `extra` flags.
    let probe = |test: &Path, extra: &[&str]| -> Vec<String> {
        let mut args: Vec<String> = ["probe", "--init", "preset:tiny", "--train"]
            .map(String::from)
            .to_vec();
        args.extend([p(&train_csv).into(), "--test".into(), p(test).into()]);
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    };
    let run_ok = |args: Vec<String>| ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let (test_csv, out, again) = (
        task.join("test.csv"),
        tmp.path().join("probe.json"),
        tmp.path().join("again.json"),
    );
    let stdout = run_ok(probe(&test_csv, &["--test-limit", "60", "--out", p(&out)]));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let report = &json["report"];
    assert_eq!(report["n_train"], 80);
    assert_eq!(report["n_test"], 60);
    assert_eq!(report["n_features"], 64);
    assert_eq!(report["n_classes"], 2);
    assert_eq!(json["pool"], "mean");
    assert_eq!(json["init"], "preset:tiny");
    assert!(
        json["test"].as_str().unwrap().ends_with("test.csv"),
        "{json}"
    );
    let auc = report["auc"].as_f64().unwrap();
    assert!(auc > 0.75 && auc <= 1.0, "AUC {auc}");
    assert!(stdout.contains(&format!("AUC {auc:.4}")), "{stdout}");
    // The preset's random weights come from --seed: the same command gives the same report.
    run_ok(probe(
        &test_csv,
        &["--test-limit", "60", "--out", p(&again)],
    ));
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        std::fs::read_to_string(&again).unwrap()
    );
    // The [CLS] option runs too, and a test class the train split lacks is an error naming it.
    assert!(run_ok(probe(&test_csv, &["--pool", "cls"])).contains("cls pool"));
    let bad = tmp.path().join("bad.csv");
    std::fs::write(&bad, "sequence,label\nACGTACGTAC,0\nACGTACGTAC,5\n").unwrap();
    let args = probe(&bad, &[]);
    fails_with(
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
        &["bad.csv"],
    );
}

/// `finetune::run` reports through the event protocol: an observer hears the start, every
/// step and the scores of dev and test; one that answers stop ends the run after that step
/// with `Stopped`, and nothing is written.
#[test]
fn finetune_run_reports_its_steps_and_an_observer_can_stop_it() {
    use cmgems_native::events::{Control, Event, Observer, ObserverError, Observers};
    use cmgems_native::finetune::{self, FinetuneError, FinetunePlan, InitSource, Recipe};
    struct Listen(Vec<String>, Option<u64>);
    impl Observer for Listen {
        fn on_event(&mut self, event: &Event) -> Result<Control, ObserverError> {
            match event {
                Event::Start { total, .. } => self.0.push(format!("start {total}")),
                Event::TuneStep { step, .. } => self.0.push(format!("step {}", step.step)),
                Event::Scored { split, .. } => self.0.push(format!("scored {split}")),
                Event::End { step, .. } => self.0.push(format!("end {step}")),
                _ => {}
            }
            Ok(match event {
                Event::TuneStep { step, .. } if Some(step.step) == self.1 => Control::Stop,
                _ => Control::Continue,
            })
        }
    }
    let tmp = tempfile::tempdir().unwrap();
    let task = tmp.path().join("task");
    write_task(&task, 16, 3);
    cmgems_native::backend::set_default_device(cmgems_native::backend::BackendChoice::Cpu);
    let device =
        cmgems_native::backend::select_device(cmgems_native::backend::BackendChoice::Cpu).device;
    let start = finetune::Start::new(InitSource::resolve("preset:tiny").unwrap(), device).unwrap();
    let mut recipe = Recipe::fewshot(10);
    recipe.epochs = 1;
    recipe.batch_size = 4;
    let plan = |out: &str| FinetunePlan {
        files: finetune::SplitFiles::find(&task),
        recipe: recipe.clone(),
        init: "preset:tiny".into(),
        max_train: None,
        seed: 1,
        eval_batch: 8,
        out: tmp.path().join(out),
    };
    let mut whole = Listen(Vec::new(), None);
    finetune::run(
        &start,
        &plan("whole"),
        &mut Observers::new().with(&mut whole),
    )
    .unwrap();
    assert_eq!(
        whole.0,
        [
            "start 4",
            "step 1",
            "step 2",
            "step 3",
            "step 4",
            "end 4",
            "scored dev",
            "scored test"
        ]
    );
    let mut stopping = Listen(Vec::new(), Some(2));
    let stopped = finetune::run(
        &start,
        &plan("stopped"),
        &mut Observers::new().with(&mut stopping),
    );
    assert!(
        matches!(stopped, Err(FinetuneError::Stopped { step: 2 })),
        "{stopped:?}"
    );
    assert_eq!(stopping.0, ["start 4", "step 1", "step 2"]);
    assert!(!tmp.path().join("stopped").exists());
}
