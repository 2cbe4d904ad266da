//! Shared helpers for cross-crate and end-to-end tests (the tests live in `tests/tests/`).

use std::path::PathBuf;

/// The real data folder `../shared/data` beside the checkout (or `$CMGEMS_DATA`), if it
/// exists. Tests that need it skip with a message when it is absent: the project must
/// build and test without it.
pub fn shared_data() -> Option<PathBuf> {
    let candidates = std::env::var_os("CMGEMS_DATA")
        .map(PathBuf::from)
        .into_iter()
        .chain([PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data")]);
    candidates
        .into_iter()
        .find(|dir| dir.join("MANIFEST.md").is_file())
}

/// A file under the shared data folder, or `None` with a skip message on stderr.
pub fn shared_file(relative: &str) -> Option<PathBuf> {
    match shared_data().map(|d| d.join(relative)) {
        Some(p) if p.exists() => Some(p),
        _ => {
            eprintln!("SKIP: ../shared/data/{relative} is absent");
            None
        }
    }
}
