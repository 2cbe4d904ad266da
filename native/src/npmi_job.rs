//! `train npmi`: count n-grams of FASTA files in parallel and build an NPMI table.

use crate::error::{NativeError, Result};
use crate::fasta::{self, Record};
use crate::genome::Genome;
use cmgems_core::npmi::counts::NgramCounts;
use cmgems_core::npmi::NpmiTable;
use cmgems_core::K;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A validated request to count a corpus.
#[derive(Debug, Clone)]
pub struct CountConfig {
    pub files: Vec<PathBuf>,
    pub k: K,
}

/// How far counting is, for a progress bar (the `train` binary draws one).
#[derive(Debug, Clone, Copy)]
pub struct CountProgress<'a> {
    /// The file being read.
    pub file: &'a Path,
    /// Bytes read of all files (compressed bytes for .gz) and their total size.
    pub done_bytes: u64,
    pub total_bytes: u64,
}

/// Nucleotides per parallel work item: large enough to amortise scheduling, small enough
/// that one long chromosome still spreads over every core.
const WINDOW: usize = 1 << 22;
/// Nucleotides read ahead per batch.
const BATCH: usize = 1 << 25;
/// The error of a corpus without one n-gram.
const NOTHING_TO_COUNT: &str = "holds no A/C/G/T nucleotide, so there is nothing to count";

/// Counts n = 1..k over every record of every file, telling `progress` as it reads.
/// Reading (and gunzip) runs on its own thread while the previous batch is counted on the
/// rayon pool.
pub fn count_files(
    config: &CountConfig,
    progress: &mut dyn FnMut(CountProgress),
) -> Result<NgramCounts> {
    let total_bytes: u64 = config
        .files
        .iter()
        .map(|p| {
            std::fs::metadata(p)
                .map(|m| m.len())
                .map_err(|e| NativeError::io(p, e))
        })
        .sum::<Result<u64>>()?;
    let mut counts = NgramCounts::new(config.k);
    let mut done_bytes = 0u64;
    for path in &config.files {
        let mut tell = |read: u64| {
            progress(CountProgress {
                file: path,
                done_bytes: done_bytes + read,
                total_bytes,
            })
        };
        tell(0);
        let (file_counts, read) = count_file(path, config.k, &mut tell)?;
        counts
            .merge(&file_counts)
            .map_err(|e| NativeError::core(path, e))?;
        done_bytes += read;
    }
    Ok(counts)
}

/// Counts one file, telling `tell` the bytes read so far after each batch; the counts and
/// the bytes read.
fn count_file(path: &Path, k: K, tell: &mut dyn FnMut(u64)) -> Result<(NgramCounts, u64)> {
    if crate::genome::is_twobit(path)? {
        let counts = count_genome(&Genome::open(path)?, k)?;
        let bytes = std::fs::metadata(path)
            .map_err(|e| NativeError::io(path, e))?
            .len();
        tell(bytes);
        return Ok((counts, bytes));
    }
    let read = Arc::new(AtomicU64::new(0));
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Record>>(2);
    let reader = {
        let path = path.to_path_buf();
        let read = read.clone();
        std::thread::spawn(move || {
            fasta::for_each_batch(&path, BATCH, read, |batch| {
                tx.send(batch)
                    .map_err(|_| NativeError::invalid(&path, "counting stopped"))
            })
        })
    };
    let mut file_counts = NgramCounts::new(k);
    for batch in rx {
        let batch_counts = count_batch(k, &batch);
        file_counts
            .merge(&batch_counts)
            .map_err(|e| NativeError::core(path, e))?;
        tell(read.load(Ordering::Relaxed));
    }
    reader
        .join()
        .map_err(|_| NativeError::invalid(path, "the reader thread panicked"))??;
    if file_counts.total(1) == 0 {
        return Err(NativeError::invalid(path, NOTHING_TO_COUNT));
    }
    let done = read.load(Ordering::Relaxed);
    tell(done);
    Ok((file_counts, done))
}

/// Counts a `.2bit` store window by window in parallel, each window decoded from the
/// mapping with k − 1 letters of overlap: the same counts as its FASTA (lower case counts as
/// upper case there, and IUPAC letters stop n-grams as N does), without the text in memory.
pub fn count_genome(genome: &Genome, k: K) -> Result<NgramCounts> {
    let windows: Vec<(usize, u64, u64)> = genome
        .layouts()
        .iter()
        .enumerate()
        .flat_map(|(i, r)| {
            (0..r.len)
                .step_by(WINDOW)
                .map(move |s| (i, s, (s + WINDOW as u64).min(r.len)))
        })
        .collect();
    let overhang = k.get() as u64 - 1;
    let counts = windows
        .par_iter()
        .try_fold(
            || (NgramCounts::new(k), Vec::new()),
            |(mut c, mut buf), &(i, s, e)| {
                buf.clear();
                let len = genome.layouts()[i].len;
                genome.decode(i, s..(e + overhang).min(len), &mut buf)?;
                c.count_window(&buf, 0, (e - s) as usize);
                Ok::<_, NativeError>((c, buf))
            },
        )
        .map(|r| r.map(|(c, _)| c))
        .try_reduce(
            || NgramCounts::new(k),
            |mut a, b| {
                a.merge(&b).expect("same k");
                Ok(a)
            },
        )?;
    if counts.total(1) == 0 {
        return Err(NativeError::invalid(genome.path(), NOTHING_TO_COUNT));
    }
    Ok(counts)
}

/// Counts one batch of records (FASTA records or bare sequences) in parallel: each record
/// is cut into windows of n-gram start positions, counted separately and merged;
/// identical to a sequential count.
pub fn count_batch<S: AsRef<[u8]> + Sync>(k: K, batch: &[S]) -> NgramCounts {
    let windows: Vec<(usize, usize, usize)> = batch
        .iter()
        .enumerate()
        .flat_map(|(i, r)| {
            let len = r.as_ref().len();
            (0..len)
                .step_by(WINDOW)
                .map(move |s| (i, s, (s + WINDOW).min(len)))
        })
        .collect();
    windows
        .par_iter()
        .fold(
            || NgramCounts::new(k),
            |mut c, &(i, s, e)| {
                c.count_window(batch[i].as_ref(), s, e);
                c
            },
        )
        .reduce(
            || NgramCounts::new(k),
            |mut a, b| {
                a.merge(&b).expect("same k");
                a
            },
        )
}

/// Counts (telling `progress`) and builds the table with minimum count `min_count`.
pub fn table_from_files(
    config: &CountConfig,
    min_count: u64,
    progress: &mut dyn FnMut(CountProgress),
) -> Result<NpmiTable> {
    let counts = count_files(config, progress)?;
    let label = config.files.first().cloned().unwrap_or_default();
    let names: Vec<String> = config
        .files
        .iter()
        .map(|p| {
            p.file_name()
                .unwrap_or(p.as_os_str())
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    Ok(NpmiTable::from_counts(&counts, min_count)
        .map_err(|e| NativeError::core(label, e))?
        .with_source(format!("counted by cmgems from {}", names.join(", "))))
}
