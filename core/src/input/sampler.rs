//! Pieces of a FASTA corpus for MLM pretraining (docs/algorithms.md §5).
//!
//! The authors cut each ACGT run (the stretches between N and IUPAC letters) into
//! non-overlapping pieces: half of them the full 510 tokens that fit the model's 512
//! positions with `[CLS]` and `[SEP]`, the rest of a uniform length, so the model sees short
//! inputs too. A share of the pieces is held out for the perplexity that drives CM-GEMS.
//!
//! Every record draws from its own stream, `SeededRng::derive(seed, record)`, so records can
//! be cut in parallel and in any order with the same result. The held-out draws use a second
//! stream per record, so changing the held-out share never moves a piece.
//!
//! The authors also de-duplicated the pieces; [`dedup_key`] gives callers a 64-bit key to
//! do the same (the set of seen keys lives with the caller, who knows the corpus size).

use crate::error::{CoreError, Result};
use crate::rng::SeededRng;
use crate::tokenize::kmer::{K, NUCLEOTIDE_CODE};
use crate::tokenize::vocab::{Vocab, CLS_ID, SEP_ID, SPECIAL_COUNT};
use alloc::format;
use alloc::vec::Vec;
use core::ops::{ControlFlow, Range};
use serde::{Deserialize, Serialize};

/// How pieces are cut. `Default` is the authors' setting with seed 0.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SamplerConfig {
    pub k: K,
    /// Longest piece in tokens; 510 leaves room for `[CLS]` and `[SEP]` in 512 positions.
    pub max_tokens: usize,
    /// Shortest piece in tokens, also the shortest tail of a run worth keeping.
    pub min_tokens: usize,
    /// Probability that a piece is drawn at `max_tokens` rather than uniform.
    pub full_length_prob: f64,
    /// Probability that a piece goes to the held-out (perplexity) set.
    pub held_out_share: f64,
    pub seed: u64,
}

impl Default for SamplerConfig {
    fn default() -> Self {
        SamplerConfig {
            k: K::SIX,
            max_tokens: 510,
            min_tokens: 5,
            full_length_prob: 0.5,
            held_out_share: 0.1,
            seed: 0,
        }
    }
}

/// One piece: tokens `start .. start + tokens + k - 1` (nucleotides) of record `record`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Piece {
    /// Index of the record (FASTA entry) in the corpus.
    pub record: usize,
    /// Offset of the first nucleotide in the record.
    pub start: usize,
    /// Number of k-mer tokens; the piece spans `tokens + k - 1` nucleotides.
    pub tokens: usize,
    /// True for the held-out (evaluation) share.
    pub held_out: bool,
}

impl Piece {
    /// The piece's nucleotides as a range of its record.
    pub fn nucleotides(&self, k: K) -> Range<usize> {
        self.start..self.start + self.tokens + k.get() - 1
    }
}

/// Maximal runs of A/C/G/T (any case) in a sequence, left to right.
#[derive(Debug, Clone)]
pub struct AcgtRuns<'a> {
    seq: &'a [u8],
    pos: usize,
}

impl Iterator for AcgtRuns<'_> {
    type Item = Range<usize>;

    fn next(&mut self) -> Option<Range<usize>> {
        let is_acgt = |b: &u8| NUCLEOTIDE_CODE[*b as usize] < 4;
        let rest = &self.seq[self.pos..];
        let start = self.pos + rest.iter().position(is_acgt)?;
        let len = self.seq[start..]
            .iter()
            .position(|b| !is_acgt(b))
            .unwrap_or(self.seq.len() - start);
        self.pos = start + len;
        Some(start..start + len)
    }
}

/// The maximal ACGT runs of `seq`; N, IUPAC codes and any other byte split runs.
pub fn acgt_runs(seq: &[u8]) -> AcgtRuns<'_> {
    AcgtRuns { seq, pos: 0 }
}

/// Salt that separates a record's held-out stream from its length stream.
const HELD_OUT_SALT: u64 = 0x6865_6C64_5F6F_7574; // "held_out"

/// Cuts records into pieces; holds only the validated configuration, so one sampler can be
/// shared by parallel workers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PieceSampler {
    config: SamplerConfig,
}

impl PieceSampler {
    /// Validates the configuration: `1 <= min_tokens <= max_tokens`, probabilities in [0, 1].
    pub fn new(config: SamplerConfig) -> Result<PieceSampler> {
        if config.min_tokens == 0 {
            return Err(CoreError::invalid("min_tokens", "must be at least 1"));
        }
        if config.min_tokens > config.max_tokens {
            return Err(CoreError::invalid(
                "max_tokens",
                format!(
                    "{} is below min_tokens = {}",
                    config.max_tokens, config.min_tokens
                ),
            ));
        }
        for (name, p) in [
            ("full_length_prob", config.full_length_prob),
            ("held_out_share", config.held_out_share),
        ] {
            if !(0.0..=1.0).contains(&p) {
                return Err(CoreError::invalid(name, format!("{p} is not in [0, 1]")));
            }
        }
        Ok(PieceSampler { config })
    }

    /// The configuration.
    pub fn config(&self) -> &SamplerConfig {
        &self.config
    }

    /// Appends the pieces of one record to `out`, in order of position. The result depends
    /// only on (seed, record, seq), never on which records were cut before.
    pub fn pieces_of_record(&self, record: usize, seq: &[u8], out: &mut Vec<Piece>) {
        let c = &self.config;
        let mut lengths = SeededRng::derive(c.seed, record as u64);
        let mut held = SeededRng::derive(c.seed ^ HELD_OUT_SALT, record as u64);
        for run in acgt_runs(seq) {
            self.cut_run(&mut lengths, run, |start, tokens| {
                out.push(Piece {
                    record,
                    start,
                    tokens,
                    held_out: held.bernoulli(c.held_out_share),
                });
                ControlFlow::Continue(())
            });
        }
    }

    /// DNABERT's rule over one run of usable nucleotides: from the run's start, while a
    /// piece of `min_tokens` fits, draw a length from `lengths` and call `piece(start,
    /// tokens)`, until it answers `Break` (finding one piece of a segment need not draw the
    /// rest). Shared by the FASTA corpus and the genome store
    /// ([`super::genome::GenomePieces`]).
    pub(crate) fn cut_run(
        &self,
        lengths: &mut SeededRng,
        run: Range<usize>,
        mut piece: impl FnMut(usize, usize) -> ControlFlow<()>,
    ) {
        let c = &self.config;
        let overhang = c.k.get() - 1;
        let span = (c.max_tokens - c.min_tokens + 1) as u64;
        let mut pos = run.start;
        // A tail too short for the shortest piece is dropped whatever the draw, so it
        // costs no draw.
        while run.end - pos >= overhang + c.min_tokens {
            let room = run.end - pos - overhang;
            let drawn = if lengths.bernoulli(c.full_length_prob) {
                c.max_tokens
            } else {
                c.min_tokens + lengths.below(span) as usize
            };
            // A draw that does not fit takes the rest of the run, which has at least
            // min_tokens tokens (loop condition).
            let tokens = drawn.min(room);
            if piece(pos, tokens).is_break() {
                return;
            }
            pos += tokens + overhang;
        }
    }
}

/// Writes the model input of a piece, `[CLS] k-mer ids [SEP]`, into `out` (cleared first).
/// Fails if the piece does not lie in `seq` or covers a letter other than A/C/G/T (it was
/// cut from another sequence or with another k).
pub fn piece_token_ids(seq: &[u8], piece: &Piece, vocab: &Vocab, out: &mut Vec<u32>) -> Result<()> {
    let k = vocab.k();
    let range = piece.nucleotides(k);
    let bytes = seq.get(range.clone()).ok_or_else(|| {
        CoreError::Mismatch(format!(
            "piece spans nucleotides {range:?}, the record has {}",
            seq.len()
        ))
    })?;
    out.clear();
    out.reserve(piece.tokens + 2);
    out.push(CLS_ID);
    let mask = (1u32 << (2 * k.get())) - 1;
    let mut code = 0u32;
    for (i, &b) in bytes.iter().enumerate() {
        let digit = NUCLEOTIDE_CODE[b as usize];
        if digit > 3 {
            return Err(CoreError::Mismatch(format!(
                "piece covers byte {:?} at offset {} of the record, not A/C/G/T",
                b as char,
                range.start + i
            )));
        }
        code = ((code << 2) | digit as u32) & mask;
        if i + 1 >= k.get() {
            out.push(SPECIAL_COUNT + code);
        }
    }
    out.push(SEP_ID);
    Ok(())
}

/// A 64-bit key of a piece's letters, upper-cased, for de-duplication: equal pieces (in any
/// case) get equal keys; distinct pieces collide with probability about 2^-64 per pair (not
/// a cryptographic hash). Pass the piece's bytes, `&seq[piece.nucleotides(k)]`.
pub fn dedup_key(nucleotides: &[u8]) -> u64 {
    // wyhash-style folded multiply over 8-byte words, then a SplitMix finaliser.
    #[inline]
    fn fold(a: u64, b: u64) -> u64 {
        let m = a as u128 * b as u128;
        (m as u64) ^ ((m >> 64) as u64)
    }
    const P0: u64 = 0xA076_1D64_78BD_642F;
    const P1: u64 = 0xE703_7ED1_A0B4_28DB;
    let mut h = P0 ^ (nucleotides.len() as u64).wrapping_mul(P1);
    for chunk in nucleotides.chunks(8) {
        let mut w = 0u64;
        for &b in chunk {
            w = (w << 8) | b.to_ascii_uppercase() as u64;
        }
        h = fold(h ^ w, P1);
    }
    h = (h ^ (h >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    h ^ (h >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenize::kmer::Kmer;
    use alloc::collections::BTreeSet;
    use alloc::vec;
    use proptest::prelude::*;

    fn config(k: usize, min: usize, max: usize, seed: u64) -> SamplerConfig {
        SamplerConfig {
            k: K::new(k).unwrap(),
            min_tokens: min,
            max_tokens: max,
            seed,
            ..SamplerConfig::default()
        }
    }

    fn cut(cfg: SamplerConfig, record: usize, seq: &[u8]) -> Vec<Piece> {
        let mut out = Vec::new();
        PieceSampler::new(cfg)
            .unwrap()
            .pieces_of_record(record, seq, &mut out);
        out
    }

    /// The brute-force run oracle: every index, classified on its own.
    fn runs_oracle(seq: &[u8]) -> Vec<Range<usize>> {
        let acgt = |i: usize| b"ACGTacgt".contains(&seq[i]);
        let mut runs = Vec::new();
        for i in 0..seq.len() {
            if acgt(i) && (i == 0 || !acgt(i - 1)) {
                let mut j = i;
                while j < seq.len() && acgt(j) {
                    j += 1;
                }
                runs.push(i..j);
            }
        }
        runs
    }

    /// A pseudo-random corpus record over `alphabet`.
    fn random_seq(rng: &mut SeededRng, len: usize, alphabet: &[u8]) -> Vec<u8> {
        (0..len)
            .map(|_| alphabet[rng.below(alphabet.len() as u64) as usize])
            .collect()
    }

    #[test]
    fn runs_split_at_n_and_iupac_and_accept_lower_case() {
        let seq = b"NNACgtNRACYtt-a";
        let runs: Vec<_> = acgt_runs(seq).collect();
        assert_eq!(runs, vec![2..6, 8..10, 11..13, 14..15]);
        assert_eq!(acgt_runs(b"NNNN").count(), 0);
        assert_eq!(acgt_runs(b"").count(), 0);
        assert_eq!(acgt_runs(b"acgt").collect::<Vec<_>>(), vec![0..4]);
    }

    #[test]
    fn fixed_length_pieces_tile_runs_and_drop_short_tails() {
        // k = 3, exactly 4 tokens = 6 nucleotides per piece.
        // Run 0..13: pieces at 0 and 6; tail 12..13 has 1 nucleotide, 0 tokens: dropped.
        // Run 14..22 (8 nt): piece at 14; tail 20..22 has 2 nt, 0 tokens: dropped.
        let seq = b"ACGTACGTACGTANACGTACGT";
        let pieces = cut(config(3, 4, 4, 9), 7, seq);
        let spans: Vec<_> = pieces
            .iter()
            .map(|p| (p.record, p.start, p.tokens))
            .collect();
        assert_eq!(spans, vec![(7, 0, 4), (7, 6, 4), (7, 14, 4)]);
    }

    #[test]
    fn a_draw_that_does_not_fit_takes_the_rest_of_the_run() {
        // k = 3, every draw is 10 tokens (12 nt); the run of 9 nt holds 7 tokens >= min 2.
        let cfg = SamplerConfig {
            full_length_prob: 1.0,
            ..config(3, 2, 10, 1)
        };
        let pieces = cut(cfg, 0, b"NACGTACGTAN");
        assert_eq!(pieces.len(), 1);
        assert_eq!((pieces[0].start, pieces[0].tokens), (1, 7));
        // With min 8 tokens the 7-token rest is dropped.
        assert!(cut(
            SamplerConfig {
                min_tokens: 8,
                ..cfg
            },
            0,
            b"NACGTACGTAN"
        )
        .is_empty());
    }

    #[test]
    fn invalid_configurations_are_rejected() {
        let ok = SamplerConfig::default();
        assert!(PieceSampler::new(ok).is_ok());
        for bad in [
            SamplerConfig {
                min_tokens: 0,
                ..ok
            },
            SamplerConfig {
                max_tokens: 4,
                ..ok
            },
            SamplerConfig {
                full_length_prob: 1.5,
                ..ok
            },
            SamplerConfig {
                held_out_share: f64::NAN,
                ..ok
            },
        ] {
            assert!(PieceSampler::new(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn shares_of_full_length_and_held_out_pieces_match_config() {
        // 40 records of 100 kb pure ACGT: about 10,000 pieces, so the shares are within a
        // few standard errors (0.005 for the full share, 0.003 for held out).
        let cfg = SamplerConfig::default();
        let mut rng = SeededRng::new(11);
        let mut pieces = Vec::new();
        let sampler = PieceSampler::new(cfg).unwrap();
        for r in 0..40 {
            let seq = random_seq(&mut rng, 100_000, b"ACGT");
            sampler.pieces_of_record(r, &seq, &mut pieces);
        }
        let n = pieces.len() as f64;
        assert!(n > 9_000.0, "{n} pieces");
        let full = pieces.iter().filter(|p| p.tokens == 510).count() as f64 / n;
        // P(510) = 0.5 + 0.5 / 506 for drawn pieces; run tails are a negligible few.
        assert!(
            (full - (0.5 + 0.5 / 506.0)).abs() < 0.02,
            "full share {full}"
        );
        let held = pieces.iter().filter(|p| p.held_out).count() as f64 / n;
        assert!((held - 0.1).abs() < 0.015, "held-out share {held}");
        // Uniform draws average (5 + 510) / 2 = 257.5 (sd 146, ~5,000 of them: se ~2).
        let short: Vec<f64> = pieces
            .iter()
            .filter(|p| p.tokens < 510)
            .map(|p| p.tokens as f64)
            .collect();
        let mean = short.iter().sum::<f64>() / short.len() as f64;
        assert!((mean - 257.5).abs() < 10.0, "mean short length {mean}");
    }

    #[test]
    fn records_are_cut_the_same_in_any_order() {
        let cfg = config(6, 5, 60, 3);
        let mut rng = SeededRng::new(5);
        let seqs: Vec<Vec<u8>> = (0..8)
            .map(|_| random_seq(&mut rng, 2_000, b"ACGTACGTacgtN"))
            .collect();
        let sampler = PieceSampler::new(cfg).unwrap();
        let mut forward = Vec::new();
        for (r, s) in seqs.iter().enumerate() {
            sampler.pieces_of_record(r, s, &mut forward);
        }
        let mut backward = Vec::new();
        for (r, s) in seqs.iter().enumerate().rev() {
            let mut one = Vec::new();
            sampler.pieces_of_record(r, s, &mut one);
            backward.splice(0..0, one);
        }
        assert_eq!(forward, backward);
        // Same seed, fresh sampler: the same pieces; another seed: others.
        let again: Vec<Piece> = (0..8).flat_map(|r| cut(cfg, r, &seqs[r])).collect();
        assert_eq!(forward, again);
        let other: Vec<Piece> = (0..8)
            .flat_map(|r| cut(SamplerConfig { seed: 4, ..cfg }, r, &seqs[r]))
            .collect();
        assert_ne!(forward, other);
    }

    #[test]
    fn held_out_share_never_moves_a_piece() {
        let mut rng = SeededRng::new(8);
        let seq = random_seq(&mut rng, 20_000, b"ACGTN");
        let a = cut(config(6, 5, 100, 2), 0, &seq);
        let b = cut(
            SamplerConfig {
                held_out_share: 0.7,
                ..config(6, 5, 100, 2)
            },
            0,
            &seq,
        );
        let geometry = |v: &[Piece]| v.iter().map(|p| (p.start, p.tokens)).collect::<Vec<_>>();
        assert_eq!(geometry(&a), geometry(&b));
        assert_ne!(a, b);
    }

    #[test]
    fn lower_case_gives_the_same_pieces_and_ids() {
        let mut rng = SeededRng::new(21);
        let upper = random_seq(&mut rng, 3_000, b"ACGTACGTN");
        let lower = upper.to_ascii_lowercase();
        let cfg = config(4, 3, 50, 6);
        let (pu, pl) = (cut(cfg, 2, &upper), cut(cfg, 2, &lower));
        assert_eq!(pu, pl);
        let vocab = Vocab::new(cfg.k);
        let (mut iu, mut il) = (Vec::new(), Vec::new());
        for p in &pu {
            piece_token_ids(&upper, p, &vocab, &mut iu).unwrap();
            piece_token_ids(&lower, p, &vocab, &mut il).unwrap();
            assert_eq!(iu, il);
            assert_eq!(
                dedup_key(&upper[p.nucleotides(cfg.k)]),
                dedup_key(&lower[p.nucleotides(cfg.k)])
            );
        }
    }

    #[test]
    fn piece_ids_are_cls_kmers_sep() {
        // k = 3, "ACGTA": ACG = 0*16 + 2*4 + 3 = 11 -> id 16; CGT = 2*16 + 3*4 + 1 = 45 -> 50;
        // GTA = 3*16 + 1*4 + 0 = 52 -> 57.
        let k = K::new(3).unwrap();
        let vocab = Vocab::new(k);
        let piece = Piece {
            record: 0,
            start: 1,
            tokens: 3,
            held_out: false,
        };
        let mut ids = vec![99];
        piece_token_ids(b"NACGTAN", &piece, &vocab, &mut ids).unwrap();
        assert_eq!(ids, vec![CLS_ID, 16, 50, 57, SEP_ID]);
        let by_parse = |s| vocab.id(Kmer::parse(k, s).unwrap());
        assert_eq!(
            ids[1..4],
            [by_parse("ACG"), by_parse("CGT"), by_parse("GTA")]
        );
        // Off the end, or over an N: errors.
        assert!(piece_token_ids(b"NACGT", &piece, &vocab, &mut ids).is_err());
        assert!(piece_token_ids(b"NACNTAN", &piece, &vocab, &mut ids).is_err());
    }

    #[test]
    fn dedup_keys_separate_distinct_pieces() {
        let mut rng = SeededRng::new(2);
        let seq = random_seq(&mut rng, 50_000, b"ACGT");
        let pieces = cut(config(6, 5, 40, 1), 0, &seq);
        let keys: BTreeSet<u64> = pieces
            .iter()
            .map(|p| dedup_key(&seq[p.nucleotides(K::SIX)]))
            .collect();
        assert_eq!(keys.len(), pieces.len());
        assert_ne!(dedup_key(b"A"), dedup_key(b"AA"));
        assert_ne!(dedup_key(b"ACGTACGTA"), dedup_key(b"ACGTACGTC"));
        assert_eq!(dedup_key(b"acgtACGTa"), dedup_key(b"ACGTACGTA"));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn pieces_tile_each_run_from_its_start_and_leave_only_a_short_tail(
            seq in proptest::collection::vec(
                prop::sample::select(b"ACGTACGTacgtNRY".to_vec()), 0..400),
            k in 3usize..=6,
            min in 1usize..8,
            extra in 0usize..40,
            full in prop::sample::select(vec![0.0, 0.5, 1.0]),
            seed in any::<u64>(),
        ) {
            let cfg = SamplerConfig { full_length_prob: full, ..config(k, min, min + extra, seed) };
            let pieces = cut(cfg, 3, &seq);
            let runs = runs_oracle(&seq);
            prop_assert_eq!(acgt_runs(&seq).collect::<Vec<_>>(), runs.clone());
            let kk = K::new(k).unwrap();
            let mut it = pieces.iter().peekable();
            for run in &runs {
                let mut pos = run.start;
                while let Some(p) = it.next_if(|p| p.start < run.end) {
                    // Each piece starts where the previous one ended and stays in the run.
                    prop_assert_eq!(p.start, pos);
                    let nts = p.nucleotides(kk);
                    prop_assert!(nts.end <= run.end);
                    prop_assert!(p.tokens >= min && p.tokens <= min + extra);
                    prop_assert_eq!(p.record, 3);
                    pos = nts.end;
                }
                // What is left could not hold the shortest piece.
                prop_assert!(run.end - pos < k - 1 + min);
            }
            prop_assert!(it.next().is_none());
            let vocab = Vocab::new(kk);
            let mut ids = Vec::new();
            for p in &pieces {
                piece_token_ids(&seq, p, &vocab, &mut ids).unwrap();
                prop_assert_eq!(ids.len(), p.tokens + 2);
            }
        }
    }
}
