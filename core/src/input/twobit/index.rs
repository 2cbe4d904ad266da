//! The header, index and record headers of a `.2bit` file, read and checked once so every
//! later decode is a few lookups into the bytes.

use super::error::{TwoBitError, TwoBitErrorKind as Kind};
use super::format::{HEADER_LEN, SIGNATURE};
use super::record::RecordView;
use crate::input::genome::RecordLayout;
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// Where one record's parts lie in the file (all offsets in bytes from its start).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordEntry {
    pub name: String,
    /// Nucleotides in the record.
    pub len: u64,
    /// Offset of the record header (the index's pointer).
    pub offset: u64,
    pub(crate) n_count: u32,
    pub(crate) n_starts: u64,
    pub(crate) mask_count: u32,
    pub(crate) mask_starts: u64,
    pub(crate) packed: u64,
}

impl RecordEntry {
    /// Number of N blocks.
    pub fn n_block_count(&self) -> usize {
        self.n_count as usize
    }

    /// Number of soft-mask (lower-case) blocks.
    pub fn mask_block_count(&self) -> usize {
        self.mask_count as usize
    }
}

/// A validated `.2bit` index: owns no genome bytes, so it lives beside a memory mapping
/// and is handed the mapping's bytes again for every decode ([`TwoBitIndex::view`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwoBitIndex {
    big_endian: bool,
    version: u32,
    file_len: u64,
    records: Vec<RecordEntry>,
    by_name: BTreeMap<String, usize>,
}

/// Reads fixed-width fields in the file's byte order, failing with the offset.
pub(crate) struct Fields<'a> {
    pub bytes: &'a [u8],
    pub big_endian: bool,
}

impl Fields<'_> {
    pub fn u32(
        &self,
        at: u64,
        what: &'static str,
        record: Option<&str>,
    ) -> Result<u32, TwoBitError> {
        let b = self.slice(at, 4, what, record)?;
        let b = [b[0], b[1], b[2], b[3]];
        Ok(if self.big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    }

    pub fn u64(
        &self,
        at: u64,
        what: &'static str,
        record: Option<&str>,
    ) -> Result<u64, TwoBitError> {
        let (a, b) = (self.u32(at, what, record)?, self.u32(at + 4, what, record)?);
        // UCSC writes a 64-bit offset as one native-order word.
        Ok(if self.big_endian {
            (u64::from(a) << 32) | u64::from(b)
        } else {
            (u64::from(b) << 32) | u64::from(a)
        })
    }

    pub fn slice(
        &self,
        at: u64,
        len: u64,
        what: &'static str,
        record: Option<&str>,
    ) -> Result<&[u8], TwoBitError> {
        let file_len = self.bytes.len() as u64;
        match at.checked_add(len) {
            Some(end) if end <= file_len => Ok(&self.bytes[at as usize..end as usize]),
            _ => Err(TwoBitError::new(
                at,
                record,
                Kind::Truncated { what, file_len },
            )),
        }
    }
}

impl TwoBitIndex {
    /// Reads and checks the header, the index and every record header of `bytes`: the
    /// signature (either byte order), version 0 or 1, unique names, offsets inside the
    /// file, N blocks in order inside their record, every block array and the packed
    /// nucleotides inside the file.
    pub fn parse(bytes: &[u8]) -> Result<TwoBitIndex, TwoBitError> {
        let file_len = bytes.len() as u64;
        let sig = Fields {
            bytes,
            big_endian: false,
        }
        .u32(0, "the signature", None)?;
        let big_endian = match sig {
            SIGNATURE => false,
            s if s.swap_bytes() == SIGNATURE => true,
            found => return Err(TwoBitError::new(0, None, Kind::BadMagic { found })),
        };
        let f = Fields { bytes, big_endian };
        let version = f.u32(4, "the version", None)?;
        if version > 1 {
            return Err(TwoBitError::new(4, None, Kind::Version(version)));
        }
        let count = f.u32(8, "the record count", None)?;
        f.slice(12, 4, "the end of the header", None)?;
        let mut index = TwoBitIndex {
            big_endian,
            version,
            file_len,
            records: Vec::new(),
            by_name: BTreeMap::new(),
        };
        let mut at = HEADER_LEN;
        for _ in 0..count {
            let name_len = f.slice(at, 1, "an index entry", None)?[0];
            let name = f.slice(at + 1, u64::from(name_len), "a record name", None)?;
            let name = String::from_utf8_lossy(name).into_owned();
            let ptr_at = at + 1 + u64::from(name_len);
            let offset = if version == 0 {
                u64::from(f.u32(ptr_at, "a record offset", Some(&name))?)
            } else {
                f.u64(ptr_at, "a record offset", Some(&name))?
            };
            if index
                .by_name
                .insert(name.clone(), index.records.len())
                .is_some()
            {
                return Err(TwoBitError::new(at, Some(&name), Kind::DuplicateName));
            }
            if offset >= file_len {
                let kind = Kind::OffsetPastEnd {
                    target: offset,
                    file_len,
                };
                return Err(TwoBitError::new(ptr_at, Some(&name), kind));
            }
            index.records.push(record_entry(&f, name, offset)?);
            at = ptr_at + if version == 0 { 4 } else { 8 };
        }
        Ok(index)
    }

    /// The records, in file order.
    pub fn records(&self) -> &[RecordEntry] {
        &self.records
    }

    /// The index of the record named `name`.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    /// 0 (32-bit offsets) or 1 (64-bit offsets).
    pub fn version(&self) -> u32 {
        self.version
    }

    /// Total nucleotides over all records.
    pub fn total_len(&self) -> u64 {
        self.records.iter().map(|r| r.len).sum()
    }

    /// Every record's name, length and N runs: what [`crate::input::genome::GenomePieces`]
    /// cuts (read from the record headers only, never the nucleotides).
    pub fn layouts(&self, bytes: &[u8]) -> Result<Vec<RecordLayout>, TwoBitError> {
        (0..self.records.len())
            .map(|i| {
                let view = self.view(bytes, i)?;
                Ok(RecordLayout {
                    name: view.name().into(),
                    len: view.len(),
                    n_runs: view.n_runs()?,
                })
            })
            .collect()
    }

    /// Record `i` over `bytes`, which must be the bytes this index was parsed from (a
    /// slice of another length is refused; one of the same length is the caller's bug).
    pub fn view<'a>(&'a self, bytes: &'a [u8], i: usize) -> Result<RecordView<'a>, TwoBitError> {
        if bytes.len() as u64 != self.file_len {
            let kind = Kind::Truncated {
                what: "the end the index was read with",
                file_len: bytes.len() as u64,
            };
            return Err(TwoBitError::new(bytes.len() as u64, None, kind));
        }
        let entry = self.records.get(i).ok_or_else(|| {
            let kind = Kind::BadBlock(format!(
                "no record {i}: the file has {}",
                self.records.len()
            ));
            TwoBitError::new(HEADER_LEN, None, kind)
        })?;
        Ok(RecordView::new(
            Fields {
                bytes,
                big_endian: self.big_endian,
            },
            entry,
        ))
    }
}

/// Reads and checks the header of the record at `offset`.
fn record_entry(f: &Fields, name: String, offset: u64) -> Result<RecordEntry, TwoBitError> {
    let label = name.clone();
    let r = Some(label.as_str());
    let len = u64::from(f.u32(offset, "a record length", r)?);
    let n_count = f.u32(offset + 4, "an N block count", r)?;
    let n_starts = offset + 8;
    f.slice(n_starts, 8 * u64::from(n_count), "the N blocks", r)?;
    let mask_at = n_starts + 8 * u64::from(n_count);
    let mask_count = f.u32(mask_at, "a mask block count", r)?;
    let mask_starts = mask_at + 4;
    f.slice(mask_starts, 8 * u64::from(mask_count), "the mask blocks", r)?;
    let packed = mask_starts + 8 * u64::from(mask_count) + 4;
    f.slice(packed - 4, 4 + len.div_ceil(4), "the packed nucleotides", r)?;
    let entry = RecordEntry {
        name,
        len,
        offset,
        n_count,
        n_starts,
        mask_count,
        mask_starts,
        packed,
    };
    let view = RecordView::new(
        Fields {
            bytes: f.bytes,
            big_endian: f.big_endian,
        },
        &entry,
    );
    let mut end = 0;
    for (i, block) in view.n_blocks().enumerate() {
        let block = block?;
        if block.start < end || block.end > len {
            let at = n_starts + 4 * i as u64;
            let msg = format!(
                "N block {i} ({}..{}) is out of order or outside the record of {len} nucleotides",
                block.start, block.end
            );
            return Err(TwoBitError::new(at, r, Kind::BadBlock(msg)));
        }
        end = block.end;
    }
    Ok(entry)
}
