//! Browser bindings over `cmgems-core`: what the inspector page (www/) calls from its Web
//! Worker.
//!
//! Shaped like HuggingFace tokenizers' bindings (and `python/src` here): one module per core
//! stage the page binds, each only translating JavaScript values to core's and core's errors
//! to `JsError`. Tokenizing, tables, masking and curricula are core's.
//!
//! - [`input`]: pasted or dropped text read into sequences and cut into model inputs
//!   (`Sequences`, `TokenizedSequence`, `windowTokens`), and the page's built-in
//!   [`examples`](mod@input::examples).
//! - [`tokenize`]: vocabulary size and k-mer ids (`vocabSize`, `kmerId`).
//! - [`npmi`]: NPMI tables, built in, uploaded or counted from FASTA fed in chunks
//!   (`NpmiTable`, `TableBuilder`).
//! - [`mask`]: core's masker on one input (`Masker`, `MaskedInput`) and the page's lanes:
//!   per-token flags and sums of each strategy over a whole sequence (`maskLanes`,
//!   `LaneSet`; the pure part is [`mask::lanes`]).
//! - [`schedule`]: CM-Step and CM-GEMS replayed (`cmStepDraw`, `cmStepPGlobal`,
//!   `cmGemsSwitch`).
//! - [`eval`]: classification metrics (`classificationReport`).
//!
//! Shared helpers: `convert` (JavaScript numbers in, checked to be whole and below 2^53 so
//! the page never builds a BigInt; serde values out as plain objects) and `error` (every
//! failure a `JsError` carrying core's message).
//!
//! Every exported item is re-exported here, so Rust callers (web/tests) see the flat API
//! JavaScript sees.

mod convert;
mod error;
pub mod eval;
pub mod input;
pub mod mask;
pub mod npmi;
pub mod schedule;
pub mod tokenize;

pub use eval::classification_report;
pub use input::{examples, window_tokens, Sequences, TokenizedSequence};
pub use mask::{mask_lanes, LaneSet, MaskedInput, WebMasker};
pub use npmi::{TableBuilder, WebNpmiTable};
pub use schedule::{cm_gems_switch, cm_step_draw, cm_step_p_global, randommask_widening};
pub use tokenize::{kmer_id, vocab_size};

use wasm_bindgen::prelude::*;

/// Version of this crate, shown in the page footer.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").into()
}
