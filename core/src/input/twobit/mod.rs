//! UCSC's `.2bit` genome store over a byte slice (docs/algorithms.md §5, "Genome store").
//!
//! The layout (UCSC `twoBit.h`): a 16-byte header (signature `0x1A412743` in the writer's
//! byte order, version, record count, reserved), then one index entry per record (name
//! length, name, offset of the record: 32 bits in version 0, 64 bits in version 1), then
//! per record its length, its N blocks, its soft-mask (lower-case) blocks, a reserved word
//! and the nucleotides packed four to a byte (T=0, C=1, A=2, G=3, first base in the high
//! bits). Records hold at most 2^32 − 1 nucleotides in either version.
//!
//! cmgems reads and writes the format itself rather than through the `twobit` crate
//! (crates.io, 0.2): that crate reads through `Read + Seek` into owned `String`s, knows
//! only version 0 and cannot write, whereas the trainers need decoding straight out of a
//! shared memory mapping (one copy of the genome in the page cache for every rank and
//! DataLoader worker), version 1 for stores over 4 GiB, and a streaming writer.
//!
//! - [`format`]: the constants and the bytes of headers and index entries, shared by the
//!   reader here and the writer in `native`; [`RecordEncoder`] packs one record's letters.
//! - [`index`]: [`TwoBitIndex`], the validated header, index and record headers.
//! - [`record`]: [`RecordView`], one record's blocks and the decoding of a range.
//! - [`error`]: [`TwoBitError`], every failure with its byte offset and record name.

pub mod error;
pub mod format;
pub mod index;
pub mod record;

pub use error::{TwoBitError, TwoBitErrorKind};
pub use format::{Letter, RecordEncoder};
pub use index::{RecordEntry, TwoBitIndex};
pub use record::RecordView;

#[cfg(test)]
mod tests;
