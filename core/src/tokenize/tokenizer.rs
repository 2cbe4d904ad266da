//! Sequences to model inputs: `[CLS] k-mer ids [SEP] [PAD]..`, and back.
//!
//! Two input forms exist in the wild: raw nucleotides (FASTA, GUE CSVs) and DNABERT's
//! space-separated overlapping k-mers (the DNABERT/GeneMask TSVs, sometimes in double
//! quotes). Both end up as the same ids, and both keep the map from token positions to
//! nucleotide positions that the inspector and the maskers' "whole k-mer" spans rely on.

use super::form::{detect_form, strip_quotes, InputForm};
use crate::error::{CoreError, Result};
use crate::tokenize::kmer::{Kmer, K, NUCLEOTIDE_CODE};
use crate::tokenize::vocab::{SpecialToken, Vocab, CLS_ID, PAD_ID, SEP_ID, SPECIAL_COUNT, UNK_ID};
use alloc::string::String;
use alloc::vec::Vec;
use core::ops::Range;
use serde::{Deserialize, Serialize};

/// BERT's maximum input length, [CLS] and [SEP] included.
pub const MAX_MODEL_LEN: usize = 512;

/// What [`Tokenizer::encode`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Encoding {
    /// Number of k-mer tokens written (between [CLS] and [SEP]).
    pub tokens: usize,
    /// k-mer tokens dropped by truncation.
    pub truncated: usize,
    /// Tokens that became [UNK] (a letter other than A/C/G/T inside).
    pub unknown: usize,
    /// The form the input was read as.
    pub form: InputForm,
}

/// Turns sequences into DNABERT model inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tokenizer {
    vocab: Vocab,
    max_len: usize,
    pad_to_max: bool,
}

impl Tokenizer {
    /// A tokenizer for k with inputs of at most `max_len` positions (3..=512, specials
    /// included); `pad_to_max` pads every output to exactly `max_len`.
    pub fn new(k: K, max_len: usize, pad_to_max: bool) -> Result<Tokenizer> {
        if !(3..=MAX_MODEL_LEN).contains(&max_len) {
            return Err(CoreError::invalid(
                "max_len",
                alloc::format!("{max_len} is outside 3..={MAX_MODEL_LEN}"),
            ));
        }
        Ok(Tokenizer {
            vocab: Vocab::new(k),
            max_len,
            pad_to_max,
        })
    }

    /// k = 6, 512 positions, no padding: what the maskers and the inspector use.
    pub fn dnabert6() -> Tokenizer {
        Tokenizer {
            vocab: Vocab::new(K::SIX),
            max_len: MAX_MODEL_LEN,
            pad_to_max: false,
        }
    }

    /// The vocabulary.
    pub fn vocab(&self) -> Vocab {
        self.vocab
    }

    /// The k.
    pub fn k(&self) -> K {
        self.vocab.k()
    }

    /// Most positions an output has.
    pub fn max_len(&self) -> usize {
        self.max_len
    }

    /// Most k-mer tokens an output holds (max_len minus [CLS] and [SEP]).
    pub fn max_tokens(&self) -> usize {
        self.max_len - 2
    }

    /// Reads `text` as k-mer text or nucleotides, as [`detect_form`] decides
    /// (whitespace between nucleotides is dropped); surrounding double quotes are dropped.
    /// Appends to `out` (cleared first).
    pub fn encode(&self, text: &str, out: &mut Vec<u32>) -> Result<Encoding> {
        let text = strip_quotes(text.trim());
        match detect_form(text, self.k()) {
            InputForm::KmerText => self.encode_kmer_text(text, out),
            InputForm::Nucleotides if text.bytes().any(|b| b.is_ascii_whitespace()) => {
                let letters: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
                Ok(self.encode_nucleotides(&letters, out))
            }
            InputForm::Nucleotides => Ok(self.encode_nucleotides(text.as_bytes(), out)),
        }
    }

    /// Raw nucleotides (any case) to ids. A k-mer holding any letter other than A/C/G/T
    /// becomes [UNK]. Never fails: a sequence shorter than k gives `[CLS] [SEP]`.
    pub fn encode_nucleotides(&self, seq: &[u8], out: &mut Vec<u32>) -> Encoding {
        self.encode_nucleotides_as(seq, out)
    }

    /// [`Tokenizer::encode_nucleotides`] into ids of any integer type that holds a u32
    /// (`i64` for torch, without a second pass over the ids).
    pub fn encode_nucleotides_as<T: From<u32> + Copy>(
        &self,
        seq: &[u8],
        out: &mut Vec<T>,
    ) -> Encoding {
        let k = self.k().get();
        let n_kmers = (seq.len() + 1).saturating_sub(k);
        let tokens = n_kmers.min(self.max_tokens());
        out.clear();
        out.reserve(self.output_len(tokens));
        out.push(T::from(CLS_ID));
        let mask = (1u32 << (2 * k)) - 1;
        let mut code = 0u32;
        // Number of valid letters ending at the current position.
        let mut run = 0usize;
        let mut unknown = 0;
        let mut step = |b: u8| {
            let c = NUCLEOTIDE_CODE[b as usize];
            code = ((code << 2) | u32::from(c & 3)) & mask;
            run = if c < 4 { run + 1 } else { 0 };
            if run >= k {
                SPECIAL_COUNT + code
            } else {
                UNK_ID
            }
        };
        if tokens > 0 {
            let (head, tail) = seq[..tokens + k - 1].split_at(k - 1);
            head.iter().for_each(|&b| {
                step(b);
            });
            // One id per letter from the k-th on: an exact-size extend, no branch on
            // capacity (tokenizing is a large share of reading a genome piece).
            out.extend(tail.iter().map(|&b| {
                let id = step(b);
                unknown += usize::from(id == UNK_ID);
                T::from(id)
            }));
        }
        self.finish(out);
        Encoding {
            tokens,
            truncated: n_kmers - tokens,
            unknown,
            form: InputForm::Nucleotides,
        }
    }

    /// Space-separated k-mers to ids. A word of the wrong length is an error naming the
    /// word's 1-based index; a word of length k with a non-ACGT letter becomes [UNK].
    pub fn encode_kmer_text(&self, text: &str, out: &mut Vec<u32>) -> Result<Encoding> {
        out.clear();
        out.push(CLS_ID);
        let (mut tokens, mut truncated, mut unknown) = (0, 0, 0);
        for_each_kmer_word(self.vocab, text, |id| {
            if tokens == self.max_tokens() {
                truncated += 1;
                return;
            }
            unknown += usize::from(id == UNK_ID);
            out.push(id);
            tokens += 1;
        })?;
        self.finish(out);
        Ok(Encoding {
            tokens,
            truncated,
            unknown,
            form: InputForm::KmerText,
        })
    }

    fn output_len(&self, tokens: usize) -> usize {
        if self.pad_to_max {
            self.max_len
        } else {
            tokens + 2
        }
    }

    fn finish<T: From<u32> + Copy>(&self, out: &mut Vec<T>) {
        out.push(T::from(SEP_ID));
        if self.pad_to_max {
            out.resize(self.max_len, T::from(PAD_ID));
        }
    }

    /// The k-mer text of ids, specials skipped: `"AAAAAA AAAAAT .."`.
    pub fn decode_kmers(&self, ids: &[u32]) -> String {
        let mut out = String::new();
        for &id in ids {
            let text = if id == UNK_ID {
                Some(String::from("[UNK]"))
            } else {
                self.vocab
                    .kmer(id)
                    .map(|k| alloc::string::ToString::to_string(&k))
            };
            if let Some(t) = text {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(&t);
            }
        }
        out
    }
}

/// The ids of all k-mer words of `text`, however many (no specials, no length limit):
/// what windows over a long k-mer text record are cut from.
pub fn kmer_text_ids(k: K, text: &str) -> Result<Vec<u32>> {
    let mut ids = Vec::new();
    for_each_kmer_word(Vocab::new(k), text, |id| ids.push(id))?;
    Ok(ids)
}

/// Calls `each` with the id of every word of k-mer text, in order. `[UNK]` (what
/// `decode_kmers` writes for unknown tokens) is read back as one.
fn for_each_kmer_word(vocab: Vocab, text: &str, mut each: impl FnMut(u32)) -> Result<()> {
    let k = vocab.k();
    for (i, word) in strip_quotes(text.trim())
        .split_ascii_whitespace()
        .enumerate()
    {
        let is_unk = word == SpecialToken::Unk.text();
        if word.len() != k.get() && !is_unk {
            return Err(CoreError::parse_field(
                1,
                alloc::format!("k-mer {}", i + 1),
                alloc::format!("{word:?} is not a {k}-mer"),
            ));
        }
        each(match Kmer::from_bytes(k, word.as_bytes()) {
            Some(kmer) => vocab.id(kmer),
            None => UNK_ID,
        });
    }
    Ok(())
}

/// The nucleotides behind overlapping k-mer text: the first k-mer, then the last letter
/// of each next one. Errors when neighbours do not overlap by k-1 letters, since then the
/// text is not one sequence and position maps would be wrong.
pub fn kmer_text_to_sequence(k: K, text: &str) -> Result<String> {
    let mut seq = String::new();
    let mut prev: Option<&str> = None;
    for (i, word) in strip_quotes(text.trim())
        .split_ascii_whitespace()
        .enumerate()
    {
        if word.len() != k.get() || !word.is_ascii() {
            return Err(CoreError::parse_field(
                1,
                alloc::format!("k-mer {}", i + 1),
                alloc::format!("{word:?} is not a {k}-mer"),
            ));
        }
        match prev {
            None => seq.push_str(word),
            Some(p) => {
                if !p[1..].eq_ignore_ascii_case(&word[..k.get() - 1]) {
                    return Err(CoreError::parse_field(
                        1,
                        alloc::format!("k-mer {}", i + 1),
                        alloc::format!("{word:?} does not overlap the k-mer before it ({p:?})"),
                    ));
                }
                seq.push_str(&word[k.get() - 1..]);
            }
        }
        prev = Some(word);
    }
    seq.make_ascii_uppercase();
    Ok(seq)
}

/// Nucleotides covered by the token at model position `position` (1 = first k-mer,
/// after [CLS]); empty for position 0.
pub fn token_nucleotides(position: usize, k: K) -> Range<usize> {
    match position.checked_sub(1) {
        Some(start) => start..start + k.get(),
        None => 0..0,
    }
}

/// Model positions of the tokens that contain nucleotide `nucleotide`, given `tokens`
/// k-mer tokens: hiding a nucleotide means masking all of them.
pub fn tokens_containing(nucleotide: usize, tokens: usize, k: K) -> Range<usize> {
    let first = nucleotide.saturating_sub(k.get() - 1);
    let last = nucleotide.min(tokens.saturating_sub(1));
    if tokens == 0 || first > last {
        return 1..1;
    }
    first + 1..last + 2
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn ids(text: &str) -> Vec<u32> {
        let mut out = Vec::new();
        Tokenizer::dnabert6().encode(text, &mut out).unwrap();
        out
    }

    #[test]
    fn raw_sequence_gives_cls_overlapping_kmers_sep() {
        // AAAAAAT: AAAAAA (5), AAAAAT (6).
        assert_eq!(ids("AAAAAAT"), [2, 5, 6, 3]);
        assert_eq!(ids("aaaaaat"), [2, 5, 6, 3]);
        assert_eq!(ids("AAAAA"), [2, 3]);
    }

    #[test]
    fn kmer_text_and_raw_sequence_agree_quoted_or_not() {
        assert_eq!(ids("\"AAAAAA AAAAAT\""), ids("AAAAAAT"));
        assert_eq!(ids("AAAAAA AAAAAT"), ids("AAAAAAT"));
    }

    #[test]
    fn kmers_with_non_acgt_letters_become_unk() {
        // AAAAAANAAAAAAT: tokens 0 (AAAAAA) ok, 1..=6 contain the N, 7 AAAAAA, 8 AAAAAT.
        let out = ids("AAAAAANAAAAAAT");
        assert_eq!(out, [2, 5, 1, 1, 1, 1, 1, 1, 5, 6, 3]);
        assert_eq!(ids("AAAAAN AAAAAA"), [2, 1, 5, 3]);
        assert_eq!(ids("[UNK] AAAAAA"), [2, 1, 5, 3]);
    }

    #[test]
    fn truncates_to_510_tokens_and_pads_when_asked() {
        let seq: String = core::iter::repeat_n('A', 1000).collect();
        let mut out = Vec::new();
        let enc = Tokenizer::dnabert6().encode_nucleotides(seq.as_bytes(), &mut out);
        assert_eq!(out.len(), 512);
        assert_eq!(enc.tokens, 510);
        assert_eq!(enc.truncated, 995 - 510);
        assert_eq!(out[511], SEP_ID);
        let t = Tokenizer::new(K::SIX, 16, true).unwrap();
        t.encode_nucleotides(b"AAAAAAT", &mut out);
        assert_eq!(out.len(), 16);
        assert_eq!(&out[..5], &[2, 5, 6, 3, 0]);
    }

    #[test]
    fn wrong_length_kmer_word_is_an_error_naming_it() {
        let mut out = Vec::new();
        let err = Tokenizer::dnabert6()
            .encode("AAAAAA AAAA", &mut out)
            .unwrap_err();
        assert!(alloc::format!("{err}").contains("k-mer 2"), "{err}");
    }

    #[test]
    fn kmer_text_round_trips_to_sequence() {
        let k = K::SIX;
        assert_eq!(
            kmer_text_to_sequence(k, "AAAAAC AAAACG").unwrap(),
            "AAAAACG"
        );
        assert!(kmer_text_to_sequence(k, "AAAAAC GGGGGG").is_err());
        let t = Tokenizer::dnabert6();
        let mut out = Vec::new();
        t.encode_nucleotides(b"ACGTACGTAC", &mut out);
        assert_eq!(
            kmer_text_to_sequence(k, &t.decode_kmers(&out)).unwrap(),
            "ACGTACGTAC"
        );
    }

    proptest::proptest! {
        /// The rolling encoder against one vocabulary lookup per window, any letters and
        /// any k, truncated to max_len − 2 tokens.
        #[test]
        fn nucleotides_encode_as_each_window_looked_up(
            k in K::MIN..=K::MAX,
            seq in proptest::collection::vec(proptest::sample::select(b"ACGTNacgtx-".to_vec()), 0..40),
            max_len in 3usize..40,
        ) {
            let k = K::new(k).unwrap();
            let t = Tokenizer::new(k, max_len, false).unwrap();
            let mut out = Vec::new();
            let enc = t.encode_nucleotides(&seq, &mut out);
            let windows: Vec<u32> = seq
                .windows(k.get())
                .take(max_len - 2)
                .map(|w| Kmer::from_bytes(k, w).map_or(UNK_ID, |m| t.vocab().id(m)))
                .collect();
            let mut expected = vec![CLS_ID];
            expected.extend(&windows);
            expected.push(SEP_ID);
            proptest::prop_assert_eq!(&out, &expected);
            proptest::prop_assert_eq!(enc.tokens, windows.len());
            proptest::prop_assert_eq!(enc.unknown, windows.iter().filter(|&&id| id == UNK_ID).count());
        }
    }

    #[test]
    fn position_maps_are_inverse() {
        let k = K::SIX;
        assert_eq!(token_nucleotides(1, k), 0..6);
        assert_eq!(token_nucleotides(3, k), 2..8);
        // Nucleotide 7 of a 20-token input is in tokens (0-based) 2..=7, positions 3..=8.
        assert_eq!(tokens_containing(7, 20, k), 3..9);
        assert_eq!(tokens_containing(0, 20, k), 1..2);
        assert_eq!(tokens_containing(24, 20, k), 20..21);
        for pos in tokens_containing(7, 20, k) {
            assert!(token_nucleotides(pos, k).contains(&7));
        }
    }
}
