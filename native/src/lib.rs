//! The native side of cmgems: file formats, parallel counting, and the jobs behind the
//! `train` binary. Typed errors here; `anyhow` only in `main.rs`.

pub mod error;
pub mod fasta;
pub mod files;
pub mod mask_job;
pub mod npmi_job;
pub mod sequences;
pub mod tables;

pub use error::{NativeError, Result};
#[cfg(feature = "train")]
pub mod backend;
#[cfg(feature = "train")]
pub mod finetune;
#[cfg(feature = "train")]
pub mod hf;
#[cfg(feature = "train")]
pub mod model;
pub mod pretrain;
pub mod report;
#[cfg(feature = "train")]
pub mod training;
