//! Which masker each batch uses (docs/algorithms.md §4).
//!
//! - [`curriculum`]: the time-variant masking schedule (CM-Step, CM-GEMS) as a pure,
//!   serialisable state machine.
//! - [`switch`]: CM-GEMS's rule for when a drop in held-out perplexity is "flat".
//! - `cli` (the `cli` feature): a curriculum's command-line flags.

#[cfg(feature = "cli")]
mod cli;
pub mod curriculum;
pub mod switch;
