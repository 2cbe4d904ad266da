//! A pretraining corpus in memory and the pieces cut from it.

use crate::error::{NativeError, Result};
use crate::fasta;
use crate::genome::{is_twobit, Genome};
use crate::sequences::{detect_form, read_sequences, FileForm};
use cmgems_core::input::genome::{GenomePieces, GenomeSamplerConfig, HeldOutRegion, Split};
use cmgems_core::input::sampler::{dedup_key, piece_token_ids};
use cmgems_core::input::synthetic::{self, SyntheticConfig};
use cmgems_core::tokenize::tokenizer::{kmer_text_to_sequence, MAX_MODEL_LEN};
use cmgems_core::{Piece, PieceSampler, SamplerConfig, Tokenizer, Vocab, K};
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Records of nucleotides (any case; non-ACGT letters split pieces), or a genome store read
/// through its mapping (then `records` is empty: no byte per nucleotide is copied).
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    pub records: Vec<Vec<u8>>,
    /// Where it came from, for reports ("synthetic" or the file names).
    pub source: String,
    /// The `.2bit` store the corpus is, when it is one.
    pub genome: Option<Arc<Genome>>,
}

impl Corpus {
    /// Reads FASTA/FASTQ (optionally gzipped) files, or files of one sequence per line,
    /// DNABERT k-mer text lines or TSV/CSV with a `sequence` column; or maps a `.2bit`
    /// genome store (recognised by its signature), which must then be the only file.
    pub fn from_files(files: &[PathBuf], k: K) -> Result<Corpus> {
        if let Some(store) = files.iter().find(|p| is_twobit(p).unwrap_or(false)) {
            if files.len() > 1 {
                return Err(NativeError::invalid(
                    store,
                    "a .2bit genome store must be the only corpus file: build one store from \
                     every FASTA with `train genome --fasta FILES... --out genome.2bit`",
                ));
            }
            return Ok(Corpus {
                records: Vec::new(),
                source: display_name(store),
                genome: Some(Arc::new(Genome::open(store)?)),
            });
        }
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
            genome: None,
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
            genome: None,
        }
    }

    /// Total letters.
    pub fn len(&self) -> usize {
        match &self.genome {
            Some(g) => g.len() as usize,
            None => self.records.iter().map(Vec::len).sum(),
        }
    }

    /// Writes `[CLS] k-mer ids [SEP]` of `piece` (cut from this corpus with `vocab`'s k)
    /// into `out`; `letters` is scratch for a store's decoded letters. Over a store, k-mers
    /// touching an N (pieces hold some only with `max_n_share` > 0) are `[UNK]`.
    pub fn piece_ids(
        &self,
        piece: &Piece,
        vocab: &Vocab,
        letters: &mut Vec<u8>,
        out: &mut Vec<u32>,
    ) {
        match &self.genome {
            None => piece_token_ids(&self.records[piece.record], piece, vocab, out)
                .expect("pieces are cut from this corpus with this k"),
            Some(g) => {
                let tokenizer = Tokenizer::new(vocab.k(), MAX_MODEL_LEN, false)
                    .expect("512 positions are valid");
                g.piece_ids(piece, &tokenizer, letters, out)
                    .expect("pieces are cut from this store's index");
            }
        }
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
#[derive(Debug, Clone, PartialEq)]
pub struct PieceSet {
    pub k: K,
    /// The training pieces of a FASTA corpus (empty over a store: see `genome`).
    pub train: Vec<Piece>,
    pub held_out: Vec<Piece>,
    /// Pieces dropped as exact duplicates of an earlier piece.
    pub duplicates: usize,
    /// Over a store, the pieces as a function of (seed, epoch, index): no list is held.
    pub genome: Option<GenomePieces>,
}

/// Held-out pieces kept for evaluation over a store (spread evenly over the held-out split).
const STORE_HELD_OUT: u64 = 10_000;
/// Training pieces (the first of epoch 0) whose k-mers make the unigram baseline over a store.
const STORE_UNIGRAM_PIECES: u64 = 20_000;

impl PieceSet {
    /// The pieces of a `.2bit` store: training pieces found by index (`GenomePieces`), the
    /// held-out set from `held_out_regions`, else whole blocks at `config.held_out_share`;
    /// pieces may hold up to `max_n_share` N. No de-duplication (docs/algorithms.md §5.2).
    pub fn from_genome(
        genome: &Genome,
        config: SamplerConfig,
        held_out_regions: &[String],
        max_n_share: f64,
    ) -> Result<PieceSet> {
        let regions = held_out_regions
            .iter()
            .map(|r| HeldOutRegion::parse(r))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| NativeError::core(genome.path(), e))?;
        let pieces = genome.pieces(
            &regions,
            GenomeSamplerConfig {
                k: config.k,
                max_tokens: config.max_tokens,
                min_tokens: config.min_tokens,
                full_length_prob: config.full_length_prob,
                seed: config.seed,
                max_n_share,
                held_out_block_share: if regions.is_empty() {
                    config.held_out_share
                } else {
                    0.0
                },
                ..GenomeSamplerConfig::default()
            },
        )?;
        let n = pieces.len(Split::HeldOut);
        let kept = n.min(STORE_HELD_OUT);
        let held_out = (0..kept)
            .map(|i| pieces.piece_in_order(Split::HeldOut, i * n / kept))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| NativeError::core(genome.path(), e))?;
        Ok(PieceSet {
            k: config.k,
            train: Vec::new(),
            held_out,
            duplicates: 0,
            genome: Some(pieces),
        })
    }

    /// Training pieces per epoch.
    pub fn train_len(&self) -> u64 {
        self.genome
            .as_ref()
            .map_or(self.train.len() as u64, |g| g.len(Split::Train))
    }

    /// The training pieces the unigram baseline counts: all of a FASTA corpus's; over a
    /// store, the first `STORE_UNIGRAM_PIECES` of epoch 0 (reading every piece of a genome
    /// would cost seconds per Gbp before the first step).
    pub fn unigram_pieces(&self) -> Cow<'_, [Piece]> {
        match &self.genome {
            None => Cow::Borrowed(&self.train),
            Some(g) => Cow::Owned(
                (0..g.len(Split::Train).min(STORE_UNIGRAM_PIECES))
                    .map(|i| {
                        g.piece(Split::Train, 0, i)
                            .expect("i is below the split's length")
                    })
                    .collect(),
            ),
        }
    }

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
            genome: None,
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
            genome: None,
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
