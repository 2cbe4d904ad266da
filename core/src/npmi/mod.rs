//! The NPMI stage (docs/algorithms.md §2): n-gram counts of a corpus, the NPMI score of every
//! k-mer, the rank table the maskers read, and the table's files.
//!
//! - [`counts`]: n-gram counts for n = 1..=k.
//! - [`score`]: the NPMI table computed from counts (its public items are re-exported here,
//!   so `npmi::NpmiTable` names it).
//! - [`rank`]: NPMI ranks as the maskers consume them.
//! - [`table_io`]: cmgems' JSON format (read and written) and the GeneMask authors' CSV.

mod advice;
pub mod counts;
pub mod rank;
pub mod score;
pub mod table_io;

pub use score::{NpmiRow, NpmiScore, NpmiTable, DEFAULT_MIN_COUNT};
