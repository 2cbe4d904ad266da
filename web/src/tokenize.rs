//! Bindings of core's tokenize stage (`kmer`, `vocab`): the vocabulary's size and one
//! k-mer's id, so the page never restates the vocabulary layout.

use crate::convert::k_of;
use crate::error::js_err;
use cmgems_core::tokenize::kmer::Kmer;
use cmgems_core::tokenize::vocab::Vocab;
use wasm_bindgen::prelude::*;

/// Size of the vocabulary for k (specials + 4^k k-mers): the length of an array indexed
/// by token id.
#[wasm_bindgen(js_name = vocabSize)]
pub fn vocab_size(k: usize) -> Result<usize, JsError> {
    Ok(Vocab::new(k_of(k)?).size())
}

/// The token id of one k-mer, e.g. `kmerId("CCTCCC")`: the vocabulary layout stays in core.
#[wasm_bindgen(js_name = kmerId)]
pub fn kmer_id(kmer: &str) -> Result<u32, JsError> {
    let k = k_of(kmer.len())?;
    let kmer = Kmer::parse(k, kmer).map_err(js_err)?;
    Ok(Vocab::new(k).id(kmer))
}
