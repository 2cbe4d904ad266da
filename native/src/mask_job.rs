//! `train mask`: masks every sequence of a file and writes one JSON object per model input.
//!
//! A record longer than one model input (510 k-mers) is tiled into windows by core's
//! `input::windows`, exactly as the browser inspector shows it, and each window is masked
//! on its own with the rng of its running window index in the file: a file of short
//! sequences masks sequence i with `derive(seed, i)`, and a one-record file gets the
//! browser's masks window for window.

use crate::error::{NativeError, Result};
use crate::sequences::{read_sequences, LabeledSequence};
use cmgems_core::input::{WindowSpec, Windows};
use cmgems_core::mask::{MaskConfig, Masker, RowStreams, Strategy, IGNORE_LABEL};
use cmgems_core::npmi::rank::NO_KMER_RANK;
use cmgems_core::schedule::curriculum::{Curriculum, CurriculumConfig};
use cmgems_core::tokenize::tokenizer::MAX_MODEL_LEN;
use cmgems_core::{CoreError, RankLookup, RankTable};
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};

/// What `train mask` was asked for, validated.
#[derive(Debug, Clone)]
pub struct MaskJob {
    pub input: PathBuf,
    pub table: RankTable,
    pub config: MaskConfig,
    pub curriculum: CurriculumConfig,
    /// Training step the masks are drawn for (CM-Step's p_global depends on it).
    pub step: u64,
    pub seed: u64,
    /// How records longer than one model input are tiled.
    pub windows: WindowSpec,
}

/// One output line: one model input.
#[derive(Debug, Serialize)]
pub struct MaskedRecord<'a> {
    pub name: &'a str,
    pub line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<usize>,
    /// 0-based index of the sequence in the file.
    pub record: usize,
    /// 0-based index of this window in its record, and the record's number of windows.
    pub window: usize,
    pub windows: usize,
    /// The record's k-mer token at which this window starts (0-based).
    pub window_start: usize,
    pub strategy: Strategy,
    pub rank_lookup: RankLookup,
    pub input_ids: &'a [u32],
    pub masked_input_ids: &'a [u32],
    pub labels: &'a [i32],
    pub masked_positions: Vec<usize>,
    /// Rank used at each position under the chosen lookup; null where no k-mer stands.
    pub ranks: Vec<Option<u16>>,
}

/// Totals over a run, printed at the end.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct MaskSummary {
    pub sequences: usize,
    /// Model inputs written (more than `sequences` when records were windowed).
    pub inputs: usize,
    pub maskable: usize,
    pub masked: usize,
}

/// Masks the input and writes JSONL to `out`.
pub fn run(job: &MaskJob, out: &mut dyn Write) -> Result<MaskSummary> {
    let (_, seqs) = read_sequences(&job.input)?;
    let core_err = |e| NativeError::core(&job.input, e);
    let mut masker = Masker::new(job.table.clone(), job.config).map_err(core_err)?;
    let mut curriculum = Curriculum::new(job.curriculum).map_err(core_err)?;
    let mut masked = vec![0u32; MAX_MODEL_LEN];
    let mut labels = vec![0i32; MAX_MODEL_LEN];
    let mut summary = MaskSummary::default();
    for (record, seq) in seqs.iter().enumerate() {
        let windows = tokenize(job, seq)?;
        for w in 0..windows.count() {
            let ids = windows.input(w);
            // Input g of the file is row g of one request: the contract `mask_rows`
            // callers (the Python package) share.
            let streams = RowStreams {
                seed: job.seed,
                first_row: 0,
            };
            let mut rng = streams.rng(summary.inputs);
            let strategy = curriculum.strategy_for_step(job.step, &mut rng);
            masker.set_widening(curriculum.widening(job.step));
            let n = ids.len();
            let stats = masker.mask(strategy, ids, &mut rng, &mut masked[..n], &mut labels[..n]);
            let rec = MaskedRecord {
                name: &seq.name,
                line: seq.line,
                label: seq.label,
                record,
                window: w,
                windows: windows.count(),
                window_start: windows.token_range(w).start,
                strategy,
                rank_lookup: job.config.rank_lookup,
                input_ids: ids,
                masked_input_ids: &masked[..n],
                labels: &labels[..n],
                masked_positions: (0..n).filter(|&p| labels[p] != IGNORE_LABEL).collect(),
                ranks: ranks(job, ids),
            };
            write_line(&job.input, out, &rec)?;
            summary.inputs += 1;
            summary.maskable += stats.maskable;
            summary.masked += stats.masked;
        }
        summary.sequences += 1;
    }
    Ok(summary)
}

/// The rank used at each position under the job's lookup; `None` where no k-mer stands.
fn ranks(job: &MaskJob, ids: &[u32]) -> Vec<Option<u16>> {
    (0..ids.len())
        .map(|p| match job.config.rank_lookup {
            RankLookup::Kmer => Some(job.table.rank_of_id(ids[p])).filter(|&r| r != NO_KMER_RANK),
            RankLookup::Position => Some(job.table.rank_of_position(p)),
        })
        .collect()
}

fn write_line(path: &Path, out: &mut dyn Write, rec: &MaskedRecord<'_>) -> Result<()> {
    serde_json::to_writer(&mut *out, rec).map_err(|e| NativeError::invalid(path, e.to_string()))?;
    out.write_all(b"\n")
        .map_err(|e| NativeError::io("output", e))
}

/// A record as the windows of model inputs that core cuts it into.
fn tokenize(job: &MaskJob, seq: &LabeledSequence) -> Result<Windows> {
    let k = job.config.k;
    Windows::from_text(&seq.text, k, job.windows).map_err(|source| match source {
        CoreError::Input(_) => NativeError::invalid(
            &job.input,
            format!(
                "line {}: the sequence {:?} is shorter than one {k}-mer",
                seq.line, seq.name
            ),
        ),
        source => NativeError::CoreAtLine {
            path: job.input.clone(),
            line: seq.line,
            source,
        },
    })
}
