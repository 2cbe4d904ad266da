//! n-gram counts of FASTA (or a raw sequence) that arrives in pieces: a dropped file read
//! chunk by chunk in a browser worker, never held whole.
//!
//! [`NgramCounts::count_window`] counts a window exactly when it can read up to k-1
//! letters past the window's end, so a record is counted up to its last k-1 letters
//! whenever the buffer is full, and those letters are carried into the next piece.

use super::fasta::{FastaEvent, FastaFramer};
use crate::npmi::counts::NgramCounts;
use crate::tokenize::kmer::K;
use alloc::vec::Vec;

/// Buffered letters of the current record counted at once.
const FLUSH_AT: usize = 1 << 20;

/// Streaming FASTA n-gram counter. Text without any `>` header is one record.
#[derive(Debug, Clone)]
pub struct FastaCounter {
    framer: FastaFramer,
    counts: NgramCounts,
    /// Letters of the current record not yet counted (at most FLUSH_AT + a line).
    pending: Vec<u8>,
    records: usize,
    seen_letters: bool,
}

impl FastaCounter {
    pub fn new(k: K) -> FastaCounter {
        FastaCounter {
            framer: FastaFramer::new(),
            counts: NgramCounts::new(k),
            pending: Vec::with_capacity(FLUSH_AT + 4096),
            records: 0,
            seen_letters: false,
        }
    }

    /// Feeds the next piece of the text.
    pub fn push(&mut self, text: &[u8]) {
        let mut framer = core::mem::take(&mut self.framer);
        framer.push(text, |e| self.on_event(e));
        self.framer = framer;
    }

    fn on_event(&mut self, event: FastaEvent<'_>) {
        match event {
            FastaEvent::Record { .. } => self.end_record(),
            FastaEvent::Letters { bytes, .. } => {
                for &b in bytes {
                    if matches!(b, b' ' | b'\t' | b'\r') {
                        continue;
                    }
                    if !self.seen_letters {
                        self.seen_letters = true;
                        self.records += 1;
                    }
                    self.pending.push(b);
                    if self.pending.len() >= FLUSH_AT {
                        self.flush_keeping_tail();
                    }
                }
            }
        }
    }

    fn flush_keeping_tail(&mut self) {
        let keep = self.counts.k().get() - 1;
        let end = self.pending.len().saturating_sub(keep);
        self.counts.count_window(&self.pending, 0, end);
        self.pending.drain(..end);
    }

    fn end_record(&mut self) {
        self.counts.count_record(&self.pending);
        self.pending.clear();
        self.seen_letters = false;
    }

    /// Letters fed so far (A/C/G/T or not), records counted or in progress.
    pub fn letters(&self) -> u64 {
        self.counts.nucleotides_seen() + self.pending.len() as u64
    }

    /// Records holding at least one letter, so far.
    pub fn records(&self) -> usize {
        self.records
    }

    /// Counts the last record and hands the counts over.
    pub fn finish(mut self) -> NgramCounts {
        self.end_record();
        self.counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::synthetic::{generate, SyntheticConfig};
    use alloc::format;

    #[test]
    fn chunked_fasta_counts_equal_counting_each_record_whole() {
        let recs = generate(&SyntheticConfig {
            records: 3,
            record_len: 3000,
            seed: 5,
            ..Default::default()
        });
        let mut text = Vec::new();
        for (i, r) in recs.iter().enumerate() {
            text.extend_from_slice(format!(">rec{i} some > description\r\n").as_bytes());
            for line in r.chunks(61) {
                text.extend_from_slice(line);
                text.push(b'\n');
            }
        }
        let mut want = NgramCounts::new(K::SIX);
        for r in &recs {
            want.count_record(r);
        }
        for chunk in [1usize, 7, 100, 4096, text.len()] {
            let mut c = FastaCounter::new(K::SIX);
            for piece in text.chunks(chunk) {
                c.push(piece);
            }
            assert_eq!(c.records(), 3);
            assert_eq!(c.finish(), want, "chunks of {chunk}");
        }
    }

    #[test]
    fn records_longer_than_the_buffer_are_counted_exactly() {
        let rec: Vec<u8> = generate(&SyntheticConfig {
            records: 1,
            record_len: FLUSH_AT * 2 + 123,
            seed: 9,
            ..Default::default()
        })
        .remove(0);
        let mut want = NgramCounts::new(K::new(4).unwrap());
        want.count_record(&rec);
        let mut c = FastaCounter::new(K::new(4).unwrap());
        for piece in rec.chunks(300_001) {
            c.push(piece);
        }
        assert_eq!(c.records(), 1);
        assert_eq!(c.finish(), want);
    }
}
