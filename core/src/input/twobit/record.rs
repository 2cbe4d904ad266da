//! One record of a `.2bit` file: its N and soft-mask blocks and its nucleotides, decoded
//! from the file's bytes on demand.

use super::error::{TwoBitError, TwoBitErrorKind as Kind};
use super::format::PACKED_LETTERS;
use super::index::{Fields, RecordEntry};
use alloc::format;
use alloc::vec::Vec;
use core::ops::Range;

/// The four letters of every packed byte, first base in the high bits.
const UNPACK: [[u8; 4]; 256] = {
    let mut t = [[0u8; 4]; 256];
    let mut b = 0;
    while b < 256 {
        let mut j = 0;
        while j < 4 {
            t[b][j] = PACKED_LETTERS[(b >> (6 - 2 * j)) & 3];
            j += 1;
        }
        b += 1;
    }
    t
};

/// Writes the letters of `packed` from its `skip`-th on into `out`, four a byte: a copy per
/// byte rather than a branch per letter (decoding is most of what reading a piece costs).
/// `packed` holds at least `skip + out.len()` letters.
fn unpack(packed: &[u8], skip: usize, out: &mut [u8]) {
    let Some((&first, rest)) = packed.split_first() else {
        return;
    };
    let head = (4 - skip).min(out.len());
    out[..head].copy_from_slice(&UNPACK[first as usize][skip..skip + head]);
    // Whole bytes as fixed four-letter copies (a store each, no call), then the tail.
    let mut chunks = out[head..].chunks_exact_mut(4);
    let mut rest = rest.iter();
    for (letters, &b) in (&mut chunks).zip(&mut rest) {
        letters.copy_from_slice(&UNPACK[b as usize]);
    }
    let tail = chunks.into_remainder();
    if let Some(&b) = rest.next() {
        tail.copy_from_slice(&UNPACK[b as usize][..tail.len()]);
    }
}

/// A record over the file's bytes (see [`super::TwoBitIndex::view`]).
pub struct RecordView<'a> {
    f: Fields<'a>,
    entry: &'a RecordEntry,
}

/// Which block list.
#[derive(Clone, Copy)]
enum Blocks {
    N,
    Mask,
}

impl<'a> RecordView<'a> {
    pub(crate) fn new(f: Fields<'a>, entry: &'a RecordEntry) -> RecordView<'a> {
        RecordView { f, entry }
    }

    /// The record's name.
    pub fn name(&self) -> &'a str {
        &self.entry.name
    }

    /// Nucleotides in the record.
    pub fn len(&self) -> u64 {
        self.entry.len
    }

    /// True for a record of no nucleotides.
    pub fn is_empty(&self) -> bool {
        self.entry.len == 0
    }

    fn block(&self, which: Blocks, i: usize) -> Result<Range<u64>, TwoBitError> {
        let (count, starts, what) = match which {
            Blocks::N => (self.entry.n_count, self.entry.n_starts, "an N block"),
            Blocks::Mask => (
                self.entry.mask_count,
                self.entry.mask_starts,
                "a mask block",
            ),
        };
        let r = Some(self.entry.name.as_str());
        let at = starts + 4 * i as u64;
        let start = u64::from(self.f.u32(at, what, r)?);
        let size = u64::from(self.f.u32(at + 4 * u64::from(count), what, r)?);
        if start + size > self.entry.len {
            let msg = format!(
                "{what} ({start}..{}) passes the end of the record ({} nucleotides)",
                start + size,
                self.entry.len
            );
            return Err(TwoBitError::new(at, r, Kind::BadBlock(msg)));
        }
        Ok(start..start + size)
    }

    /// The N runs, in order (checked in order and inside the record when the index was
    /// read).
    pub fn n_blocks(&self) -> impl Iterator<Item = Result<Range<u64>, TwoBitError>> + '_ {
        (0..self.entry.n_count as usize).map(|i| self.block(Blocks::N, i))
    }

    /// The soft-masked (lower-case) runs, in file order; one outside the record is an error.
    pub fn mask_blocks(&self) -> impl Iterator<Item = Result<Range<u64>, TwoBitError>> + '_ {
        (0..self.entry.mask_count as usize).map(|i| self.block(Blocks::Mask, i))
    }

    /// The N runs collected.
    pub fn n_runs(&self) -> Result<Vec<Range<u64>>, TwoBitError> {
        self.n_blocks().collect()
    }

    fn check_range(&self, range: &Range<u64>) -> Result<(), TwoBitError> {
        if range.start > range.end || range.end > self.entry.len {
            let kind = Kind::Range {
                start: range.start,
                end: range.end,
                len: self.entry.len,
            };
            return Err(TwoBitError::new(
                self.entry.offset,
                Some(&self.entry.name),
                kind,
            ));
        }
        Ok(())
    }

    /// Appends nucleotides `range` to `out` as upper-case A/C/G/T and N: soft-masked
    /// letters are ordinary nucleotides here ([`RecordView::apply_soft_mask`] restores case).
    pub fn decode(&self, range: Range<u64>, out: &mut Vec<u8>) -> Result<(), TwoBitError> {
        self.check_range(&range)?;
        let base = out.len();
        let r = Some(self.entry.name.as_str());
        if range.start < range.end {
            let first = range.start / 4;
            let last = (range.end - 1) / 4;
            let packed = self.f.slice(
                self.entry.packed + first,
                last - first + 1,
                "nucleotides",
                r,
            )?;
            let skip = (range.start % 4) as usize;
            let want = (range.end - range.start) as usize;
            out.resize(base + want, 0);
            unpack(packed, skip, &mut out[base..]);
        }
        // N blocks overlapping the range: the first whose end passes range.start onwards.
        let n = self.entry.n_count as usize;
        let (mut lo, mut hi) = (0, n);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if self.block(Blocks::N, mid)?.end <= range.start {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        for i in lo..n {
            let block = self.block(Blocks::N, i)?;
            if block.start >= range.end {
                break;
            }
            let s = (block.start.max(range.start) - range.start) as usize;
            let e = (block.end.min(range.end) - range.start) as usize;
            out[base + s..base + e].fill(b'N');
        }
        Ok(())
    }

    /// Lower-cases the soft-masked letters of `letters`, which hold nucleotides `range`
    /// (as [`RecordView::decode`] wrote them): the record as its FASTA spelled it.
    pub fn apply_soft_mask(
        &self,
        range: Range<u64>,
        letters: &mut [u8],
    ) -> Result<(), TwoBitError> {
        self.check_range(&range)?;
        for block in self.mask_blocks() {
            let block = block?;
            let (s, e) = (block.start.max(range.start), block.end.min(range.end));
            if s < e {
                let (s, e) = ((s - range.start) as usize, (e - range.start) as usize);
                letters[s..e].make_ascii_lowercase();
            }
        }
        Ok(())
    }
}
