//! One input path for every front end: the CLI (`train mask`), the browser inspector and
//! the Python package ask the same questions of a text and get the same answers here.
//!
//! - [`crate::tokenize::form`] (the one rule below both input and tokenizer): is this
//!   text raw nucleotides or DNABERT k-mer text?
//! - [`fasta`]: FASTA framing (headers, comment lines, line breaks) over bytes that may
//!   arrive in pieces, so a dropped chromosome is never held whole.
//! - [`text`]: what a person pastes (FASTA, k-mer text or a raw sequence) read into
//!   records, or refused with a message they can act on.
//! - [`windows`]: a long record tiled into the model inputs a trainer would cut from it.
//! - [`counter`]: n-gram counts of FASTA that arrives in pieces.
//! - [`sampler`]: the pieces of a FASTA corpus that MLM pretraining draws.
//! - [`twobit`]: UCSC's `.2bit` genome store read over bytes (a memory mapping in
//!   `native`), and the packing its writer uses.
//! - [`genome`]: the pieces of a genome store as a pure function of (seed, epoch, index).
//! - [`synthetic`]: a seeded generator of DNA-like text with planted motifs, the corpus of
//!   the default jobs.
//!
//! File decoding (gzip, FASTQ) stays with the native reader; everything about what the
//! letters mean is here.

pub mod counter;
pub mod fasta;
pub mod genome;
pub mod sampler;
pub mod synthetic;
pub mod text;
pub mod twobit;
pub mod windows;

pub use counter::FastaCounter;
pub use fasta::{FastaEvent, FastaFramer};
pub use genome::{GenomePieces, GenomeSamplerConfig, HeldOutRegion, RecordLayout, Split};
pub use text::{read_text, Record, RecordSummary};
pub use twobit::{TwoBitError, TwoBitIndex};
pub use windows::{WindowSpec, Windows};
