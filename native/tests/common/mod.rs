//! The harness of native's integration tests: running the `train` binary (this file),
//! flag lists of short pretraining runs, and finding the Python that the tests against
//! `transformers` run.

pub mod flags;
pub mod python;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Writes `bytes` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// `bytes` gzipped, as a `.gz` input file holds them.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

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

/// Set in the child process that [`in_own_process`] starts.
const OWN_PROCESS: &str = "CMGEMS_TEST_OWN_PROCESS";

/// For a test that needs burn's RNG to itself (one seed per process, which the other tests of
/// this binary draw from on their threads). In the child process started for it, true: run
/// the body. Elsewhere this runs the binary again with `test` (its full name, `module::fn`)
/// alone, asserts that it ran and passed, and returns false: the caller returns.
pub fn in_own_process(test: &str) -> bool {
    if std::env::var_os(OWN_PROCESS).is_some() {
        return true;
    }
    let out = Command::new(std::env::current_exe().expect("the test binary's path"))
        .args([test, "--exact", "--test-threads=1"])
        .env(OWN_PROCESS, "1")
        .output()
        .expect("the test binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("test result: ok. 1 passed"),
        "{test} in its own process:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    false
}
