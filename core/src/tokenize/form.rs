//! Raw nucleotides or k-mer text: one rule for the tokenizer, `train mask`, the browser and
//! Python.
//!
//! DNABERT's files hold k-mers separated by spaces (`ACGTAC CGTACG ..`), sometimes in
//! double quotes, with `[UNK]` where a k-mer held another letter; everything else is
//! letters, one per nucleotide, possibly broken by whitespace (GenBank prints numbered
//! blocks of 10). Whitespace alone cannot tell them apart, so the rule looks at the words:
//! k-mer text is at least two words, the first of them a k-letter word or `[UNK]`. (Raw
//! DNA printed in blocks of exactly k letters would read as k-mer text and be refused for
//! not overlapping, rather than silently read as something else.)

use crate::tokenize::kmer::K;
use serde::{Deserialize, Serialize};

/// How a text was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputForm {
    /// A run of letters, one per nucleotide (whitespace between them ignored).
    Nucleotides,
    /// Whitespace-separated overlapping k-mers.
    KmerText,
}

/// The form of `text` (quotes and surrounding whitespace ignored).
pub fn detect_form(text: &str, k: K) -> InputForm {
    let mut words = strip_quotes(text.trim()).split_ascii_whitespace();
    let (Some(first), Some(_)) = (words.next(), words.next()) else {
        return InputForm::Nucleotides;
    };
    let kmer_like = first == "[UNK]"
        || (first.len() == k.get() && first.bytes().all(|c| c.is_ascii_alphabetic()));
    if kmer_like {
        InputForm::KmerText
    } else {
        InputForm::Nucleotides
    }
}

/// Drops one pair of surrounding double quotes, as in the GeneMask few-shot TSVs.
pub fn strip_quotes(s: &str) -> &str {
    s.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kmer_words_are_kmer_text_and_the_rest_nucleotides() {
        let six = K::SIX;
        assert_eq!(
            detect_form("ACGTAC CGTACG GTACGT", six),
            InputForm::KmerText
        );
        assert_eq!(detect_form("\"acgtac cgtacg\"", six), InputForm::KmerText);
        assert_eq!(detect_form("[UNK] AAAAAA", six), InputForm::KmerText);
        // A wrong second word is still k-mer text: its reader names the word.
        assert_eq!(detect_form("AAAAAA AAAA", six), InputForm::KmerText);
        // Raw DNA in blocks (GenBank, with or without position numbers), one word.
        assert_eq!(
            detect_form("acgtacgtac gtacgtacgt", six),
            InputForm::Nucleotides
        );
        assert_eq!(
            detect_form("1 acgtacgtac gtacgtacgt", six),
            InputForm::Nucleotides
        );
        assert_eq!(detect_form("ACGTACGT", six), InputForm::Nucleotides);
        assert_eq!(detect_form("ACGTAC", six), InputForm::Nucleotides);
        assert_eq!(detect_form("", six), InputForm::Nucleotides);
        // k decides the word length.
        let four = K::new(4).unwrap();
        assert_eq!(detect_form("ACGT CGTA", four), InputForm::KmerText);
        assert_eq!(detect_form("ACGT CGTA", six), InputForm::Nucleotides);
    }
}
