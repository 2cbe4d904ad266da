//! A long sequence as the model would see it: consecutive inputs of 510 k-mer tokens.
//!
//! A model input holds at most 510 k-mers between [CLS] and [SEP], and every masker
//! works on one input (GLOBAL hides the m best k-mers *of the input*), so a 100 kb
//! sequence is shown as the ~200 inputs a trainer would cut from it end to end, each
//! masked on its own. Window w holds global tokens `w·510 ..`; its nucleotides overlap the
//! next window's by k-1 so that no k-mer is lost between them.

use cmgems_core::kmer::K;
use cmgems_core::rank::{Rank, RankTable, NO_KMER_RANK};
use cmgems_core::tokenizer::{Tokenizer, MAX_MODEL_LEN};
use cmgems_core::vocab::UNK_ID;

/// k-mer tokens per model input.
pub const WINDOW_TOKENS: usize = MAX_MODEL_LEN - 2;

/// The model inputs of one sequence, back to back: input w starts at `w · (WINDOW_TOKENS + 2)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Windows {
    k: K,
    tokens: usize,
    unknown: usize,
    inputs: Vec<u32>,
}

impl Windows {
    /// Tokenizes `seq` (letters; non-ACGT letters make [UNK] k-mers). A sequence shorter
    /// than k has no k-mer and is an error.
    pub fn new(seq: &[u8], k: K) -> Result<Windows, String> {
        let tokens = (seq.len() + 1).saturating_sub(k.get());
        if tokens == 0 {
            return Err(format!(
                "The sequence has {} nucleotides: it needs at least k = {k} to hold one k-mer.",
                seq.len()
            ));
        }
        let tokenizer = Tokenizer::new(k, MAX_MODEL_LEN, false).map_err(|e| e.to_string())?;
        let count = tokens.div_ceil(WINDOW_TOKENS);
        let mut inputs = Vec::with_capacity(tokens + 2 * count);
        let mut buf = Vec::with_capacity(MAX_MODEL_LEN);
        let mut unknown = 0;
        for w in 0..count {
            let start = w * WINDOW_TOKENS;
            let end = (start + WINDOW_TOKENS + k.get() - 1).min(seq.len());
            let enc = tokenizer.encode_nucleotides(&seq[start..end], &mut buf);
            unknown += enc.unknown;
            inputs.extend_from_slice(&buf);
        }
        debug_assert_eq!(inputs.len(), tokens + 2 * count);
        Ok(Windows {
            k,
            tokens,
            unknown,
            inputs,
        })
    }

    pub fn k(&self) -> K {
        self.k
    }

    /// k-mer tokens of the whole sequence (n - k + 1).
    pub fn tokens(&self) -> usize {
        self.tokens
    }

    /// Tokens that are [UNK] (their k-mer holds N or another non-ACGT letter).
    pub fn unknown(&self) -> usize {
        self.unknown
    }

    /// Number of model inputs.
    pub fn count(&self) -> usize {
        self.tokens.div_ceil(WINDOW_TOKENS)
    }

    /// Model input w: `[CLS] ids.. [SEP]`.
    pub fn input(&self, w: usize) -> &[u32] {
        let start = w * (WINDOW_TOKENS + 2);
        let len = (self.tokens - w * WINDOW_TOKENS).min(WINDOW_TOKENS) + 2;
        &self.inputs[start..start + len]
    }

    /// The inputs in order.
    pub fn iter(&self) -> impl Iterator<Item = &[u32]> + '_ {
        (0..self.count()).map(|w| self.input(w))
    }

    /// Token ids of the whole sequence, without the specials between inputs.
    pub fn kmer_ids(&self) -> Vec<u32> {
        let mut out = Vec::with_capacity(self.tokens);
        for input in self.iter() {
            out.extend_from_slice(&input[1..input.len() - 1]);
        }
        out
    }

    /// The rank of each token's own k-mer ([`NO_KMER_RANK`] for [UNK]).
    pub fn ranks(&self, table: &RankTable) -> Vec<Rank> {
        let mut out = Vec::with_capacity(self.tokens);
        for input in self.iter() {
            out.extend(input[1..input.len() - 1].iter().map(|&id| {
                if id == UNK_ID {
                    NO_KMER_RANK
                } else {
                    table.rank_of_id(id)
                }
            }));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cmgems_core::synthetic::example_sequence;
    use cmgems_core::vocab::{CLS_ID, SEP_ID};

    #[test]
    fn windows_tile_the_sequence_like_one_long_tokenization() {
        // 1300 nt, k = 6: 1295 tokens = 510 + 510 + 275 in three inputs.
        let mut seq = Vec::new();
        while seq.len() < 1300 {
            seq.extend_from_slice(&example_sequence());
        }
        seq.truncate(1300);
        seq[700] = b'N';
        let w = Windows::new(&seq, K::SIX).unwrap();
        assert_eq!((w.tokens(), w.count()), (1295, 3));
        assert_eq!(w.input(2).len(), 275 + 2);
        for input in w.iter() {
            assert_eq!((input[0], *input.last().unwrap()), (CLS_ID, SEP_ID));
        }
        // The N at 700 makes tokens 695..=700 unknown.
        assert_eq!(w.unknown(), 6);
        // Token t is the k-mer at nucleotides t..t+6, across window edges too.
        let vocab = cmgems_core::Vocab::new(K::SIX);
        let ids = w.kmer_ids();
        assert_eq!(ids.len(), 1295);
        for t in [0usize, 509, 510, 511, 1019, 1020, 1294] {
            let kmer = cmgems_core::Kmer::from_bytes(K::SIX, &seq[t..t + 6]).unwrap();
            assert_eq!(ids[t], vocab.id(kmer), "token {t}");
        }
        assert!(ids[695..=700].iter().all(|&id| id == UNK_ID));
    }

    #[test]
    fn a_sequence_shorter_than_k_is_refused() {
        assert!(Windows::new(b"ACGTA", K::SIX)
            .unwrap_err()
            .contains("at least k = 6"));
        assert_eq!(Windows::new(b"ACGTAC", K::SIX).unwrap().tokens(), 1);
    }
}
