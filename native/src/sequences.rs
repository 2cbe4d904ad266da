//! Reading a file of sequences in any of the forms researchers hand us.
//!
//! - FASTA / FASTQ (first byte `>`/`@`);
//! - DNABERT / GeneMask TSV: `sequence<TAB>label`, the sequence as k-mer text or raw,
//!   header and fields optionally in double quotes;
//! - GUE CSV: header `sequence,label`, raw nucleotides;
//! - plain text: one raw sequence per line.
//!
//! Any of them may be gzipped (detected by magic bytes, not by name).
//!
//! Labels, where a file has them, must be non-negative integers; anything else is an
//! error naming the file and line.

use crate::error::{NativeError, Result};
use crate::fasta;
use cmgems_core::tokenize::form::strip_quotes;
use std::path::Path;

/// One sequence and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabeledSequence {
    /// Record name (FASTA) or `line N`.
    pub name: String,
    /// 1-based line in the file.
    pub line: usize,
    /// Raw nucleotides or k-mer text, quotes removed.
    pub text: String,
    pub label: Option<usize>,
}

/// The layout a file was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileForm {
    Fastx,
    Tsv,
    Csv,
    Lines,
}

/// The form of a file, from its first (decompressed) bytes.
pub fn detect_form(path: &Path) -> Result<FileForm> {
    let head = first_bytes(path)?;
    if head.is_empty() {
        return Err(NativeError::invalid(path, "the file is empty"));
    }
    let first = head.iter().find(|b| !b.is_ascii_whitespace()).copied();
    if matches!(first, Some(b'>') | Some(b'@')) {
        return Ok(FileForm::Fastx);
    }
    let text = String::from_utf8_lossy(&head);
    let first_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    Ok(if first_line.contains('\t') {
        FileForm::Tsv
    } else if is_header(first_line, ',') {
        FileForm::Csv
    } else {
        FileForm::Lines
    })
}

/// Reads all sequences of `path`, detecting its form.
pub fn read_sequences(path: &Path) -> Result<(FileForm, Vec<LabeledSequence>)> {
    let form = detect_form(path)?;
    if form == FileForm::Fastx {
        let records = fasta::read_all(path)?;
        let seqs = records
            .into_iter()
            .map(|r| LabeledSequence {
                name: r.name,
                line: r.line as usize,
                text: String::from_utf8_lossy(&r.seq).into_owned(),
                label: None,
            })
            .collect();
        return Ok((FileForm::Fastx, seqs));
    }
    let text = read_text_maybe_gzip(path)?;
    if form == FileForm::Tsv {
        Ok((form, read_delimited(path, &text, '\t')?))
    } else if form == FileForm::Csv {
        Ok((form, read_delimited(path, &text, ',')?))
    } else {
        let seqs = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| LabeledSequence {
                name: format!("line {}", i + 1),
                line: i + 1,
                text: strip_quotes(l.trim()).to_string(),
                label: None,
            })
            .collect::<Vec<_>>();
        if seqs.is_empty() {
            // Found by fuzzing: a file of blank lines (a vertical tab, spaces) was read as
            // zero sequences and `train mask` "succeeded" with empty output.
            return Err(NativeError::invalid(
                path,
                "holds no sequence, only blank lines",
            ));
        }
        Ok((FileForm::Lines, seqs))
    }
}

/// Opens a file, transparently decompressing gzip.
fn open_maybe_gzip(path: &Path) -> Result<Box<dyn std::io::Read>> {
    use std::io::{BufRead, BufReader};
    let file = std::fs::File::open(path).map_err(|e| NativeError::io(path, e))?;
    let mut reader = BufReader::new(file);
    let gzip = reader
        .fill_buf()
        .map_err(|e| NativeError::io(path, e))?
        .starts_with(&[0x1f, 0x8b]);
    Ok(if gzip {
        Box::new(flate2::bufread::MultiGzDecoder::new(reader))
    } else {
        Box::new(reader)
    })
}

fn first_bytes(path: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let mut buf = Vec::with_capacity(4096);
    open_maybe_gzip(path)?
        .take(4096)
        .read_to_end(&mut buf)
        .map_err(|e| gzip_error(path, e))?;
    Ok(buf)
}

fn read_text_maybe_gzip(path: &Path) -> Result<String> {
    use std::io::Read;
    let mut text = String::new();
    open_maybe_gzip(path)?
        .read_to_string(&mut text)
        .map_err(|e| gzip_error(path, e))?;
    Ok(text)
}

fn gzip_error(path: &Path, e: std::io::Error) -> NativeError {
    NativeError::invalid(
        path,
        format!("cannot read it as text ({e}); a truncated or corrupt .gz gives this too"),
    )
}

fn is_header(line: &str, sep: char) -> bool {
    let mut fields = line.split(sep).map(|f| strip_quotes(f.trim()));
    fields.next() == Some("sequence")
}

/// `sequence<SEP>label` rows with an optional header; a missing label column is allowed
/// only when the header has none.
fn read_delimited(path: &Path, text: &str, sep: char) -> Result<Vec<LabeledSequence>> {
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate().peekable();
    let mut label_column = true;
    if let Some((_, first)) = lines.peek() {
        if is_header(first, sep) {
            label_column = first.split(sep).count() > 1;
            lines.next();
        }
    }
    for (i, line) in lines {
        let line_no = i + 1;
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let mut fields = line.split(sep);
        let seq = strip_quotes(fields.next().unwrap_or("").trim());
        if seq.is_empty() {
            return Err(at_line(path, line_no, "the `sequence` field is empty"));
        }
        let label = match fields.next() {
            Some(l) if label_column => {
                let l = strip_quotes(l.trim());
                Some(l.parse::<usize>().map_err(|_| {
                    at_line(
                        path,
                        line_no,
                        &format!("the `label` field {l:?} is not a non-negative integer"),
                    )
                })?)
            }
            None if label_column => {
                return Err(at_line(path, line_no, "the `label` field is missing"));
            }
            _ => None,
        };
        out.push(LabeledSequence {
            name: format!("line {line_no}"),
            line: line_no,
            text: seq.to_string(),
            label,
        });
    }
    if out.is_empty() {
        return Err(NativeError::invalid(
            path,
            "no sequence rows after the header",
        ));
    }
    Ok(out)
}

fn at_line(path: &Path, line: usize, message: &str) -> NativeError {
    NativeError::invalid(path, format!("line {line}: {message}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(name: &str, body: &str) -> Result<(FileForm, Vec<LabeledSequence>)> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        read_sequences(&p)
    }

    #[test]
    fn quoted_genemask_tsv_reads_kmer_text_and_labels() {
        let (form, seqs) = read(
            "t.tsv",
            "\"sequence\"\t\"label\"\n\"AAAAAA AAAAAT\"\t\"1\"\n",
        )
        .unwrap();
        assert_eq!(form, FileForm::Tsv);
        assert_eq!(seqs[0].text, "AAAAAA AAAAAT");
        assert_eq!(seqs[0].label, Some(1));
        assert_eq!(seqs[0].line, 2);
    }

    #[test]
    fn gue_csv_and_plain_lines_are_recognised() {
        let (form, seqs) = read("t.csv", "sequence,label\nACGTACGT,0\nTTTTTTTT,1\n").unwrap();
        assert_eq!(form, FileForm::Csv);
        assert_eq!(seqs[1].label, Some(1));
        let (form, seqs) = read("t.txt", "ACGTACGTAC\n\nGGGGGGGG\n").unwrap();
        assert_eq!(form, FileForm::Lines);
        assert_eq!(seqs.len(), 2);
        assert_eq!(seqs[1].line, 3);
    }

    #[test]
    fn non_integer_label_names_file_and_line() {
        let err = read("bad.tsv", "sequence\tlabel\nACGTACGT\t0\nACGTACGT\tyes\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("bad.tsv") && err.contains("line 3") && err.contains("label"),
            "{err}"
        );
    }

    #[test]
    fn gzipped_gue_csv_is_read_like_plain_csv() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("train.csv.gz");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(b"sequence,label\nACGTACGT,0\nTTTTTTTT,1\n")
            .unwrap();
        std::fs::write(&p, gz.finish().unwrap()).unwrap();
        let (form, seqs) = read_sequences(&p).unwrap();
        assert_eq!(form, FileForm::Csv);
        assert_eq!(seqs.len(), 2);
        assert_eq!(seqs[1].label, Some(1));
    }

    #[test]
    fn blank_only_file_is_refused_by_name() {
        for body in ["\x0b", "\n \r\n\t\n"] {
            let err = read("blank.txt", body).unwrap_err().to_string();
            assert!(
                err.contains("blank.txt") && err.contains("no sequence"),
                "{err}"
            );
        }
    }

    #[test]
    fn empty_file_is_refused() {
        let err = read("empty.txt", "").unwrap_err().to_string();
        assert!(err.contains("empty.txt"), "{err}");
    }
}
