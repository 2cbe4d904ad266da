//! Labelled sequence sets for fine-tuning: GUE CSVs and DNABERT/GeneMask TSVs, tokenized
//! once, with the class counts a user should see before trusting a score.

use std::path::{Path, PathBuf};

use cmgems_core::eval::fewshot::class_counts;
use cmgems_core::Tokenizer;

use crate::error::{NativeError, Result};
use crate::sequences::{read_sequences, FileForm};

/// One tokenized example: `[CLS] k-mers [SEP]`, unpadded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    pub ids: Vec<u32>,
    pub label: usize,
    /// 1-based line in the file, for errors about this example.
    pub line: usize,
    /// The sequence was cut to the tokenizer's length.
    pub truncated: bool,
    /// Its k-mer tokens that became `[UNK]`.
    pub unknown_tokens: usize,
}

/// A labelled file, tokenized.
#[derive(Debug, Clone)]
pub struct LabeledSet {
    pub path: PathBuf,
    pub examples: Vec<Example>,
    /// Examples per class (index = label).
    pub class_counts: Vec<usize>,
    /// Examples cut to the tokenizer's length.
    pub truncated: usize,
    /// k-mer tokens that became `[UNK]` (a letter other than A/C/G/T inside).
    pub unknown_tokens: usize,
}

impl LabeledSet {
    /// Reads `path` (TSV or CSV with a `label` column, optionally gzipped) and tokenizes it.
    pub fn load(path: &Path, tokenizer: &Tokenizer) -> Result<LabeledSet> {
        let (form, records) = read_sequences(path)?;
        if !matches!(form, FileForm::Tsv | FileForm::Csv) {
            return Err(NativeError::invalid(
                path,
                "fine-tuning needs a labelled file: a TSV `sequence<TAB>label` or a CSV \
                 `sequence,label` (FASTA and plain lines carry no labels)",
            ));
        }
        let mut examples = Vec::with_capacity(records.len());
        for record in records {
            let label = record.label.ok_or_else(|| {
                NativeError::invalid(path, format!("line {}: no label", record.line))
            })?;
            let mut ids = Vec::new();
            let encoding = tokenizer.encode(&record.text, &mut ids).map_err(|source| {
                NativeError::CoreAtLine {
                    path: path.to_path_buf(),
                    line: record.line,
                    source,
                }
            })?;
            examples.push(Example {
                ids,
                label,
                line: record.line,
                truncated: encoding.truncated > 0,
                unknown_tokens: encoding.unknown,
            });
        }
        Ok(LabeledSet::of(path.to_path_buf(), examples))
    }

    /// The set of `examples` with its counts, so that a subset reports its own.
    fn of(path: PathBuf, examples: Vec<Example>) -> LabeledSet {
        let labels: Vec<usize> = examples.iter().map(|e| e.label).collect();
        LabeledSet {
            path,
            class_counts: class_counts(&labels),
            truncated: examples.iter().filter(|e| e.truncated).count(),
            unknown_tokens: examples.iter().map(|e| e.unknown_tokens).sum(),
            examples,
        }
    }

    pub fn len(&self) -> usize {
        self.examples.len()
    }

    pub fn is_empty(&self) -> bool {
        self.examples.is_empty()
    }

    pub fn labels(&self) -> Vec<usize> {
        self.examples.iter().map(|e| e.label).collect()
    }

    /// The classes the labels imply: `max(label) + 1`.
    pub fn num_classes(&self) -> usize {
        self.class_counts.len()
    }

    /// Refuses a label the model has no output for, naming the file and line.
    pub fn check_labels(&self, num_labels: usize) -> Result<()> {
        match self.examples.iter().find(|e| e.label >= num_labels) {
            Some(e) => Err(NativeError::invalid(
                &self.path,
                format!(
                    "line {}: label {} is out of range: the model has {num_labels} classes \
                     (labels 0..{})",
                    e.line,
                    e.label,
                    num_labels - 1
                ),
            )),
            None => Ok(()),
        }
    }

    /// The subset at `indices` (a few-shot draw).
    pub fn subset(&self, indices: &[usize]) -> LabeledSet {
        let examples = indices.iter().map(|&i| self.examples[i].clone()).collect();
        LabeledSet::of(self.path.clone(), examples)
    }

    /// `n` examples spread evenly over the file (every `len / n`-th): quick evaluations that
    /// keep the class mix of files sorted by label, where the first `n` would be one class.
    pub fn spread_sample(&self, n: usize) -> LabeledSet {
        let stride = (self.len() / n.max(1)).max(1);
        let picked: Vec<usize> = (0..self.len()).step_by(stride).take(n).collect();
        self.subset(&picked)
    }

    /// One line for the terminal: `train.csv: 47356 examples, classes 0: 23678, 1: 23678`.
    pub fn summary(&self) -> String {
        let classes: Vec<String> = self
            .class_counts
            .iter()
            .enumerate()
            .map(|(c, n)| format!("{c}: {n}"))
            .collect();
        let mut line = format!(
            "{}: {} examples, classes {}",
            self.path.display(),
            self.len(),
            classes.join(", ")
        );
        if self.truncated > 0 {
            line += &format!(", {} truncated", self.truncated);
        }
        if self.unknown_tokens > 0 {
            line += &format!(", {} [UNK] tokens", self.unknown_tokens);
        }
        line
    }
}

/// The train/dev/test files of a task folder (GUE: `train.csv`; DNABERT: `train.tsv`;
/// either may be gzipped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitFiles {
    pub train: Option<PathBuf>,
    pub dev: Option<PathBuf>,
    pub test: Option<PathBuf>,
}

impl SplitFiles {
    pub fn find(dir: &Path) -> SplitFiles {
        let find = |stem: &str| {
            ["csv", "csv.gz", "tsv", "tsv.gz"]
                .iter()
                .map(|ext| dir.join(format!("{stem}.{ext}")))
                .find(|p| p.is_file())
        };
        SplitFiles {
            train: find("train"),
            dev: find("dev"),
            test: find("test"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, body: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, body).unwrap();
        p
    }

    #[test]
    fn gue_csv_and_kmer_tsv_give_the_same_ids() {
        let dir = tempfile::tempdir().unwrap();
        let tok = Tokenizer::dnabert6();
        let csv = write(dir.path(), "a.csv", "sequence,label\nACGTACGTA,1\n");
        let tsv = write(
            dir.path(),
            "a.tsv",
            "\"sequence\"\t\"label\"\n\"ACGTAC CGTACG GTACGT TACGTA\"\t\"1\"\n",
        );
        let a = LabeledSet::load(&csv, &tok).unwrap();
        let b = LabeledSet::load(&tsv, &tok).unwrap();
        assert_eq!(a.examples[0].ids, b.examples[0].ids);
        assert_eq!(a.examples[0].ids.len(), 4 + 2);
        assert_eq!(a.class_counts, [0, 1]);
    }

    #[test]
    fn label_out_of_range_names_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "t.csv",
            "sequence,label\nACGTACG,0\nACGTACG,2\n",
        );
        let set = LabeledSet::load(&p, &Tokenizer::dnabert6()).unwrap();
        let err = set.check_labels(2).unwrap_err().to_string();
        assert!(err.contains("t.csv") && err.contains("line 3"), "{err}");
        assert!(set.check_labels(3).is_ok());
    }

    #[test]
    fn spread_sample_keeps_both_classes_of_a_sorted_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut body = String::from("sequence,label\n");
        body += &"ACGTACGT,0\n".repeat(10);
        body += &"ACGTACGT,1\n".repeat(10);
        let set =
            LabeledSet::load(&write(dir.path(), "s.csv", &body), &Tokenizer::dnabert6()).unwrap();
        assert_eq!(set.spread_sample(4).class_counts, [2, 2]);
        assert_eq!(set.spread_sample(100).len(), 20);
    }

    #[test]
    fn a_sample_reports_its_own_truncated_and_unknown_counts() {
        let dir = tempfile::tempdir().unwrap();
        let long = "ACGT".repeat(200); // 795 6-mers: cut to the 510 a row holds
        let body = format!("sequence,label\n{long},0\nACGTNACGT,1\n{long},0\nACGTACGT,1\n");
        let set =
            LabeledSet::load(&write(dir.path(), "s.csv", &body), &Tokenizer::dnabert6()).unwrap();
        assert_eq!((set.truncated, set.unknown_tokens), (2, 4));
        let first_two = set.subset(&[0, 1]);
        assert_eq!((first_two.truncated, first_two.unknown_tokens), (1, 4));
        assert!(first_two.summary().contains("1 truncated, 4 [UNK] tokens"));
        let last = set.subset(&[3]);
        assert_eq!((last.truncated, last.unknown_tokens), (0, 0));
    }

    #[test]
    fn unlabelled_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "x.fa", ">a\nACGTACGT\n");
        let err = LabeledSet::load(&p, &Tokenizer::dnabert6())
            .unwrap_err()
            .to_string();
        assert!(err.contains("x.fa") && err.contains("label"), "{err}");
    }

    #[test]
    fn split_files_prefers_plain_and_accepts_gzip_or_tsv() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "train.csv.gz", "");
        write(dir.path(), "test.tsv", "");
        let s = SplitFiles::find(dir.path());
        assert!(s.train.unwrap().ends_with("train.csv.gz"));
        assert_eq!(s.dev, None);
        assert!(s.test.unwrap().ends_with("test.tsv"));
    }
}
