//! The errors of the `.2bit` reader: what went wrong, at which byte, in which record.

use alloc::string::String;
use core::fmt;

/// What is wrong with a `.2bit` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TwoBitErrorKind {
    /// The first four bytes are not the signature in either byte order.
    BadMagic { found: u32 },
    /// A version other than 0 (32-bit offsets) or 1 (64-bit offsets).
    Version(u32),
    /// The file ends before a field it must hold.
    Truncated { what: &'static str, file_len: u64 },
    /// An index entry points past the end of the file.
    OffsetPastEnd { target: u64, file_len: u64 },
    /// Two records share a name.
    DuplicateName,
    /// An N or mask block outside the record, or N blocks out of order.
    BadBlock(String),
    /// A request for nucleotides outside the record (a caller's error, not the file's).
    Range { start: u64, end: u64, len: u64 },
}

/// A failure reading a `.2bit` file: the byte offset where it was found and, once the index
/// names one, the record it belongs to. Callers that know the file name add it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwoBitError {
    pub offset: u64,
    pub record: Option<String>,
    pub kind: TwoBitErrorKind,
}

impl TwoBitError {
    pub(crate) fn new(offset: u64, record: Option<&str>, kind: TwoBitErrorKind) -> TwoBitError {
        TwoBitError {
            offset,
            record: record.map(String::from),
            kind,
        }
    }
}

impl fmt::Display for TwoBitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "byte {}", self.offset)?;
        if let Some(r) = &self.record {
            write!(f, ", record `{r}`")?;
        }
        f.write_str(": ")?;
        match &self.kind {
            TwoBitErrorKind::BadMagic { found } => write!(
                f,
                "not a .2bit file (signature {found:#010x}, expected 0x1a412743)"
            ),
            TwoBitErrorKind::Version(v) => {
                write!(f, ".2bit version {v} is unknown (0 and 1 exist)")
            }
            TwoBitErrorKind::Truncated { what, file_len } => write!(
                f,
                "the file ends ({file_len} bytes) before {what}: truncated or not a .2bit file"
            ),
            TwoBitErrorKind::OffsetPastEnd { target, file_len } => write!(
                f,
                "the index points to byte {target}, past the end of the file ({file_len} bytes)"
            ),
            TwoBitErrorKind::DuplicateName => f.write_str("a second record of this name"),
            TwoBitErrorKind::BadBlock(m) => f.write_str(m),
            TwoBitErrorKind::Range { start, end, len } => write!(
                f,
                "nucleotides {start}..{end} requested from a record of {len}"
            ),
        }
    }
}

impl core::error::Error for TwoBitError {}
