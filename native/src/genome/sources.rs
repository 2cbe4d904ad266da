//! Which FASTA a store was built from, recorded beside it (`STORE.sources.json`), so a store
//! older than its FASTA is refused instead of silently training on the old genome.
//!
//! Each source is recorded with its size and modification time at build time; the store is
//! stale when a recorded source still exists and either differs. A source that no longer
//! exists is fine (people delete the FASTA once the store is built), and a store without the
//! file (e.g. `hg38.2bit` downloaded from UCSC) is not checked.

use crate::error::{NativeError, Result};
use crate::files::write_atomic;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// One source FASTA as it was when the store was built.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub path: PathBuf,
    pub bytes: u64,
    /// Modification time in nanoseconds since the Unix epoch.
    pub modified_ns: u128,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct SourcesFile {
    built_by: String,
    sources: Vec<Source>,
}

/// The file beside `store` that names its sources.
pub fn sidecar(store: &Path) -> PathBuf {
    let mut name = store.as_os_str().to_owned();
    name.push(".sources.json");
    PathBuf::from(name)
}

/// `path`'s size and modification time now.
fn stamp(path: &Path) -> Result<Source> {
    let meta = std::fs::metadata(path).map_err(|e| NativeError::io(path, e))?;
    let modified = meta.modified().map_err(|e| NativeError::io(path, e))?;
    let modified_ns = modified
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let path = std::path::absolute(path).map_err(|e| NativeError::io(path, e))?;
    Ok(Source {
        path,
        bytes: meta.len(),
        modified_ns,
    })
}

/// Records `fastas` as the sources of `store` (written atomically beside it).
pub fn record(store: &Path, fastas: &[PathBuf]) -> Result<()> {
    let file = SourcesFile {
        built_by: "cmgems train genome".into(),
        sources: fastas.iter().map(|p| stamp(p)).collect::<Result<_>>()?,
    };
    let text = serde_json::to_string_pretty(&file)
        .map_err(|e| NativeError::invalid(store, e.to_string()))?;
    write_atomic(&sidecar(store), |w| w.write_all(text.as_bytes()))
}

/// Refuses `store` when a source it records has changed since the build (see the module).
pub fn check(store: &Path) -> Result<()> {
    let path = sidecar(store);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(NativeError::io(&path, e)),
    };
    let file: SourcesFile = serde_json::from_str(&text)
        .map_err(|e| NativeError::invalid(&path, format!("not a sources file: {e}")))?;
    for was in &file.sources {
        let Ok(now) = stamp(&was.path) else { continue };
        if now.bytes != was.bytes || now.modified_ns != was.modified_ns {
            return Err(NativeError::invalid(
                store,
                format!(
                    "the store is older than its FASTA: {} changed after the store was built \
                     ({} bytes then, {} now; modified since). Rebuild it with `train genome \
                     --fasta ... --out {}`, or delete {} to use the store as it is",
                    was.path.display(),
                    was.bytes,
                    now.bytes,
                    store.display(),
                    path.display()
                ),
            ));
        }
    }
    Ok(())
}
