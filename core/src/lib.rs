//! cmgems-core: the pure, deterministic hot path of cmgems.
//!
//! Everything here follows docs/algorithms.md (the rules, as the papers describe them and as their authors coded them): DNABERT's k-mer vocabulary,
//! n-gram counts and NPMI tables, the five maskers (random span, GeneMask, GLOBAL, and the
//! CM-Step / CM-GEMS curricula that switch between them), the pretraining piece sampler,
//! the downstream metrics, the zero-shot probe's statistics and the unigram baseline of
//! masked-token perplexity. The crate is `no_std` + `alloc` and does no I/O, so the same
//! code runs in the native trainer and in the browser.
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod baseline;
pub mod counts;
pub mod curriculum;
pub mod error;
pub mod fewshot;
pub mod input;
pub mod kmer;
pub mod mask;
pub mod metrics;
pub mod npmi;
pub mod probe;
pub mod rank;
pub mod rng;
pub mod sampler;
pub mod switch;
pub mod synthetic;
pub mod table_io;
pub mod tokenizer;
pub mod vocab;

pub use baseline::{UnigramCounts, UnigramScorer};
pub use counts::NgramCounts;
pub use curriculum::{Curriculum, CurriculumConfig, SwitchEvent};
pub use error::CoreError;
pub use kmer::{Kmer, K};
pub use mask::{
    GlobalCount, MaskConfig, MaskStats, Masker, RandomIds, Selection, Strategy, IGNORE_LABEL,
};
pub use metrics::{ClassificationReport, ConfusionMatrix, PrfMacro};
pub use npmi::{spearman, NpmiRow, NpmiScore, NpmiTable, DEFAULT_MIN_COUNT};
pub use probe::{Features, LogisticConfig, Probe, ProbeReport};
pub use rank::{Rank, RankLookup, RankTable};
pub use rng::SeededRng;
pub use sampler::{Piece, PieceSampler, SamplerConfig};
pub use switch::SwitchThreshold;
pub use tokenizer::{Encoding, Tokenizer};
pub use vocab::{SpecialToken, Vocab};
