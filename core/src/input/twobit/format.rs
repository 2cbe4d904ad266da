//! The bytes of the `.2bit` format, for the reader here and the streaming writer in
//! `native`: header, index entries, record headers and the 2-bit packing of one record.

use alloc::vec::Vec;

/// The signature, read in the writer's byte order (a reader that sees it byte-swapped
/// reads every field big-endian).
pub const SIGNATURE: u32 = 0x1A41_2743;
/// Bytes of the file header: signature, version, record count, reserved.
pub const HEADER_LEN: u64 = 16;
/// The longest record name an index entry can hold (its length is one byte).
pub const MAX_NAME_LEN: usize = 255;
/// The packed code of each nucleotide: T=0, C=1, A=2, G=3 (UCSC's order).
pub const PACKED_LETTERS: [u8; 4] = *b"TCAG";

/// How the writer reads one FASTA byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Letter {
    /// A, C, G or T in either case: its packed code.
    Base(u8),
    /// N or n.
    N,
    /// An IUPAC ambiguity code (R Y K M S W B D H V, either case): stored as N, as UCSC's
    /// `faToTwoBit` does, since a 2-bit code cannot hold it.
    Ambiguous,
    /// Anything else (digits, `-`, `*`, `.`): not a nucleotide, refused.
    Invalid,
}

impl Letter {
    /// The class of byte `b`.
    pub fn of(b: u8) -> Letter {
        match b.to_ascii_uppercase() {
            b'T' => Letter::Base(0),
            b'C' => Letter::Base(1),
            b'A' => Letter::Base(2),
            b'G' => Letter::Base(3),
            b'N' => Letter::N,
            b'R' | b'Y' | b'K' | b'M' | b'S' | b'W' | b'B' | b'D' | b'H' | b'V' => {
                Letter::Ambiguous
            }
            _ => Letter::Invalid,
        }
    }
}

/// The file header: signature, version, record count, reserved (little-endian).
pub fn header(version: u32, records: u32) -> [u8; HEADER_LEN as usize] {
    let mut h = [0u8; HEADER_LEN as usize];
    h[0..4].copy_from_slice(&SIGNATURE.to_le_bytes());
    h[4..8].copy_from_slice(&version.to_le_bytes());
    h[8..12].copy_from_slice(&records.to_le_bytes());
    h
}

/// Bytes of the index entry of a record named `name` (at most [`MAX_NAME_LEN`] bytes).
pub fn index_entry_len(name: &str, version: u32) -> u64 {
    1 + name.len() as u64 + if version == 0 { 4 } else { 8 }
}

/// Appends the index entry of record `name` at byte `offset` to `out`.
pub fn index_entry(name: &str, offset: u64, version: u32, out: &mut Vec<u8>) {
    debug_assert!(name.len() <= MAX_NAME_LEN);
    out.push(name.len() as u8);
    out.extend_from_slice(name.as_bytes());
    if version == 0 {
        out.extend_from_slice(&(offset as u32).to_le_bytes());
    } else {
        out.extend_from_slice(&offset.to_le_bytes());
    }
}

/// A record's letters as the format stores them: length, N and mask blocks as
/// (start, size), the packed nucleotides.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EncodedRecord {
    pub dna_size: u32,
    pub n_blocks: Vec<(u32, u32)>,
    pub mask_blocks: Vec<(u32, u32)>,
    /// Letters stored as N because they were IUPAC codes, and the first one's position.
    pub ambiguous: u64,
    pub first_ambiguous: Option<u32>,
}

impl EncodedRecord {
    /// Bytes of the record header (everything before the packed nucleotides).
    pub fn header_len(&self) -> u64 {
        16 + 8 * (self.n_blocks.len() + self.mask_blocks.len()) as u64
    }

    /// Bytes of the packed nucleotides.
    pub fn packed_len(&self) -> u64 {
        u64::from(self.dna_size).div_ceil(4)
    }

    /// Appends the record header (little-endian) to `out`.
    pub fn write_header(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.dna_size.to_le_bytes());
        for blocks in [&self.n_blocks, &self.mask_blocks] {
            out.extend_from_slice(&(blocks.len() as u32).to_le_bytes());
            for (start, _) in blocks.iter() {
                out.extend_from_slice(&start.to_le_bytes());
            }
            for (_, size) in blocks.iter() {
                out.extend_from_slice(&size.to_le_bytes());
            }
        }
        out.extend_from_slice(&0u32.to_le_bytes());
    }
}

/// Why a letter could not be stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncodeError {
    /// Byte `byte` at 0-based `position` of the record is not a nucleotide letter.
    Invalid { position: u64, byte: u8 },
    /// The record passes 2^32 − 1 nucleotides, the most a `.2bit` record holds.
    TooLong,
}

/// Packs one record's letters as they stream in, recording N runs and lower-case runs, so
/// no record is ever held as text. Packed bytes are handed to the caller as they fill.
#[derive(Debug, Clone, Default)]
pub struct RecordEncoder {
    record: EncodedRecord,
    len: u64,
    acc: u8,
    n_start: Option<u64>,
    mask_start: Option<u64>,
}

impl RecordEncoder {
    /// Packs `letters` (the next letters of the record, no line breaks), appending whole
    /// packed bytes to `packed`.
    pub fn push(&mut self, letters: &[u8], packed: &mut Vec<u8>) -> Result<(), EncodeError> {
        if self.len + letters.len() as u64 > u64::from(u32::MAX) {
            return Err(EncodeError::TooLong);
        }
        for &b in letters {
            let pos = self.len;
            let code = match Letter::of(b) {
                Letter::Base(c) => {
                    self.close_n(pos);
                    c
                }
                Letter::N | Letter::Ambiguous => {
                    if Letter::of(b) == Letter::Ambiguous {
                        self.record.ambiguous += 1;
                        self.record.first_ambiguous.get_or_insert(pos as u32);
                    }
                    self.n_start.get_or_insert(pos);
                    0
                }
                Letter::Invalid => {
                    return Err(EncodeError::Invalid {
                        position: pos,
                        byte: b,
                    })
                }
            };
            if b.is_ascii_lowercase() {
                self.mask_start.get_or_insert(pos);
            } else if let Some(s) = self.mask_start.take() {
                self.record.mask_blocks.push((s as u32, (pos - s) as u32));
            }
            self.acc = (self.acc << 2) | code;
            self.len += 1;
            if self.len.is_multiple_of(4) {
                packed.push(self.acc);
                self.acc = 0;
            }
        }
        Ok(())
    }

    fn close_n(&mut self, pos: u64) {
        if let Some(s) = self.n_start.take() {
            self.record.n_blocks.push((s as u32, (pos - s) as u32));
        }
    }

    /// Letters pushed so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True before the first letter.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Ends the record: flushes the last partial byte (first base in the high bits) into
    /// `packed`, closes open runs and returns the record's header fields.
    pub fn finish(mut self, packed: &mut Vec<u8>) -> EncodedRecord {
        let rem = self.len % 4;
        if rem != 0 {
            packed.push(self.acc << (2 * (4 - rem)));
        }
        let end = self.len;
        self.close_n(end);
        if let Some(s) = self.mask_start.take() {
            self.record.mask_blocks.push((s as u32, (end - s) as u32));
        }
        self.record.dna_size = end as u32;
        self.record
    }
}

/// The version and the offset of every record when `records` (name and header fields)
/// are written in order after the header and index: version 0 unless a record would start
/// at or past 4 GiB, which needs version 1's 64-bit offsets.
pub fn layout(records: &[(&str, &EncodedRecord)]) -> (u32, Vec<u64>) {
    let offsets = |version: u32| -> Vec<u64> {
        let index: u64 = records
            .iter()
            .map(|(name, _)| index_entry_len(name, version))
            .sum();
        let mut at = HEADER_LEN + index;
        records
            .iter()
            .map(|(_, r)| {
                let here = at;
                at += r.header_len() + r.packed_len();
                here
            })
            .collect()
    };
    let v0 = offsets(0);
    if v0.iter().all(|&o| o <= u64::from(u32::MAX)) {
        (0, v0)
    } else {
        (1, offsets(1))
    }
}
