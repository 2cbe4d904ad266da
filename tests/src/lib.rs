//! Shared helpers for the tests of every crate (cross-crate tests live in `tests/tests/`;
//! core and native take this crate as a dev-dependency; it depends on nothing itself).

use std::io::Write;
use std::path::PathBuf;

/// The real data folder: `$CMGEMS_DATA` when set, else the first `shared/data` above this
/// crate (the project's layout, from the main checkout and from worktrees alike); `None`
/// when it has no MANIFEST.md.
pub fn shared_data() -> Option<PathBuf> {
    let candidates: Vec<PathBuf> = match std::env::var_os("CMGEMS_DATA") {
        Some(dir) => vec![dir.into()],
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .ancestors()
            .map(|a| a.join("shared").join("data"))
            .collect(),
    };
    candidates
        .into_iter()
        .find(|dir| dir.join("MANIFEST.md").is_file())
}

/// A file or folder under the shared data folder. When it is absent the test must not pass
/// silently: under `CI=true` this panics (CI tests against the data), elsewhere it returns
/// `None` after a [`skip`] message, and the test returns.
pub fn shared_file(relative: &str) -> Option<PathBuf> {
    match shared_data().map(|d| d.join(relative)) {
        Some(p) if p.exists() => Some(p),
        _ => {
            let why = format!("../shared/data/{relative} is absent (set CMGEMS_DATA)");
            if in_ci() {
                panic!("{why}; CI=true requires it");
            }
            skip(&why);
            None
        }
    }
}

/// Whether this is a CI run (`CI=true`), where missing test data is a failure.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// Says that a test skips its checks, where the reader sees it: written to the process's
/// stderr directly, not through `eprintln!`, which the test harness captures and hides for a
/// passing test. scripts/test.sh counts these "SKIP:" lines in its summary.
pub fn skip(why: &str) {
    let _ = writeln!(std::io::stderr(), "SKIP: {why}");
}
