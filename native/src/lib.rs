//! The native side of cmgems: file formats, parallel counting, the model, the pretraining
//! loop, fine-tuning and the experiment: everything the `train` binary (`src/bin/train/`)
//! runs, so that tests and other front ends call it directly. Typed errors here; `anyhow`
//! only in the binary. Nothing here draws on the terminal: runs report to the observers of
//! [`events`], and the binary plugs in its progress bars and signal handling.

pub mod error;
pub mod events;
pub mod fasta;
pub mod files;
pub mod genome;
pub mod mask_job;
pub mod npmi_job;
pub mod optim;
pub mod sequences;
pub mod tables;

pub use error::{NativeError, Result};
#[cfg(feature = "train")]
pub mod backend;
#[cfg(feature = "train")]
pub mod experiment;
#[cfg(feature = "train")]
pub mod finetune;
#[cfg(feature = "train")]
pub mod hf;
#[cfg(feature = "train")]
pub mod model;
pub mod pretrain;
#[cfg(feature = "train")]
pub mod probe;
pub mod report;
pub mod svg;
#[cfg(feature = "train")]
pub mod training;
