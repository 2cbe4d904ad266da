//! cmgems-core: the pure, deterministic hot path of cmgems.
//!
//! Everything here follows docs/algorithms.md (the rules, as the papers describe them and as their authors coded them): DNABERT's k-mer vocabulary,
//! n-gram counts and NPMI tables, the five maskers (random span, GeneMask, GLOBAL, and the
//! CM-Step / CM-GEMS curricula that switch between them), the pretraining piece sampler,
//! the downstream metrics, the zero-shot probe's statistics and the unigram baseline of
//! masked-token perplexity. The crate is `no_std` + `alloc` and does no I/O, so the same
//! code runs in the native trainer and in the browser.
//!
//! # Stages
//!
//! The modules are grouped by the stage of the pipeline they serve. Imports go one way,
//! from a stage to the stages listed before it (never back), besides the cross-cutting
//! [`error`] and [`rng`] that every stage may use:
//!
//! 1. [`tokenize`]: k-mers, the vocabulary, the raw-or-k-mer-text rule, the tokenizer.
//! 2. [`npmi`]: n-gram counts, NPMI scores and ranks, the table files (uses `tokenize`).
//! 3. [`input`]: FASTA framing, pasted text, windows, streaming counts, the pretraining
//!    sampler and the synthetic corpus (uses `tokenize`, and `npmi` for counts and ranks).
//! 4. [`mask`]: the maskers (uses `tokenize`, `npmi`'s ranks).
//! 5. [`schedule`]: which masker each batch uses (uses `mask`).
//! 6. [`eval`]: metrics, the zero-shot probe, the unigram baseline, the few-shot draw and
//!    Spearman's ρ (uses `tokenize`, `npmi`'s ranks, `mask`'s ignore label).
//!
//! The key types are re-exported at the crate root.
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod error;
pub mod eval;
pub mod input;
pub mod mask;
pub mod npmi;
pub mod rng;
pub mod schedule;
pub mod tokenize;

pub use error::CoreError;
pub use eval::baseline::{UnigramCounts, UnigramScorer};
pub use eval::metrics::{ClassificationReport, ConfusionMatrix, PrfMacro};
pub use eval::probe::{Features, LogisticConfig, Probe, ProbeReport};
pub use eval::stats::spearman;
pub use input::sampler::{Piece, PieceSampler, SamplerConfig};
pub use mask::{
    GlobalCount, MaskConfig, MaskStats, Masker, RandomIds, Selection, Strategy, IGNORE_LABEL,
};
pub use npmi::counts::NgramCounts;
pub use npmi::rank::{Rank, RankLookup, RankTable};
pub use npmi::{NpmiRow, NpmiScore, NpmiTable, DEFAULT_MIN_COUNT};
pub use rng::SeededRng;
pub use schedule::curriculum::{Curriculum, CurriculumConfig, SwitchEvent};
pub use schedule::switch::SwitchThreshold;
pub use tokenize::kmer::{Kmer, K};
pub use tokenize::tokenizer::{Encoding, Tokenizer};
pub use tokenize::vocab::{SpecialToken, Vocab};
