//! Running the `train` binary from the CLI tests (`cli.rs`, `bad_inputs.rs`).

use std::path::Path;
use std::process::{Command, Output};

pub fn train(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_train"))
        .args(args)
        .output()
        .expect("train runs")
}

/// Runs `train`, which must succeed; returns its standard output.
pub fn ok(args: &[&str]) -> String {
    let out = train(args);
    assert!(
        out.status.success(),
        "train {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs `train` expecting a clean failure (exit 1, not a panic's 101) whose message
/// contains every needle; returns the message.
pub fn fails_with(args: &[&str], needles: &[&str]) -> String {
    let out = train(args);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(1),
        "train {args:?}: wanted a clean error (exit 1), got {:?}:\n{err}",
        out.status
    );
    assert!(!err.contains("panicked"), "{err}");
    for n in needles {
        assert!(err.contains(n), "{n:?} not in {err:?}");
    }
    err
}

pub fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}
