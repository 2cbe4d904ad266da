//! Finding the Python that the tests against `transformers` (`hf_python.rs`,
//! `training_parity.rs`) run: `$CMGEMS_PYTHON`, else `python3`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The interpreter, or `None` (after saying why) when torch and transformers are not
/// importable; `CMGEMS_REQUIRE_PYTHON=1` (CI) turns that into a failure instead.
pub fn python() -> Option<String> {
    let python = std::env::var("CMGEMS_PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = Command::new(&python)
        .args(["-c", "import torch, transformers"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return Some(python);
    }
    let why =
        format!("{python} cannot import torch and transformers (pip install torch transformers)");
    if std::env::var("CMGEMS_REQUIRE_PYTHON").is_ok_and(|v| v == "1") {
        panic!("{why}; CMGEMS_REQUIRE_PYTHON=1 requires it");
    }
    cmgems_tests::skip(&why);
    None
}

/// `tests/python/<name>` of the repository.
pub fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/python")
        .join(name)
}

/// Runs `script` with `args`, which must succeed.
pub fn run_script(python: &str, script: &Path, args: &[&str]) {
    let out = Command::new(python)
        .arg(script)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "python {} {args:?} failed:\n{}",
        script.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}
