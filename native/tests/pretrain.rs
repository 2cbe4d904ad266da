//! End-to-end tests of `train pretrain` on the CPU backend with the tiny preset.

use crate::common::flags;

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const TRAIN: &str = env!("CARGO_BIN_EXE_train");

/// Flags of a short tiny-model run on the synthetic corpus; `extra` flags replace the
/// defaults of the same name.
fn tiny(out: &Path, extra: &[&str]) -> Vec<String> {
    let base = [
        ("--preset", "tiny"),
        ("--backend", "cpu"),
        ("--synthetic-records", "30"),
        ("--seq-len", "128"),
        ("--batch-size", "8"),
        ("--accumulation", "2"),
        ("--lr", "2e-3"),
        ("--warmup-steps", "5"),
        ("--eval-every", "10"),
        ("--eval-batches", "4"),
        ("--min-count", "20"),
    ];
    flags::pretrain_args(out, &base, extra)
}

fn run(args: &[String]) -> Output {
    run_with_env(args, &[])
}

/// `run` with extra environment variables for the child.
fn run_with_env(args: &[String], env: &[(&str, &str)]) -> Output {
    Command::new(TRAIN)
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("train runs")
}

fn ok(args: &[String]) -> Output {
    ok_with_env(args, &[])
}

/// `ok` with extra environment variables for the child.
fn ok_with_env(args: &[String], env: &[(&str, &str)]) -> Output {
    let out = run_with_env(args, env);
    assert!(
        out.status.success(),
        "train {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn metrics(out: &Path) -> Vec<Value> {
    std::fs::read_to_string(out.join("metrics.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The fields that must not depend on timing.
fn deterministic(lines: &[Value]) -> Vec<Value> {
    lines
        .iter()
        .map(|v| {
            let mut v = v.clone();
            let o = v.as_object_mut().unwrap();
            o.remove("tokens_per_s");
            o.remove("loader_share");
            v
        })
        .collect()
}

fn losses(lines: &[Value]) -> Vec<f64> {
    lines.iter().filter_map(|v| v["loss"].as_f64()).collect()
}

/// A FASTA of records made only of the synthetic generator's planted motifs, seeded: its
/// k-mer distribution is concentrated, so a model that learns anything shows it at once.
fn write_motif_corpus(path: &Path) {
    use cmgems_core::input::synthetic::PLANTED_MOTIFS;
    let mut rng = cmgems_core::SeededRng::new(1);
    let mut text = String::new();
    for r in 0..40 {
        text.push_str(&format!(">motifs_{r}\n"));
        for _ in 0..200 {
            text.push_str(PLANTED_MOTIFS[rng.below(PLANTED_MOTIFS.len() as u64) as usize]);
        }
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
}

#[test]
fn tiny_model_loss_falls_on_a_corpus_of_planted_motifs() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let fasta = dir.path().join("motifs.fa");
    write_motif_corpus(&fasta);
    ok(&tiny(
        &out,
        &[
            "--steps",
            "60",
            "--masking",
            "random",
            "--corpus",
            fasta.to_str().unwrap(),
        ],
    ));
    let l = losses(&metrics(&out));
    assert_eq!(l.len(), 60);
    let first: f64 = l[..5].iter().sum::<f64>() / 5.0;
    let last: f64 = l[55..].iter().sum::<f64>() / 5.0;
    // ln(4101) = 8.32 at the start. Measured: 8.25 -> 5.25 over these 60 steps.
    assert!(first > 7.8, "first losses {first}");
    assert!(last < first - 2.0, "loss fell only from {first} to {last}");
    for file in ["config.toml", "table.json", "checkpoints/latest"] {
        assert!(out.join(file).exists(), "{file} missing");
    }
}

/// Every evaluation reports the unigram baseline on its own masked labels, and the closing
/// line shows the last one beside the last eval perplexity (issue 14).
#[test]
fn every_evaluation_reports_its_unigram_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let r = ok(&tiny(&out, &["--steps", "10", "--eval-every", "5"]));
    let evals: Vec<Value> = metrics(&out)
        .into_iter()
        .filter(|v| v.get("eval_perplexity").is_some())
        .collect();
    assert_eq!(evals.len(), 2);
    for e in &evals {
        let u = e["unigram_perplexity"].as_f64().unwrap_or(f64::NAN);
        // Add-one smoothing keeps it finite; above 1 unless every label is one k-mer; below
        // the 4,096 6-mers (uniform) because the corpus has structure to count.
        assert!(u.is_finite() && u > 1.0 && u < 4096.0, "{e}");
    }
    let stdout = String::from_utf8_lossy(&r.stdout);
    let last = evals.last().unwrap();
    let want = format!(
        "last eval perplexity {:.3} (unigram baseline {:.3})",
        last["eval_perplexity"].as_f64().unwrap(),
        last["unigram_perplexity"].as_f64().unwrap()
    );
    assert!(stdout.contains(&want), "{stdout} lacks {want}");
}

#[test]
fn cm_gems_switch_is_logged_in_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    // Any drop is "flat" with a threshold of 1000: the switch comes at the second evaluation.
    ok(&tiny(
        &out,
        &[
            "--steps",
            "30",
            "--masking",
            "cm-gems",
            "--cm-gems-threshold",
            "1000",
        ],
    ));
    let m = metrics(&out);
    let switch: Vec<&Value> = m.iter().filter(|v| v["event"] == "switch").collect();
    assert_eq!(switch.len(), 1, "{m:?}");
    assert_eq!(switch[0]["step"], 20);
    for v in m.iter().filter(|v| v["loss"].is_number()) {
        let want = if v["step"].as_u64().unwrap() <= 20 {
            "genemask"
        } else {
            "global"
        };
        assert_eq!(v["masker"], want, "{v}");
    }
    let events = std::fs::read_to_string(out.join("events.jsonl")).unwrap();
    assert_eq!(events.lines().count(), 1);
}

#[test]
fn killed_run_resumes_to_the_same_metrics_as_an_unbroken_run() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole");
    let broken = dir.path().join("broken");
    let flags = [
        "--steps",
        "24",
        "--checkpoint-every",
        "4",
        "--masking",
        "cm-step",
    ];
    ok(&tiny(&whole, &flags));

    let mut child = Command::new(TRAIN)
        .args(tiny(&broken, &flags))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let latest = broken.join("checkpoints/latest");
    let start = Instant::now();
    while !latest.exists() && start.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let resumed_from = std::fs::read_to_string(&latest).unwrap();
    resumes_to_the_unbroken_run(&broken, &whole, &format!("resumed from {resumed_from}"));
}

/// `train pretrain --resume` of the run in `dir`.
fn resume(dir: &Path) -> Vec<String> {
    vec![
        "pretrain".to_string(),
        "--resume".to_string(),
        dir.to_str().unwrap().to_string(),
    ]
}

/// Resumes the interrupted run `broken`, whose log must then equal that of the unbroken run
/// `whole` (`context`: how it was interrupted).
fn resumes_to_the_unbroken_run(broken: &Path, whole: &Path, context: &str) {
    ok(&resume(broken));
    assert_eq!(
        deterministic(&metrics(broken)),
        deterministic(&metrics(whole)),
        "{context}"
    );
}

/// Whether a checkpoint folder loads as `--resume` would load it; its step if so.
fn load_checkpoint(dir: &Path) -> Result<u64, String> {
    use cmgems_native::backend::{select_device, set_default_device, BackendChoice};
    set_default_device(BackendChoice::Cpu);
    let device = select_device(BackendChoice::Cpu).device.autodiff();
    cmgems_native::training::Checkpoint::new(dir)
        .load(&device)
        .map(|(_, state, _)| state.step)
        .map_err(|e| e.to_string())
}

/// The highest `step` of a training line in a (possibly half-written) metrics.jsonl.
fn last_logged_step(out: &Path) -> u64 {
    std::fs::read_to_string(out.join("metrics.jsonl"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["loss"].is_number())
        .filter_map(|v| v["step"].as_u64())
        .max()
        .unwrap_or(0)
}

/// Starts `train` in the background, quietly, to be killed.
fn spawn(args: &[String]) -> std::process::Child {
    Command::new(TRAIN)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Checks what a killed run left in `checkpoints/`: `latest` names a folder, and every
/// `step-N` folder loads as step N. Returns the folder's entries.
fn checkpoints_load(out: &Path) -> Vec<String> {
    let checkpoints = out.join("checkpoints");
    let latest = std::fs::read_to_string(checkpoints.join("latest")).unwrap();
    assert!(
        checkpoints.join(latest.trim()).is_dir(),
        "latest = {latest}"
    );
    let mut left = Vec::new();
    for entry in std::fs::read_dir(&checkpoints).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if let Some(n) = name.strip_prefix("step-") {
            assert_eq!(load_checkpoint(&path), Ok(n.parse().unwrap()), "{name}");
        }
        left.push(name);
    }
    left.sort();
    left
}

#[test]
fn run_killed_at_seeded_points_resumes_to_the_unbroken_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole");
    let broken = dir.path().join("broken");
    // CM-GEMS switches at step 20 (threshold 1000): the curriculum state must survive too.
    // A checkpoint every 2 steps, so kills often land inside a checkpoint write.
    let flags = [
        "--steps",
        "24",
        "--checkpoint-every",
        "2",
        "--masking",
        "cm-gems",
        "--cm-gems-threshold",
        "1000",
    ];
    ok(&tiny(&whole, &flags));

    // Three kills, one in each third of the run, each a seeded 0..40 ms after the
    // metrics line of its step (that is, while the step's checkpoint is being written, or
    // during the next step).
    let mut rng = cmgems_core::SeededRng::new(7);
    let kills: Vec<(u64, u64)> = [3, 9, 15]
        .iter()
        .map(|&from| (from + rng.below(6), rng.below(40)))
        .collect();
    let resume_args = resume(&broken);
    for (i, &(step, delay_ms)) in kills.iter().enumerate() {
        let args = if i == 0 {
            tiny(&broken, &flags)
        } else {
            resume_args.clone()
        };
        let mut child = spawn(&args);
        let start = Instant::now();
        while last_logged_step(&broken) < step
            && child.try_wait().unwrap().is_none()
            && start.elapsed() < Duration::from_secs(300)
        {
            std::thread::sleep(Duration::from_millis(2));
        }
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL (a no-op if it already finished)
        child.wait().unwrap();
        let left = checkpoints_load(&broken);
        eprintln!(
            "kill {i}: aimed at step {step} + {delay_ms} ms, hit after step {}; left {left:?}",
            last_logged_step(&broken)
        );
    }
    // One more kill, aimed at the moment a checkpoint folder is being written.
    let mut child = spawn(&resume_args);
    let writing = || {
        std::fs::read_dir(broken.join("checkpoints"))
            .unwrap()
            .any(|e| e.unwrap().file_name().to_string_lossy().contains(".tmp-"))
    };
    while !writing() && child.try_wait().unwrap().is_none() {
        std::thread::sleep(Duration::from_micros(200));
    }
    let _ = child.kill();
    child.wait().unwrap();
    let left = checkpoints_load(&broken);
    eprintln!(
        "kill during a checkpoint write: {} {left:?}",
        if writing() {
            "hit (a temporary folder is left)"
        } else {
            "missed (the run ended first)"
        }
    );
    resumes_to_the_unbroken_run(
        &broken,
        &whole,
        &format!(
            "killed at (step, ms after its metrics line) {kills:?}, then during a checkpoint write"
        ),
    );
    let torn: Vec<_> = std::fs::read_dir(broken.join("checkpoints"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(
        torn.is_empty(),
        "temporary checkpoint folders left: {torn:?}"
    );
}

#[test]
fn existing_run_is_not_overwritten_without_resume() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    ok(&tiny(&out, &["--steps", "2"]));
    let again = run(&tiny(&out, &["--steps", "2"]));
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("--resume"));
}

#[test]
fn diverging_loss_stops_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let r = run(&tiny(
        &out,
        &[
            "--steps",
            "30",
            "--lr",
            "1e12",
            "--warmup-steps",
            "0",
            "--checkpoint-every",
            "1",
        ],
    ));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(!r.status.success(), "a lr of 1e12 should diverge");
    assert!(err.contains("loss became"), "{err}");
    // The last good checkpoint is kept whole.
    let latest = std::fs::read_to_string(out.join("checkpoints/latest")).unwrap();
    assert!(out
        .join("checkpoints")
        .join(latest.trim())
        .join("model.bpk")
        .exists());
}

/// Proves the wgpu path (on CI: Mesa's software Vulkan, lavapipe). Kept as small as a
/// training step gets: on an empty shader cache every kernel is compiled on the CPU, and
/// cubecl's default autotuning benchmarks several kernels per shape: the earlier smoke step
/// (batch 8 x 128, 2 micro-batches) had not finished one step after 15 minutes on a fresh
/// 2-core machine. With minimal autotuning and batch 4 x 64 (the smallest that reliably
/// masks a token in every step) it took 6 min with empty shader and autotune caches.
#[test]
fn wgpu_backend_runs_a_smoke_step() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let args = tiny(
        &out,
        &[
            "--steps",
            "2",
            "--backend",
            "wgpu",
            "--eval-every",
            "2",
            "--eval-batches",
            "1",
            "--seq-len",
            "64",
            "--batch-size",
            "4",
            "--accumulation",
            "1",
        ],
    );
    let r = ok_with_env(&args, &[("CUBECL_AUTOTUNE_LEVEL", "minimal")]);
    let err = String::from_utf8_lossy(&r.stderr);
    if err.contains("no wgpu adapter") {
        assert!(
            std::env::var_os("CMGEMS_REQUIRE_WGPU").is_none(),
            "CMGEMS_REQUIRE_WGPU is set but wgpu found no adapter:\n{err}"
        );
        cmgems_tests::skip(
            "no wgpu adapter here (install mesa-vulkan-drivers); the CPU fallback ran",
        );
    } else {
        assert!(err.contains("Wgpu"), "expected the wgpu device in:\n{err}");
    }
    assert_eq!(losses(&metrics(&out)).len(), 2);
}

/// `--devices 2` on the CPU backend runs the data-parallel path (two replicas, gradients
/// summed on the first): the run must log the losses and perplexities of a one-device run,
/// up to the order of floating-point sums, and say that it is data parallel.
#[test]
fn data_parallel_run_logs_the_one_device_losses() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    let flags = [
        "--steps",
        "12",
        "--accumulation",
        "3",
        "--masking",
        "cm-step",
    ];
    ok(&tiny(&one, &flags));
    let mut parallel = flags.to_vec();
    parallel.extend(["--devices", "2"]);
    let r = ok(&tiny(&two, &parallel));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("data parallel over 2 devices"), "{err}");
    let (a, b) = (metrics(&one), metrics(&two));
    assert_eq!(a.len(), b.len());
    let mut compared = 0;
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x["step"], y["step"]);
        assert_eq!(x["masker"], y["masker"]);
        for key in ["loss", "eval_perplexity"] {
            if let (Some(p), Some(q)) = (x[key].as_f64(), y[key].as_f64()) {
                assert!((p - q).abs() <= 1e-4 * p.abs(), "{key} {p} vs {q} at {x}");
                compared += 1;
            }
        }
    }
    assert!(compared >= 13, "only {compared} values compared");
    let config = std::fs::read_to_string(two.join("config.toml")).unwrap();
    assert!(config.contains("devices = 2"), "{config}");
}

/// Asking for more GPUs than exist is an error naming the flag, never a silent CPU run.
#[test]
fn more_devices_than_exist_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(&tiny(
        &dir.path().join("run"),
        &["--steps", "1", "--backend", "cuda", "--devices", "64"],
    ));
    assert!(!r.status.success());
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("--devices: devices = 64"), "{err}");
    assert!(!dir.path().join("run/metrics.jsonl").exists());
    let r = run(&tiny(&dir.path().join("zero"), &["--devices", "0"]));
    assert!(!r.status.success());
    assert!(String::from_utf8_lossy(&r.stderr).contains("at least 1"));
}

/// The default backend `auto` trains on a GPU when wgpu finds one and on the CPU otherwise;
/// a software Vulkan adapter (CI's lavapipe) is not a GPU for it.
#[test]
fn auto_backend_uses_the_cpu_when_wgpu_has_only_a_software_adapter() {
    use cmgems_native::backend::wgpu_adapters;
    let adapters = wgpu_adapters();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let mut args = tiny(&out, &["--steps", "1", "--eval-every", "1"]);
    let at = args.iter().position(|a| a == "--backend").unwrap();
    args.drain(at..at + 2); // the default
    let r = ok(&args);
    let err = String::from_utf8_lossy(&r.stderr);
    if adapters.iter().any(|a| a.hardware) {
        assert!(backend_line(&err).contains("Wgpu"), "{err}");
    } else {
        assert!(backend_line(&err).contains("Flex"), "{err}");
        if adapters.is_empty() {
            assert!(err.contains("no wgpu adapter"), "{err}");
        } else {
            assert!(err.contains("only the software wgpu adapter"), "{err}");
            assert!(err.contains(&adapters[0].name), "{err}");
        }
    }
    if std::env::var_os("CMGEMS_REQUIRE_WGPU").is_some() {
        assert!(
            !adapters.is_empty(),
            "CMGEMS_REQUIRE_WGPU is set but wgpu lists no adapter"
        );
    }
}

/// The `backend: ...` line a run prints.
fn backend_line(stderr: &str) -> &str {
    stderr
        .lines()
        .find(|l| l.starts_with("backend: "))
        .unwrap_or_default()
}

/// A 4-step CM-GEMS run of the tiny model on the synthetic corpus, evaluated every 2 steps,
/// switching at step 4, saved at the end only.
fn tiny_config() -> cmgems_native::pretrain::PretrainConfig {
    use cmgems_core::schedule::curriculum::CurriculumConfig;
    use cmgems_native::pretrain::*;
    PretrainConfig {
        backend: "cpu".into(),
        data: DataConfig {
            synthetic_records: 8,
            seq_len: 64,
            min_count: 5,
            ..Default::default()
        },
        model: ModelConfig {
            preset: "tiny".into(),
            ..Default::default()
        },
        masking: MaskingConfig {
            curriculum: CurriculumConfig::CmGems {
                threshold: cmgems_core::SwitchThreshold::Absolute(1000.0),
                patience: 1,
            },
            ..Default::default()
        },
        optimizer: cmgems_native::optim::OptimizerConfig {
            lr: 2e-3,
            warmup_steps: 1,
            ..Default::default()
        },
        schedule: ScheduleConfig {
            steps: 4,
            batch_size: 4,
            accumulation: 1,
        },
        evaluation: EvaluationConfig {
            eval_every: 2,
            eval_batches: 1,
        },
        checkpoints: CheckpointConfig {
            checkpoint_every: 4,
            ..Default::default()
        },
        ..PretrainConfig::default()
    }
}

/// The loop is a library function: an observer of its own sees every step, evaluation and
/// switch, in order, and the metrics file says the same.
#[test]
fn library_loop_reports_to_its_observers() {
    use cmgems_native::events::{Control, Event, Observer, ObserverError, Observers};
    use cmgems_native::pretrain::{self, JsonlLogs};
    #[derive(Default)]
    struct Record(Vec<String>);
    impl Observer for Record {
        fn on_event(&mut self, event: &Event) -> Result<Control, ObserverError> {
            match event {
                Event::Step(s) => self.0.push(format!("step {}", s.step)),
                Event::Eval(e) => self.0.push(format!("eval {}", e.step)),
                Event::Switch(s) => self.0.push(format!("switch {}", s.step)),
                Event::Checkpoint { step } => self.0.push(format!("checkpoint {step}")),
                Event::Saved { step, dir } => {
                    assert!(dir.join("model.bpk").is_file(), "{}", dir.display());
                    self.0.push(format!("saved {step}"));
                }
                Event::End { step, stopped, .. } => self.0.push(format!("end {step} {stopped}")),
                _ => {}
            }
            Ok(Control::Continue)
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let config = tiny_config();
    let selected = cmgems_native::backend::select_backend("cpu", 1).unwrap();
    let mut record = Record::default();
    let mut observers = Observers::new()
        .with(JsonlLogs::default())
        .with(&mut record);
    let summary = pretrain::run(&config, &selected, &out, false, &mut observers).unwrap();
    drop(observers);
    assert_eq!(
        record.0,
        [
            "step 1",
            "step 2",
            "eval 2",
            "step 3",
            "step 4",
            "eval 4",
            "switch 4",
            "checkpoint 4",
            "saved 4",
            "end 4 false"
        ]
    );
    assert_eq!((summary.steps, summary.switch_step), (4, Some(4)));
    assert!(!summary.stopped);
    assert!(summary.random_span_perplexity.is_finite());
    assert_eq!(metrics(&out).len(), 7);
}

/// Observers steer the loop: one asking to save after step 1 gets a checkpoint there, one
/// asking to stop after step 3 ends the run with a checkpoint of step 3 that resumes, and
/// the resumed run ends where an unbroken one does.
#[test]
fn observers_save_and_stop_the_library_loop() {
    use cmgems_native::events::{Control, Event, Observer, ObserverError, Observers};
    use cmgems_native::pretrain::{self, JsonlLogs};
    struct AskAt(u64, Control);
    impl Observer for AskAt {
        fn on_event(&mut self, event: &Event) -> Result<Control, ObserverError> {
            Ok(match event {
                Event::Step(s) if s.step == self.0 => self.1,
                _ => Control::Continue,
            })
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let (whole, broken) = (dir.path().join("whole"), dir.path().join("broken"));
    let mut config = tiny_config();
    config.checkpoints.keep_checkpoints = 5;
    let selected = cmgems_native::backend::select_backend("cpu", 1).unwrap();
    let mut plain = Observers::new().with(JsonlLogs::default());
    let unbroken = pretrain::run(&config, &selected, &whole, false, &mut plain).unwrap();
    let mut steered = Observers::new()
        .with(JsonlLogs::default())
        .with(AskAt(1, Control::Save))
        .with(AskAt(3, Control::Stop));
    let stopped = pretrain::run(&config, &selected, &broken, false, &mut steered).unwrap();
    assert!(stopped.stopped && stopped.steps == 3, "{stopped:?}");
    assert!(stopped.random_span_perplexity.is_nan());
    let saved: Vec<String> = std::fs::read_dir(broken.join("checkpoints"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("step-"))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(saved, ["step-00000001", "step-00000003"]);
    let mut plain = Observers::new().with(JsonlLogs::default());
    let resumed = pretrain::run(&config, &selected, &broken, true, &mut plain).unwrap();
    assert!(!resumed.stopped);
    assert_eq!(
        resumed.random_span_perplexity,
        unbroken.random_span_perplexity
    );
    assert_eq!(
        deterministic(&metrics(&broken)),
        deterministic(&metrics(&whole))
    );
}

/// SIGTERM mid-run: the run finishes its step, writes a checkpoint, says so and exits 143;
/// `--resume` then continues to the losses of an unbroken run. The signal is sent once the
/// log shows step 5, and whichever later step it lands after, the resumed log must equal
/// the unbroken one.
#[test]
fn sigterm_saves_a_checkpoint_and_resume_matches_the_unbroken_run() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole");
    let broken = dir.path().join("broken");
    // No checkpoint before the end but the one the signal asks for.
    let flags = [
        "--steps",
        "24",
        "--checkpoint-every",
        "1000",
        "--masking",
        "cm-gems",
        "--cm-gems-threshold",
        "1000",
    ];
    ok(&tiny(&whole, &flags));
    let child = Command::new(TRAIN)
        .args(tiny(&broken, &flags))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while last_logged_step(&broken) < 5 && start.elapsed() < Duration::from_secs(300) {
        std::thread::sleep(Duration::from_millis(2));
    }
    // SAFETY: kill(2) on the pid of a child this test started and has not reaped.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGTERM) }, 0);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(143), "{stderr}");
    let latest = std::fs::read_to_string(broken.join("checkpoints/latest")).unwrap();
    let stopped_at: u64 = latest.trim().trim_start_matches("step-").parse().unwrap();
    assert!((5..24).contains(&stopped_at), "{latest}");
    assert_eq!(
        last_logged_step(&broken),
        stopped_at,
        "the log ends at the checkpoint"
    );
    let said = format!("stopped by SIGTERM after step {stopped_at}; latest checkpoint: ");
    assert!(
        stderr.contains(&said) && stderr.contains(latest.trim()),
        "{stderr}"
    );
    resumes_to_the_unbroken_run(&broken, &whole, &format!("stopped after step {stopped_at}"));
}
