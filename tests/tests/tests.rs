//! The cross-crate tests: one test binary (as ripgrep's tests/tests.rs), one module per
//! subject. Helpers shared with the other crates' tests are in this crate's library.

mod dnabert_vocab;
mod human_npmi_vs_authors;
