//! The maskers of docs/algorithms.md §3: random span (DNABERT), GeneMask, GLOBAL and RandomMask, and the 80/10/10
//! corruption that follows them.
//!
//! A masker first chooses a set of token positions, then corrupts it. Choosing is split
//! from corrupting so the inspector can show the choice alone, and the choices from given
//! centres are exposed as pure functions ([`random_span_from_centres`],
//! [`genemask_from_centres`], [`global_from_ranks`]) so they can be checked against plain
//! re-implementations of the papers' wording.

mod bits;
mod config;
mod corruption;
mod genemask;
mod global;
mod layout;
mod masker;
pub(crate) mod order;
mod pieces;
mod random_span;
mod randommask;
mod rows;
mod span;
mod stats;
mod strategy;
mod work;

pub use config::{GlobalCount, MaskConfig, RandomIds};
pub use corruption::{IGNORE_LABEL, MASK_SHARE, RANDOM_SHARE_OF_REST};
pub use genemask::{genemask_from_centres, GENEMASK_EXPAND_ALL_UP_TO};
pub use global::global_from_ranks;
pub use layout::is_maskable;
pub use masker::{Masker, Selection};
pub use pieces::{piece_seed, PieceKey, PieceStreams};
pub use random_span::random_span_from_centres;
pub use randommask::{randommask_from_centres, randommask_widening, RANDOMMASK_MAX_WIDENING};
pub use rows::{mask_rows, RowStreams, Rows, Streams};
pub use span::Geometry;
pub use stats::MaskStats;
pub use strategy::Strategy;

#[cfg(test)]
mod oracle;
#[cfg(test)]
mod tests;
