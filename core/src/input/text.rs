//! What a person pastes or drops, read into records, or refused with a message they can
//! act on.
//!
//! The tokenizer reads any letters (a non-ACGT letter makes an [UNK] k-mer), so a protein
//! or a paragraph of prose would silently become a lane of unknown tokens. A person's text
//! is therefore checked here first: FASTA (one or more `>` records), DNABERT k-mer text or
//! a raw sequence (line breaks, spaces and GenBank's position numbers ignored).

use super::fasta::{FastaEvent, FastaFramer};
use crate::error::{CoreError, Result};
use crate::tokenize::form::{detect_form, InputForm};
use crate::tokenize::kmer::{nucleotide_code, K};
use crate::tokenize::tokenizer::kmer_text_to_sequence;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use serde::Serialize;

/// One sequence of the input, letters upper-cased, line breaks removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub name: String,
    pub seq: Vec<u8>,
}

/// What a record picker shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordSummary {
    pub name: String,
    pub length: usize,
    /// Letters that are not A/C/G/T (N, IUPAC codes): k-mers holding one become [UNK].
    pub other_letters: usize,
}

impl Record {
    pub fn summary(&self) -> RecordSummary {
        RecordSummary {
            name: self.name.clone(),
            length: self.seq.len(),
            other_letters: self
                .seq
                .iter()
                .filter(|&&b| nucleotide_code(b).is_none())
                .count(),
        }
    }
}

/// Letters accepted besides A/C/G/T: N and the other IUPAC nucleotide codes (and U), which
/// assemblies and primers contain. They cannot be part of a k-mer.
const IUPAC_OTHER: &[u8] = b"NRYSWKMBDHVU";

/// A sequence needs at least this share of A/C/G/T among its letters; below it, the text
/// is more likely a protein made of letters that happen to be IUPAC codes.
const MIN_ACGT_SHARE: f64 = 0.5;

fn refuse(message: String) -> CoreError {
    CoreError::Input(message)
}

/// Reads FASTA, k-mer text or a raw sequence. Errors say, in words, why the text is not
/// DNA and where (line and column).
pub fn read_text(text: &str, k: K) -> Result<Vec<Record>> {
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if trimmed.is_empty() {
        return Err(refuse(
            "The input is empty: paste a DNA sequence or a FASTA file.".into(),
        ));
    }
    let records = if trimmed.starts_with('>') {
        read_fasta(trimmed)?
    } else if detect_form(trimmed, k) == InputForm::KmerText {
        let seq = kmer_text_to_sequence(k, trimmed).map_err(|e| {
            refuse(format!(
                "The input looks like space-separated {k}-mers, but it cannot be read: {e}."
            ))
        })?;
        one_record("k-mer text", seq.into_bytes())
    } else {
        one_record("pasted sequence", clean_letters(trimmed, 1, 1)?)
    };
    for r in &records {
        check_dna(r)?;
    }
    Ok(records)
}

fn one_record(name: &str, seq: Vec<u8>) -> Vec<Record> {
    vec![Record {
        name: name.into(),
        seq,
    }]
}

fn read_fasta(text: &str) -> Result<Vec<Record>> {
    let mut records: Vec<Record> = Vec::new();
    let mut error = None;
    let mut on = |e: FastaEvent<'_>| match e {
        FastaEvent::Record { name } => records.push(Record {
            name: if name.is_empty() {
                format!("record {}", records.len() + 1)
            } else {
                name.into()
            },
            seq: Vec::new(),
        }),
        FastaEvent::Letters {
            line,
            column,
            bytes,
        } => {
            let (Some(r), None) = (records.last_mut(), &error) else {
                return;
            };
            // Segments split a &str at line breaks, so they are whole characters.
            let segment = String::from_utf8_lossy(bytes);
            match clean_letters(&segment, line, column) {
                Ok(letters) => r.seq.extend(letters),
                Err(e) => error = Some(e),
            }
        }
    };
    let mut framer = FastaFramer::new();
    framer.push(text.as_bytes(), &mut on);
    framer.finish(&mut on);
    if let Some(e) = error {
        return Err(e);
    }
    if let Some(empty) = records.iter().find(|r| r.seq.is_empty()) {
        return Err(refuse(format!(
            "The FASTA record \"{}\" has no sequence under its header.",
            empty.name
        )));
    }
    Ok(records)
}

/// Letters of one piece of text, upper-cased; whitespace and digits skipped; anything else
/// that is not a nucleotide letter is an error naming it and where it is.
fn clean_letters(text: &str, first_line: usize, first_column: usize) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    let mut line = first_line;
    let mut column = first_column - 1;
    for ch in text.chars() {
        column += 1;
        if ch == '\n' {
            line += 1;
            column = 0;
            continue;
        }
        if ch.is_whitespace() || ch.is_ascii_digit() {
            continue;
        }
        let up = ch.to_ascii_uppercase();
        if up.is_ascii()
            && (nucleotide_code(up as u8).is_some() || IUPAC_OTHER.contains(&(up as u8)))
        {
            out.push(up as u8);
        } else {
            return Err(refuse(format!(
                "This is not DNA: line {line}, column {column} holds {ch:?}. A sequence may \
                 only hold A, C, G, T (and N or other IUPAC codes, which become [UNK] tokens)."
            )));
        }
    }
    Ok(out)
}

fn check_dna(r: &Record) -> Result<()> {
    let summary = r.summary();
    let acgt = summary.length - summary.other_letters;
    if summary.length == 0 {
        return Err(refuse(format!("\"{}\" holds no nucleotides.", r.name)));
    }
    let share = acgt as f64 / summary.length as f64;
    if share < MIN_ACGT_SHARE {
        return Err(refuse(format!(
            "\"{}\" does not look like DNA: only {:.0}% of its letters are A, C, G or T \
             (is it a protein?).",
            r.name,
            share * 100.0
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    fn read(text: &str) -> core::result::Result<Vec<Record>, String> {
        read_text(text, K::SIX).map_err(|e| e.to_string())
    }

    #[test]
    fn raw_sequence_is_upper_cased_and_stripped_of_spacing_and_numbers() {
        let r = read("1 acgtacgtNN\n 11 ggcc\r\n").unwrap();
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].seq, b"ACGTACGTNNGGCC");
        assert_eq!(r[0].summary().other_letters, 2);
    }

    #[test]
    fn fasta_records_keep_their_names_and_order() {
        let r = read(">chr1 test\nACGT\nacgt\n;comment\n>\nGGGG\n").unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(
            (r[0].name.as_str(), r[0].seq.as_slice()),
            ("chr1 test", &b"ACGTACGT"[..])
        );
        assert_eq!(
            (r[1].name.as_str(), r[1].seq.as_slice()),
            ("record 2", &b"GGGG"[..])
        );
    }

    #[test]
    fn kmer_text_is_read_back_to_nucleotides() {
        let r = read("\"ACGTAC CGTACG GTACGT\"").unwrap();
        assert_eq!(r[0].seq, b"ACGTACGT");
    }

    #[test]
    fn protein_and_prose_are_refused_with_the_offending_character() {
        let e = read("MKTAYIAKQRQISFVKSHFSRQ").unwrap_err();
        assert!(
            e.contains("not DNA") && e.contains("column 6 holds 'I'"),
            "{e}"
        );
        let e = read("hello world").unwrap_err();
        assert!(e.contains("line 1, column 2") && e.contains("'e'"), "{e}");
        // Only IUPAC letters, but mostly not A/C/G/T: a protein such as "MDHKW..".
        let e = read("MDHKWVRYSMDHKWAC").unwrap_err();
        assert!(e.contains("protein"), "{e}");
        // In FASTA, the line and column are the file's.
        let e = read(">a\nACGT\nACxT\n").unwrap_err();
        assert!(e.contains("line 3, column 3 holds 'x'"), "{e}");
    }

    #[test]
    fn empty_input_and_empty_records_are_refused() {
        assert!(read("  \n").unwrap_err().contains("empty"));
        assert!(read(">a\n>b\nACGT").unwrap_err().contains("\"a\""));
    }
}
