//! NPMI tables in and out: cmgems' own JSON format, and the GeneMask authors' CSV.
//!
//! # The `cmgems-npmi` JSON format, version 1
//!
//! One JSON object (UTF-8); the numbers below only illustrate the shape:
//!
//! ```json
//! {
//! "format": "cmgems-npmi",
//! "version": 1,
//! "k": 6,
//! "min_count": 101,
//! "source": "hg38 autosomes, counted by cmgems",
//! "totals": [669128276, 669128275, 669128274, 669128273, 669128272, 669128271],
//! "kmers": [
//! {"kmer": "CCTCCC", "rank": 1, "count": 446610, "pmi": 2.8491459183724803, "npmi": 2.1030761926846298},
//! {"kmer": "GGGAGG", "rank": 2, "count": null, "pmi": null, "npmi": 2.0930044199590903},
//! ...
//! ]
//! }
//! ```
//!
//! | member | type | meaning |
//! |---|---|---|
//! | `format` | string, required | exactly `"cmgems-npmi"` |
//! | `version` | integer, required | exactly `1` |
//! | `k` | integer, required | 3..=6 |
//! | `min_count` | integer ≥ 1, required | c of the NPMI formula; k-mers with f < c are unscored |
//! | `source` | string or null, optional | where the table came from, free text |
//! | `totals` | array of k integers or null, optional | N_1..N_k of the corpus |
//! | `kmers` | array of exactly 4^k objects, required, any order | one row per k-mer |
//!
//! Each row: `kmer` (string of k letters A/C/G/T, required, each k-mer exactly once),
//! `rank` (integer, required; the ranks are a permutation of 1..=4^k, 1 = highest NPMI),
//! `count` (integer or null), `pmi` and `npmi` (finite numbers or null; `npmi` null means
//! unscored). A missing nullable member reads as null. Integers are written without
//! fraction or exponent. Members not listed are ignored, so later versions may add some.
//!
//! Members may come in any order; naming one of the members above twice is an error.
//!
//! [`to_json`] writes the rows in rank order, one per line, and numbers in Rust's
//! shortest round-trip form, which serde_json reads back exactly (with its
//! `float_roundtrip` feature, on in the workspace), so `from_json(&to_json(t)) == t` bit
//! for bit.
//!
//! Errors are [`CoreError::Parse`](crate::CoreError::Parse) naming the member
//! (`kmers[17].rank` for a member of a row, `kmers[17]` for the row itself, `totals[1]`; no
//! member for text outside the object) and the 1-based line where reading stopped: the line
//! of the offending value or of an array item too many; for a missing member or too few
//! items, the line where the object or array closes. Ignored members are skipped without
//! recursion, so no nesting depth can overflow the stack.
//!
//! The files: `write` holds the writer ([`to_json`]), `read` the reader ([`from_json`]),
//! `seeds` the generic serde helpers the reader is built from, and `genemask_csv` the
//! authors' CSV reader ([`from_genemask_csv`]).

mod genemask_csv;
mod read;
mod seeds;
mod write;

pub use genemask_csv::{
    from_genemask_csv, GENEMASK_NGRAM_COLUMN, GENEMASK_NPMI_COLUMN, GENEMASK_PMI_COLUMN,
    GENEMASK_RANK_COLUMN,
};
pub use read::from_json;
pub use write::to_json;

/// The `format` tag of the JSON table.
pub const JSON_FORMAT: &str = "cmgems-npmi";
/// The version [`to_json`] writes and [`from_json`] reads.
pub const JSON_VERSION: u64 = 1;

#[cfg(test)]
mod tests;
