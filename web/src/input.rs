//! What a person pastes or drops, read into sequences, or refused with a message they can act on.
//!
//! Core reads sequences that are already known to be DNA (any non-ACGT letter becomes
//! `[UNK]`), so a protein or a paragraph of text would silently turn into a lane of
//! unknown tokens. The page must instead say what is wrong, hence the checks here. FASTA
//! framing (headers, line breaks) lives here too because core does no I/O.

use cmgems_core::kmer::{nucleotide_code, K};
use cmgems_core::tokenizer::kmer_text_to_sequence;
use serde::Serialize;

/// One sequence of the input, letters upper-cased, line breaks removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub name: String,
    pub seq: Vec<u8>,
}

/// What the record picker shows.
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

/// Reads FASTA (one or more `>` records), DNABERT k-mer text (`"ACGTAC CGTACG .."`) or a
/// raw sequence (line breaks, spaces and position numbers as in GenBank's ORIGIN block are
/// ignored). Errors say, in words, why the text is not DNA.
pub fn read_sequences(text: &str, k: K) -> Result<Vec<Record>, String> {
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if trimmed.is_empty() {
        return Err("The input is empty: paste a DNA sequence or a FASTA file.".into());
    }
    let records = if trimmed.starts_with('>') {
        read_fasta(trimmed)?
    } else if looks_like_kmer_text(trimmed, k) {
        let seq = kmer_text_to_sequence(k, trimmed).map_err(|e| {
            format!("The input looks like space-separated {k}-mers, but it cannot be read: {e}.")
        })?;
        alloc_record("k-mer text", seq.into_bytes())
    } else {
        alloc_record("pasted sequence", clean_letters(trimmed, 1)?)
    };
    for r in &records {
        check_dna(r)?;
    }
    Ok(records)
}

fn alloc_record(name: &str, seq: Vec<u8>) -> Vec<Record> {
    vec![Record {
        name: name.into(),
        seq,
    }]
}

/// DNABERT's TSVs hold overlapping k-mers separated by single spaces, sometimes quoted.
fn looks_like_kmer_text(text: &str, k: K) -> bool {
    let text = cmgems_core::tokenizer::strip_quotes(text);
    let mut words = text.split_ascii_whitespace();
    let (Some(a), Some(b)) = (words.next(), words.next()) else {
        return false;
    };
    let is_kmer = |w: &str| w.len() == k.get() && w.bytes().all(|c| c.is_ascii_alphabetic());
    is_kmer(a) && is_kmer(b) && a[1..].eq_ignore_ascii_case(&b[..k.get() - 1])
}

fn read_fasta(text: &str) -> Result<Vec<Record>, String> {
    let mut records: Vec<Record> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if let Some(header) = line.strip_prefix('>') {
            let name = header.trim();
            records.push(Record {
                name: if name.is_empty() {
                    format!("record {}", records.len() + 1)
                } else {
                    name.into()
                },
                seq: Vec::new(),
            });
        } else if line.starts_with(';') {
            continue;
        } else if let Some(r) = records.last_mut() {
            r.seq.extend(clean_letters(line, line_no)?);
        }
    }
    if let Some(empty) = records.iter().find(|r| r.seq.is_empty()) {
        return Err(format!(
            "The FASTA record \"{}\" has no sequence under its header.",
            empty.name
        ));
    }
    Ok(records)
}

/// Letters of one piece of text, upper-cased; whitespace and digits skipped; anything else
/// that is not a nucleotide letter is an error naming it and where it is.
fn clean_letters(text: &str, first_line: usize) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(text.len());
    let mut line = first_line;
    let mut column = 0usize;
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
            return Err(format!(
                "This is not DNA: line {line}, column {column} holds {ch:?}. A sequence may \
                 only hold A, C, G, T (and N or other IUPAC codes, which become [UNK] tokens)."
            ));
        }
    }
    Ok(out)
}

fn check_dna(r: &Record) -> Result<(), String> {
    let summary = r.summary();
    let acgt = summary.length - summary.other_letters;
    if summary.length == 0 {
        return Err(format!("\"{}\" holds no nucleotides.", r.name));
    }
    let share = acgt as f64 / summary.length as f64;
    if share < MIN_ACGT_SHARE {
        return Err(format!(
            "\"{}\" does not look like DNA: only {:.0}% of its letters are A, C, G or T \
             (is it a protein?).",
            r.name,
            share * 100.0
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Vec<Record>, String> {
        read_sequences(text, K::SIX)
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
    }

    #[test]
    fn empty_input_and_empty_records_are_refused() {
        assert!(read("  \n").unwrap_err().contains("empty"));
        assert!(read(">a\n>b\nACGT").unwrap_err().contains("\"a\""));
    }
}
