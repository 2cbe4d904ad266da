//! Text to model ids: k and k-mers as types, DNABERT's vocabulary, the rule that tells raw
//! nucleotides from k-mer text, and the tokenizer that turns either into
//! `[CLS] k-mer ids [SEP] [PAD]..`.
//!
//! - [`kmer`]: k, k-mers and their 2-bit codes in DNABERT's ATCG order.
//! - [`vocab`]: the 5 special tokens, then every k-mer.
//! - [`form`]: is this text raw nucleotides or DNABERT k-mer text? (Here rather than in
//!   `input` because the tokenizer branches on it and reports it in its `Encoding`; `input`
//!   builds on the tokenizer, so the rule sits below both.)
//! - [`tokenizer`]: sequences to ids and back.

pub mod form;
pub mod kmer;
pub mod tokenizer;
pub mod vocab;
