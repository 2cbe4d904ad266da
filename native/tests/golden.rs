//! Behaviour kept (issue 13, item 9): a small seeded `train pretrain` writes the
//! `metrics.jsonl` of `tests/golden/pretrain_metrics.jsonl`, timing fields aside. The golden
//! file was written by the code before the library/binary split; a change to the loop,
//! the data order, the maskers or the curriculum shows up here as a changed number or line.
//!
//! To regenerate after an intended change: `CMGEMS_WRITE_GOLDEN=1 cargo test --release -p
//! cmgems-native --test tests golden`, then review the diff of the golden file.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Relative tolerance on numbers: the run repeats bit for bit on one machine; this leaves room
/// only for the last bits of a sum done in another order, not for a changed computation.
const REL_TOL: f64 = 1e-6;

/// Fields that measure the machine, not the run.
const TIMING_FIELDS: [&str; 2] = ["tokens_per_s", "loader_share"];

fn golden_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/pretrain_metrics.jsonl")
}

/// A tiny CM-GEMS run with evaluations every 2 steps and a threshold that makes it switch
/// (threshold 1000: any drop is "flat"), so step, evaluation and switch lines all appear.
fn seeded_run(out: &Path) -> String {
    let args = [
        "pretrain",
        "--out",
        out.to_str().unwrap(),
        "--preset",
        "tiny",
        "--backend",
        "cpu",
        "--synthetic-records",
        "8",
        "--seq-len",
        "64",
        "--batch-size",
        "4",
        "--accumulation",
        "2",
        "--steps",
        "8",
        "--lr",
        "2e-3",
        "--warmup-steps",
        "2",
        "--eval-every",
        "2",
        "--eval-batches",
        "2",
        "--checkpoint-every",
        "4",
        "--min-count",
        "5",
        "--masking",
        "cm-gems",
        "--cm-gems-threshold",
        "1000",
        "--seed",
        "7",
    ];
    let r = Command::new(env!("CARGO_BIN_EXE_train"))
        .args(args)
        .output()
        .expect("train runs");
    assert!(
        r.status.success(),
        "train {args:?} failed:\n{}",
        String::from_utf8_lossy(&r.stderr)
    );
    std::fs::read_to_string(out.join("metrics.jsonl")).unwrap()
}

/// The lines of a metrics.jsonl without the timing fields.
fn parse(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| {
            let mut v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}"));
            let o = v.as_object_mut().expect("a JSON object per line");
            for f in TIMING_FIELDS {
                o.remove(f);
            }
            v
        })
        .collect()
}

/// Why `got` differs from `want` (numbers within `REL_TOL` relative, everything else exact),
/// or `None` when they agree.
fn differ(want: &Value, got: &Value, at: &str) -> Option<String> {
    match (want, got) {
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            let close = a == b || (a - b).abs() <= REL_TOL * a.abs().max(b.abs());
            (!close).then(|| format!("{at}: {b} instead of {a}"))
        }
        (Value::Object(a), Value::Object(b)) => {
            let (ka, kb): (Vec<_>, Vec<_>) = (a.keys().collect(), b.keys().collect());
            if ka != kb {
                return Some(format!("{at}: keys {kb:?} instead of {ka:?}"));
            }
            a.iter()
                .find_map(|(k, v)| differ(v, &b[k], &format!("{at}.{k}")))
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .enumerate()
            .find_map(|(i, (x, y))| differ(x, y, &format!("{at}[{i}]"))),
        _ => (want != got).then(|| format!("{at}: {got} instead of {want}")),
    }
}

fn compare(want: &[Value], got: &[Value]) -> Option<String> {
    if want.len() != got.len() {
        return Some(format!("{} lines instead of {}", got.len(), want.len()));
    }
    want.iter()
        .zip(got)
        .enumerate()
        .find_map(|(i, (w, g))| differ(w, g, &format!("line {}", i + 1)))
}

#[test]
fn seeded_pretrain_writes_the_golden_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let text = seeded_run(&dir.path().join("run"));
    if std::env::var_os("CMGEMS_WRITE_GOLDEN").is_some() {
        std::fs::write(golden_path(), &text).unwrap();
        eprintln!("wrote {}", golden_path().display());
    }
    let want = parse(&std::fs::read_to_string(golden_path()).unwrap());
    let got = parse(&text);
    // The run must cover every kind of line the loop writes.
    for kind in ["loss", "eval_perplexity", "event"] {
        assert!(want.iter().any(|v| v.get(kind).is_some()), "no {kind} line");
    }
    if let Some(why) = compare(&want, &got) {
        panic!("metrics.jsonl differs from the golden file: {why}\n{text}");
    }
}

/// The comparison itself fails on what it must catch: a number off by more than the
/// tolerance, a changed string, a missing or extra field, a missing line.
#[test]
fn the_comparison_catches_changes() {
    let want = parse(&std::fs::read_to_string(golden_path()).unwrap());
    assert_eq!(compare(&want, &want), None);
    let step = want.iter().position(|v| v.get("loss").is_some()).unwrap();
    let mut loss = want.clone();
    let l = loss[step]["loss"].as_f64().unwrap();
    loss[step]["loss"] = serde_json::json!(l * (1.0 + 1e-5));
    assert!(compare(&want, &loss).unwrap().contains("loss"));
    let mut close = want.clone();
    close[step]["loss"] = serde_json::json!(l * (1.0 + 1e-8));
    assert_eq!(compare(&want, &close), None);
    let mut masker = want.clone();
    masker[step]["masker"] = serde_json::json!("global-x");
    assert!(compare(&want, &masker).unwrap().contains("masker"));
    let mut extra = want.clone();
    extra[step]["new_field"] = serde_json::json!(1);
    assert!(compare(&want, &extra).unwrap().contains("keys"));
    assert!(compare(&want, &want[1..]).unwrap().contains("lines"));
}
