//! A pretraining corpus in memory and the pieces cut from it.

use crate::error::{NativeError, Result};
use crate::fasta;
use crate::sequences::{detect_form, read_sequences, FileForm};
use cmgems_core::input::sampler::dedup_key;
use cmgems_core::input::synthetic::{self, SyntheticConfig};
use cmgems_core::tokenize::tokenizer::kmer_text_to_sequence;
use cmgems_core::{Piece, PieceSampler, SamplerConfig, K};
use rayon::prelude::*;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Records of nucleotides (any case; non-ACGT letters split pieces).
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    pub records: Vec<Vec<u8>>,
    /// Where it came from, for reports ("synthetic" or the file names).
    pub source: String,
}

impl Corpus {
    /// Reads FASTA/FASTQ (optionally gzipped) files, or files of one sequence per line,
    /// DNABERT k-mer text lines or TSV/CSV with a `sequence` column.
    pub fn from_files(files: &[PathBuf], k: K) -> Result<Corpus> {
        let mut records = Vec::new();
        for path in files {
            let before = records.len();
            if detect_form(path)? == FileForm::Fastx {
                fasta::for_each_batch(path, 1 << 26, Arc::default(), |batch| {
                    records.extend(batch.into_iter().map(|r| r.seq));
                    Ok(())
                })?;
            } else {
                for s in read_sequences(path)?.1 {
                    let text = s.text.trim();
                    let seq = if text.contains(char::is_whitespace) {
                        kmer_text_to_sequence(k, text).map_err(|source| {
                            NativeError::CoreAtLine {
                                path: path.clone(),
                                line: s.line,
                                source,
                            }
                        })?
                    } else {
                        text.to_string()
                    };
                    records.push(seq.into_bytes());
                }
            }
            if records[before..].iter().all(|r| {
                r.iter()
                    .all(|&b| cmgems_core::tokenize::kmer::nucleotide_code(b).is_none())
            }) {
                return Err(NativeError::invalid(
                    path,
                    "holds no A/C/G/T nucleotide to pretrain on",
                ));
            }
        }
        Ok(Corpus {
            records,
            source: files
                .iter()
                .map(|p| display_name(p))
                .collect::<Vec<_>>()
                .join(", "),
        })
    }

    /// The embedded SYNTHETIC corpus (planted motifs and repeats; not real DNA).
    pub fn synthetic(config: &SyntheticConfig) -> Corpus {
        Corpus {
            records: synthetic::generate(config),
            source: format!(
                "SYNTHETIC corpus (seed {}, {} records x {} nt; planted motifs and repeats, not real DNA)",
                config.seed, config.records, config.record_len
            ),
        }
    }

    /// Total letters.
    pub fn len(&self) -> usize {
        self.records.iter().map(Vec::len).sum()
    }

    /// True when there are no letters at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn display_name(p: &Path) -> String {
    p.file_name()
        .unwrap_or(p.as_os_str())
        .to_string_lossy()
        .into_owned()
}

/// The pieces of a corpus, split into training and held-out sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PieceSet {
    pub k: K,
    pub train: Vec<Piece>,
    pub held_out: Vec<Piece>,
    /// Pieces dropped as exact duplicates of an earlier piece.
    pub duplicates: usize,
}

impl PieceSet {
    /// Cuts every record (in parallel; the result does not depend on thread count) and,
    /// with `dedup`, drops pieces whose letters equal an earlier piece's (the authors
    /// de-duplicated theirs).
    pub fn cut(corpus: &Corpus, config: SamplerConfig, dedup: bool) -> Result<PieceSet> {
        let sampler =
            PieceSampler::new(config).map_err(|e| NativeError::core(corpus.source.as_str(), e))?;
        let per_record: Vec<Vec<Piece>> = corpus
            .records
            .par_iter()
            .enumerate()
            .map(|(i, seq)| {
                let mut out = Vec::new();
                sampler.pieces_of_record(i, seq, &mut out);
                out
            })
            .collect();
        let mut set = PieceSet {
            k: config.k,
            train: Vec::new(),
            held_out: Vec::new(),
            duplicates: 0,
        };
        let mut seen = HashSet::new();
        for piece in per_record.into_iter().flatten() {
            if dedup {
                let bytes = &corpus.records[piece.record][piece.nucleotides(config.k)];
                if !seen.insert(dedup_key(bytes)) {
                    set.duplicates += 1;
                    continue;
                }
            }
            if piece.held_out {
                set.held_out.push(piece);
            } else {
                set.train.push(piece);
            }
        }
        if set.train.is_empty() {
            return Err(NativeError::invalid(
                corpus.source.as_str(),
                format!(
                    "no training piece of at least {} tokens could be cut (ACGT runs too short?)",
                    config.min_tokens
                ),
            ));
        }
        Ok(set)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_corpus_cuts_into_train_and_held_out_pieces() {
        let corpus = Corpus::synthetic(&SyntheticConfig {
            records: 20,
            record_len: 5000,
            ..SyntheticConfig::default()
        });
        let set = PieceSet::cut(&corpus, SamplerConfig::default(), true).unwrap();
        assert!(set.train.len() > set.held_out.len() * 3);
        assert!(!set.held_out.is_empty());
        assert_eq!(
            set,
            PieceSet::cut(&corpus, SamplerConfig::default(), true).unwrap()
        );
    }

    #[test]
    fn duplicate_pieces_are_dropped_once_seen() {
        let rec = b"ACGTTGCAAGCTTGACCATGGATCCGATCGGATCCAAGCTTACGTAC".to_vec();
        let corpus = Corpus {
            records: vec![rec.clone(), rec.clone(), rec],
            source: "test".into(),
        };
        let config = SamplerConfig {
            full_length_prob: 1.0,
            max_tokens: 20,
            held_out_share: 0.0,
            ..SamplerConfig::default()
        };
        let with = PieceSet::cut(&corpus, config, true).unwrap();
        let without = PieceSet::cut(&corpus, config, false).unwrap();
        assert_eq!(without.train.len(), 3 * with.train.len());
        assert_eq!(with.duplicates, 2 * with.train.len());
    }

    #[test]
    fn kmer_text_lines_and_fasta_give_the_same_records() {
        let dir = tempfile::tempdir().unwrap();
        let fa = dir.path().join("a.fa");
        let txt = dir.path().join("a.txt");
        std::fs::write(&fa, ">r\nACGTACGTAC\n").unwrap();
        std::fs::write(&txt, "ACGTAC CGTACG GTACGT TACGTA ACGTAC\n").unwrap();
        let k = K::SIX;
        let a = Corpus::from_files(&[fa], k).unwrap();
        let b = Corpus::from_files(&[txt], k).unwrap();
        assert_eq!(a.records, b.records);
        let bad = dir.path().join("n.fa");
        std::fs::write(&bad, ">r\nNNNN\n").unwrap();
        let err = Corpus::from_files(&[bad], k).unwrap_err().to_string();
        assert!(err.contains("n.fa"), "{err}");
    }
}
