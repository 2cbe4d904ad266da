//! native's integration tests: one test binary (as ripgrep's tests/tests.rs), one module per
//! subject, the shared harness in `common`. One binary links burn once, where one binary per
//! file linked it eleven times.

mod common;

mod bad_inputs;
mod cli;
mod data_parallel;
mod experiment;
mod finetune;
mod genome;
mod golden;
mod hf_names;
mod hf_python;
mod mask_windows;
mod pretrain;
mod training_parity;
