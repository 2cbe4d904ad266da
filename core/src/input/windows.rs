//! A long sequence as a trainer would feed it: model inputs of at most 510 k-mer tokens.
//!
//! A model input holds at most 510 k-mers between [CLS] and [SEP], and every masker works
//! on one input (GLOBAL hides the m best k-mers *of the input*), so a 100 kb sequence is
//! ~200 inputs, each masked on its own. Window w starts at token `w · stride` and holds up
//! to `length` tokens; its nucleotides reach k-1 letters past its last token's start, so
//! no k-mer is lost between windows. The browser shows these windows and `train mask`
//! writes one JSON line per window, so both mask the same inputs.

use crate::error::{CoreError, Result};
use crate::npmi::rank::{Rank, RankTable, NO_KMER_RANK};
use crate::tokenize::form::strip_quotes;
use crate::tokenize::form::{detect_form, InputForm};
use crate::tokenize::kmer::K;
use crate::tokenize::tokenizer::{kmer_text_ids, Tokenizer, MAX_MODEL_LEN};
use crate::tokenize::vocab::{CLS_ID, SEP_ID, UNK_ID};
use alloc::format;
use alloc::vec::Vec;
use core::ops::Range;

/// How a long sequence is tiled: windows of `length` tokens, one every `stride` tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowSpec {
    length: usize,
    stride: usize,
}

impl Default for WindowSpec {
    /// Back to back, as long as a model input allows.
    fn default() -> Self {
        WindowSpec {
            length: Self::MAX_LENGTH,
            stride: Self::MAX_LENGTH,
        }
    }
}

impl WindowSpec {
    /// k-mer tokens a model input can hold.
    pub const MAX_LENGTH: usize = MAX_MODEL_LEN - 2;

    /// Windows of `length` tokens (1..=510) starting every `stride` tokens (1..=length:
    /// a larger stride would skip tokens).
    pub fn new(length: usize, stride: usize) -> Result<WindowSpec> {
        if !(1..=Self::MAX_LENGTH).contains(&length) {
            return Err(CoreError::invalid(
                "window length",
                format!("{length} tokens is outside 1..={}", Self::MAX_LENGTH),
            ));
        }
        if !(1..=length).contains(&stride) {
            return Err(CoreError::invalid(
                "window stride",
                format!("{stride} tokens is outside 1..={length} (the window length)"),
            ));
        }
        Ok(WindowSpec { length, stride })
    }

    pub fn length(&self) -> usize {
        self.length
    }

    pub fn stride(&self) -> usize {
        self.stride
    }

    /// Token ranges of the windows over `tokens` tokens: the last one ends at `tokens`.
    pub fn token_ranges(&self, tokens: usize) -> impl Iterator<Item = Range<usize>> + '_ {
        let mut start = Some(0usize);
        core::iter::from_fn(move || {
            let s = start?;
            let end = (s + self.length).min(tokens);
            start = (end < tokens).then_some(s + self.stride);
            (tokens > 0).then_some(s..end)
        })
    }

    /// Nucleotides behind a window's tokens.
    pub fn nucleotides(tokens: &Range<usize>, k: K) -> Range<usize> {
        tokens.start..tokens.end + k.get() - 1
    }
}

/// The model inputs of one sequence, back to back in one buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Windows {
    k: K,
    tokens: usize,
    unknown: usize,
    ranges: Vec<Range<usize>>,
    /// Start of input w in `inputs`.
    offsets: Vec<usize>,
    inputs: Vec<u32>,
}

impl Windows {
    /// Tokenizes `seq` (letters; non-ACGT letters make [UNK] k-mers) into the windows of
    /// `spec`. A sequence shorter than k has no k-mer and is an error.
    pub fn new(seq: &[u8], k: K, spec: WindowSpec) -> Result<Windows> {
        let tokens = (seq.len() + 1).saturating_sub(k.get());
        if tokens == 0 {
            return Err(CoreError::Input(format!(
                "The sequence has {} nucleotides: it needs at least k = {k} to hold one k-mer.",
                seq.len()
            )));
        }
        // The tokenizer takes at most 510 k-mers at a time: tokenize back to back.
        let tokenizer = Tokenizer::new(k, MAX_MODEL_LEN, false)?;
        let mut ids = Vec::with_capacity(tokens);
        let mut buf = Vec::with_capacity(MAX_MODEL_LEN);
        for r in WindowSpec::default().token_ranges(tokens) {
            tokenizer.encode_nucleotides(&seq[WindowSpec::nucleotides(&r, k)], &mut buf);
            ids.extend_from_slice(&buf[1..buf.len() - 1]);
        }
        Ok(Windows::from_ids(k, ids, spec))
    }

    /// Raw DNA or k-mer text (as [`detect_form`] decides; whitespace between nucleotides
    /// dropped) into the windows of `spec`. Errors: a k-mer word of the wrong length, or
    /// no k-mer at all.
    pub fn from_text(text: &str, k: K, spec: WindowSpec) -> Result<Windows> {
        let text = strip_quotes(text.trim());
        match detect_form(text, k) {
            InputForm::KmerText => Ok(Windows::from_ids(k, kmer_text_ids(k, text)?, spec)),
            InputForm::Nucleotides => {
                let letters: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
                Windows::new(&letters, k, spec)
            }
        }
    }

    /// Windows over the k-mer ids of a whole sequence (no specials).
    pub fn from_ids(k: K, ids: Vec<u32>, spec: WindowSpec) -> Windows {
        let ranges: Vec<Range<usize>> = spec.token_ranges(ids.len()).collect();
        let mut inputs = Vec::with_capacity(ids.len() + 2 * ranges.len());
        let mut offsets = Vec::with_capacity(ranges.len());
        for r in &ranges {
            offsets.push(inputs.len());
            inputs.push(CLS_ID);
            inputs.extend_from_slice(&ids[r.clone()]);
            inputs.push(SEP_ID);
        }
        Windows {
            k,
            tokens: ids.len(),
            unknown: ids.iter().filter(|&&id| id == UNK_ID).count(),
            ranges,
            offsets,
            inputs,
        }
    }

    pub fn k(&self) -> K {
        self.k
    }

    /// k-mer tokens of the whole sequence (n - k + 1).
    pub fn tokens(&self) -> usize {
        self.tokens
    }

    /// Tokens of the whole sequence that are [UNK] (their k-mer holds a non-ACGT letter).
    pub fn unknown(&self) -> usize {
        self.unknown
    }

    /// Number of model inputs.
    pub fn count(&self) -> usize {
        self.ranges.len()
    }

    /// The tokens of the whole sequence that input w holds.
    pub fn token_range(&self, w: usize) -> Range<usize> {
        self.ranges[w].clone()
    }

    /// Model input w: `[CLS] ids.. [SEP]`.
    pub fn input(&self, w: usize) -> &[u32] {
        let start = self.offsets[w];
        &self.inputs[start..start + self.ranges[w].len() + 2]
    }

    /// The inputs in order.
    pub fn iter(&self) -> impl Iterator<Item = &[u32]> + '_ {
        (0..self.count()).map(|w| self.input(w))
    }

    /// Token ids of the whole sequence, once each (overlaps of windows taken once).
    pub fn kmer_ids(&self) -> Vec<u32> {
        let mut out = Vec::with_capacity(self.tokens);
        for (w, input) in self.iter().enumerate() {
            let skip = out.len() - self.ranges[w].start;
            out.extend_from_slice(&input[1 + skip..input.len() - 1]);
        }
        out
    }

    /// The rank of each token's own k-mer ([`NO_KMER_RANK`] for [UNK]).
    pub fn ranks(&self, table: &RankTable) -> Vec<Rank> {
        self.kmer_ids()
            .into_iter()
            .map(|id| {
                if id == UNK_ID {
                    NO_KMER_RANK
                } else {
                    table.rank_of_id(id)
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::synthetic::example_sequence;
    use crate::tokenize::vocab::Vocab;
    use crate::Kmer;
    use alloc::string::ToString;

    fn sequence(len: usize) -> Vec<u8> {
        let mut seq = Vec::new();
        while seq.len() < len {
            seq.extend_from_slice(&example_sequence());
        }
        seq.truncate(len);
        seq
    }

    #[test]
    fn windows_tile_the_sequence_like_one_long_tokenization() {
        // 1300 nt, k = 6: 1295 tokens = 510 + 510 + 275 in three inputs.
        let mut seq = sequence(1300);
        seq[700] = b'N';
        let w = Windows::new(&seq, K::SIX, WindowSpec::default()).unwrap();
        assert_eq!((w.tokens(), w.count()), (1295, 3));
        assert_eq!(w.input(2).len(), 275 + 2);
        for input in w.iter() {
            assert_eq!((input[0], *input.last().unwrap()), (CLS_ID, SEP_ID));
        }
        // The N at 700 makes tokens 695..=700 unknown.
        assert_eq!(w.unknown(), 6);
        // Token t is the k-mer at nucleotides t..t+6, across window edges too.
        let vocab = Vocab::new(K::SIX);
        let ids = w.kmer_ids();
        assert_eq!(ids.len(), 1295);
        for t in [0usize, 509, 510, 511, 1019, 1020, 1294] {
            let kmer = Kmer::from_bytes(K::SIX, &seq[t..t + 6]).unwrap();
            assert_eq!(ids[t], vocab.id(kmer), "token {t}");
        }
        assert!(ids[695..=700].iter().all(|&id| id == UNK_ID));
    }

    #[test]
    fn overlapping_windows_hold_the_same_tokens_as_back_to_back_ones() {
        let mut seq = sequence(1300);
        seq[700] = b'N';
        let whole = Windows::new(&seq, K::SIX, WindowSpec::default()).unwrap();
        let spec = WindowSpec::new(400, 300).unwrap();
        let w = Windows::new(&seq, K::SIX, spec).unwrap();
        // 1295 tokens: windows at 0, 300, 600, 900 (ends at 1295 <= 900 + 400).
        let ranges: Vec<_> = (0..w.count()).map(|i| w.token_range(i)).collect();
        assert_eq!(ranges, [0..400, 300..700, 600..1000, 900..1295]);
        assert_eq!(w.kmer_ids(), whole.kmer_ids());
        assert_eq!(w.unknown(), 6);
        for (i, r) in ranges.iter().enumerate() {
            assert_eq!(&w.input(i)[1..r.len() + 1], &whole.kmer_ids()[r.clone()]);
        }
    }

    #[test]
    fn window_specs_are_checked_and_tile_to_the_end() {
        assert!(WindowSpec::new(0, 1).is_err());
        assert!(WindowSpec::new(511, 100).is_err());
        assert!(WindowSpec::new(100, 101).is_err());
        assert!(WindowSpec::new(100, 0).is_err());
        let spec = WindowSpec::new(10, 4).unwrap();
        for tokens in 1..60 {
            let r: Vec<_> = spec.token_ranges(tokens).collect();
            assert_eq!(r[0].start, 0);
            assert_eq!(r.last().unwrap().end, tokens, "{tokens}");
            assert!(r
                .windows(2)
                .all(|p| p[1].start == p[0].start + 4 && p[0].end < tokens));
        }
        assert_eq!(spec.token_ranges(0).count(), 0);
    }

    #[test]
    fn kmer_text_and_raw_text_give_the_same_windows() {
        let seq = sequence(1200);
        let raw = core::str::from_utf8(&seq).unwrap();
        let words: Vec<&str> = (0..seq.len() - 5).map(|i| &raw[i..i + 6]).collect();
        let spec = WindowSpec::new(300, 250).unwrap();
        let from_kmers = Windows::from_text(&words.join(" "), K::SIX, spec).unwrap();
        let from_raw = Windows::from_text(raw, K::SIX, spec).unwrap();
        assert_eq!(from_kmers, from_raw);
        assert_eq!(from_raw, Windows::new(&seq, K::SIX, spec).unwrap());
        assert!(Windows::from_text("AAAAAA AAAA", K::SIX, spec).is_err());
    }

    #[test]
    fn a_sequence_shorter_than_k_is_refused() {
        let e = Windows::new(b"ACGTA", K::SIX, WindowSpec::default()).unwrap_err();
        assert!(e.to_string().contains("at least k = 6"));
        let one = Windows::new(b"ACGTAC", K::SIX, WindowSpec::default()).unwrap();
        assert_eq!(one.tokens(), 1);
    }
}
