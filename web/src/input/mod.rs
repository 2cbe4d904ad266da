//! Bindings of core's input stage (`input`: text reading and model-input windows): what a
//! person pastes or drops, read into sequences and cut into the 510-token inputs a trainer
//! would feed (docs/algorithms.md §1). [`mod@examples`] holds the texts the page offers.

pub mod examples;

use crate::convert::{k_of, to_js};
use crate::error::js_err;
use crate::npmi::WebNpmiTable;
use cmgems_core::input::{self, WindowSpec, Windows};
use cmgems_core::tokenize::kmer::K;
use wasm_bindgen::prelude::*;

/// k-mer tokens per model input (510).
#[wasm_bindgen(js_name = windowTokens)]
pub fn window_tokens() -> usize {
    WindowSpec::MAX_LENGTH
}

/// The built-in examples for k: `[{name, description, text}]`.
#[wasm_bindgen]
pub fn examples(k: usize) -> Result<JsValue, JsError> {
    to_js(&examples::examples(k_of(k)?))
}

/// Pasted or dropped text read as one or more sequences.
#[wasm_bindgen]
pub struct Sequences {
    records: Vec<input::Record>,
    k: K,
}

#[wasm_bindgen]
impl Sequences {
    /// Reads FASTA, k-mer text or a raw sequence; a message in words when it is not DNA.
    #[wasm_bindgen(constructor)]
    pub fn new(text: &str, k: usize) -> Result<Sequences, JsError> {
        let k = k_of(k)?;
        let records = input::read_text(text, k).map_err(js_err)?;
        Ok(Sequences { records, k })
    }

    /// Number of records.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.records.len()
    }

    /// `[{name, length, other_letters}]`, for the record picker.
    pub fn summaries(&self) -> Result<JsValue, JsError> {
        let s: Vec<_> = self.records.iter().map(|r| r.summary()).collect();
        to_js(&s)
    }

    /// Record `index` as model inputs of 510 tokens.
    pub fn tokenize(&self, index: usize) -> Result<TokenizedSequence, JsError> {
        let r = self.records.get(index).ok_or_else(|| {
            JsError::new(&format!(
                "record {index} does not exist ({} records)",
                self.records.len()
            ))
        })?;
        let windows = Windows::new(&r.seq, self.k, WindowSpec::default()).map_err(js_err)?;
        Ok(TokenizedSequence {
            name: r.name.clone(),
            seq: r.seq.clone(),
            windows,
        })
    }
}

/// One sequence cut into model inputs (core's `input::Windows`).
#[wasm_bindgen]
pub struct TokenizedSequence {
    name: String,
    seq: Vec<u8>,
    pub(crate) windows: Windows,
}

#[wasm_bindgen]
impl TokenizedSequence {
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.name.clone()
    }

    #[wasm_bindgen(getter)]
    pub fn k(&self) -> usize {
        self.windows.k().get()
    }

    /// k-mer tokens (n - k + 1).
    #[wasm_bindgen(getter)]
    pub fn tokens(&self) -> usize {
        self.windows.tokens()
    }

    /// Model inputs (of at most 510 tokens).
    #[wasm_bindgen(getter)]
    pub fn inputs(&self) -> usize {
        self.windows.count()
    }

    /// [UNK] tokens.
    #[wasm_bindgen(getter)]
    pub fn unknown(&self) -> usize {
        self.windows.unknown()
    }

    /// The letters (upper case), one byte each.
    pub fn nucleotides(&self) -> Vec<u8> {
        self.seq.clone()
    }

    /// Token ids of the whole sequence ([UNK] = 1), specials between inputs left out.
    #[wasm_bindgen(js_name = kmerIds)]
    pub fn kmer_ids(&self) -> Vec<u32> {
        self.windows.kmer_ids()
    }

    /// Model input `w` as ids: `[CLS] .. [SEP]`.
    #[wasm_bindgen(js_name = inputIds)]
    pub fn input_ids(&self, w: usize) -> Result<Vec<u32>, JsError> {
        if w >= self.windows.count() {
            return Err(JsError::new(&format!("input {w} does not exist")));
        }
        Ok(self.windows.input(w).to_vec())
    }

    /// Each token's NPMI rank in `table` (1 = most collocated; 65535 for [UNK]).
    pub fn ranks(&self, table: &WebNpmiTable) -> Result<Vec<u16>, JsError> {
        table.table.expect_k(self.windows.k()).map_err(js_err)?;
        Ok(self.windows.ranks(table.table.rank_table()))
    }
}
