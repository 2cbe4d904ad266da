//! Helpers shared by the fuzz targets.

use std::path::PathBuf;

/// Writes `bytes` to a file private to this process (the native readers take paths) and
/// returns its path; each call overwrites the previous input.
pub fn input_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cmgems-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write fuzz input");
    path
}
