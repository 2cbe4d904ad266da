//! `train mask`: masks every sequence of a file and writes one JSON object per sequence.

use crate::error::{NativeError, Result};
use crate::sequences::{read_sequences, LabeledSequence};
use cmgems_core::curriculum::{Curriculum, CurriculumConfig};
use cmgems_core::mask::{MaskConfig, Masker, RowStreams, Strategy, IGNORE_LABEL};
use cmgems_core::{RankLookup, RankTable, Tokenizer};
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
}

/// One output line.
#[derive(Debug, Serialize)]
pub struct MaskedRecord<'a> {
    pub name: &'a str,
    pub line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<usize>,
    pub strategy: Strategy,
    pub rank_lookup: RankLookup,
    pub input_ids: &'a [u32],
    pub masked_input_ids: &'a [u32],
    pub labels: &'a [i32],
    pub masked_positions: Vec<usize>,
    /// Rank used at each position under the chosen lookup; null where no k-mer stands.
    pub ranks: Vec<Option<u16>>,
    pub truncated_tokens: usize,
}

/// Totals over a run, printed at the end.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct MaskSummary {
    pub sequences: usize,
    pub maskable: usize,
    pub masked: usize,
    pub truncated: usize,
}

/// Masks the input and writes JSONL to `out`.
pub fn run(job: &MaskJob, out: &mut dyn Write) -> Result<MaskSummary> {
    let (_, seqs) = read_sequences(&job.input)?;
    let tokenizer =
        Tokenizer::new(job.config.k, 512, false).map_err(|e| NativeError::core(&job.input, e))?;
    let mut masker =
        Masker::new(job.table.clone(), job.config).map_err(|e| NativeError::core(&job.input, e))?;
    let mut curriculum =
        Curriculum::new(job.curriculum).map_err(|e| NativeError::core(&job.input, e))?;
    let mut ids = Vec::with_capacity(512);
    let mut masked = vec![0u32; 512];
    let mut labels = vec![0i32; 512];
    let mut summary = MaskSummary::default();
    for (i, seq) in seqs.iter().enumerate() {
        let enc = encode(&tokenizer, &job.input, seq, &mut ids)?;
        // Stream i for the i-th sequence: the contract `mask_rows` callers share.
        let streams = RowStreams {
            seed: job.seed,
            first_row: 0,
        };
        let mut rng = streams.rng(i);
        let strategy = curriculum.strategy_for_step(job.step, &mut rng);
        let n = ids.len();
        let stats = masker.mask(strategy, &ids, &mut rng, &mut masked[..n], &mut labels[..n]);
        let masked_positions: Vec<usize> = (0..n).filter(|&p| labels[p] != IGNORE_LABEL).collect();
        let ranks = (0..n)
            .map(|p| match job.config.rank_lookup {
                RankLookup::Kmer => Some(job.table.rank_of_id(ids[p]))
                    .filter(|&r| r != cmgems_core::rank::NO_KMER_RANK),
                RankLookup::Position => Some(job.table.rank_of_position(p)),
            })
            .collect();
        let rec = MaskedRecord {
            name: &seq.name,
            line: seq.line,
            label: seq.label,
            strategy,
            rank_lookup: job.config.rank_lookup,
            input_ids: &ids,
            masked_input_ids: &masked[..n],
            labels: &labels[..n],
            masked_positions,
            ranks,
            truncated_tokens: enc.truncated,
        };
        serde_json::to_writer(&mut *out, &rec)
            .map_err(|e| NativeError::invalid(&job.input, e.to_string()))?;
        out.write_all(b"\n")
            .map_err(|e| NativeError::io("output", e))?;
        summary.sequences += 1;
        summary.maskable += stats.maskable;
        summary.masked += stats.masked;
        summary.truncated += usize::from(enc.truncated > 0);
    }
    Ok(summary)
}

fn encode(
    tokenizer: &Tokenizer,
    path: &Path,
    seq: &LabeledSequence,
    ids: &mut Vec<u32>,
) -> Result<cmgems_core::Encoding> {
    let enc = tokenizer
        .encode(&seq.text, ids)
        .map_err(|source| NativeError::CoreAtLine {
            path: path.to_path_buf(),
            line: seq.line,
            source,
        })?;
    if enc.tokens == 0 {
        return Err(NativeError::invalid(
            path,
            format!(
                "line {}: the sequence {:?} is shorter than one {}-mer",
                seq.line,
                seq.name,
                tokenizer.k()
            ),
        ));
    }
    Ok(enc)
}
