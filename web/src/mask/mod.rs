//! Bindings of core's mask stage (`mask`, `rank`): core's masker on single model inputs, as
//! a trainer uses it, and the page's lanes ([`lanes`]: one strategy's choices over every
//! input of a sequence, laid end to end and summed). docs/algorithms.md §3.

pub mod lanes;

use crate::convert::{to_js, whole};
use crate::error::js_err;
use crate::input::TokenizedSequence;
use crate::npmi::WebNpmiTable;
use cmgems_core::mask::{MaskConfig, MaskStats, Masker, Strategy};
use cmgems_core::npmi::rank::RankLookup;
use cmgems_core::rng::SeededRng;
use wasm_bindgen::prelude::*;

fn strategy_of(name: &str) -> Result<Strategy, JsError> {
    name.parse().map_err(js_err)
}

fn lookup_of(name: &str) -> Result<RankLookup, JsError> {
    name.parse().map_err(js_err)
}

/// The lanes of one view: one strategy each, every model input masked with the same seed.
#[wasm_bindgen]
pub struct LaneSet {
    lanes: Vec<lanes::Lane>,
}

/// Masks `seq` with each strategy in `strategies` (`["random", "genemask", "global",
/// "randommask", ..]`, repeats allowed) under `rank_lookup` (`"kmer"` as described,
/// `"position"` as the authors coded it), input w drawing from `SeededRng::derive(seed, w)`.
/// `widening` is RandomMask's bound ([`crate::schedule::randommask_widening`] at the page's
/// step; `undefined`: 0, random span's spans).
#[wasm_bindgen(js_name = maskLanes)]
pub fn mask_lanes(
    seq: &TokenizedSequence,
    table: &WebNpmiTable,
    strategies: JsValue,
    seed: f64,
    rank_lookup: &str,
    widening: Option<u32>,
) -> Result<LaneSet, JsError> {
    let names: Vec<String> = serde_wasm_bindgen::from_value(strategies).map_err(js_err)?;
    let strategies = names
        .iter()
        .map(|n| strategy_of(n))
        .collect::<Result<Vec<_>, _>>()?;
    table.table.expect_k(seq.windows.k()).map_err(js_err)?;
    let settings = lanes::LaneSettings {
        seed: whole("seed", seed)?,
        rank_lookup: lookup_of(rank_lookup)?,
        widening: widening.unwrap_or(0) as usize,
    };
    // Equal strategies give equal lanes (same seed): each is computed once.
    let lanes = lanes::lanes(
        &seq.windows,
        table.table.rank_table(),
        &strategies,
        settings,
    )
    .map_err(js_err)?;
    Ok(LaneSet { lanes })
}

#[wasm_bindgen]
impl LaneSet {
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.lanes.len()
    }

    /// Per-token flags of lane i: 1 masked, 2 centre, 4 whole k-mer here, 8 inside a
    /// whole-k-mer span.
    pub fn flags(&self, i: usize) -> Result<Vec<u8>, JsError> {
        self.lanes
            .get(i)
            .map(|l| l.flags.clone())
            .ok_or_else(|| JsError::new(&format!("lane {i} does not exist")))
    }

    /// `[{strategy, maskable, masked, masked_share, spans, centres, whole_kmers,
    /// mean_rank_masked, mean_rank_all, mean_rank_whole_kmers, top1_tokens, top1_masked,
    /// top1_hidden_share}]`.
    pub fn stats(&self) -> Result<JsValue, JsError> {
        let s: Vec<&lanes::LaneStats> = self.lanes.iter().map(|l| &l.stats).collect();
        to_js(&s)
    }
}

/// Core's masker for single model inputs, as a trainer uses it (selection and the 80/10/10
/// corruption).
#[wasm_bindgen(js_name = Masker)]
pub struct WebMasker {
    masker: Masker,
}

/// One corrupted input.
#[wasm_bindgen]
pub struct MaskedInput {
    ids: Vec<u32>,
    labels: Vec<i32>,
    stats: MaskStats,
}

#[wasm_bindgen]
impl MaskedInput {
    /// The corrupted input ids.
    pub fn ids(&self) -> Vec<u32> {
        self.ids.clone()
    }

    /// Original id where chosen, -100 elsewhere.
    pub fn labels(&self) -> Vec<i32> {
        self.labels.clone()
    }

    /// `{sequences, maskable, masked, replaced_by_mask, replaced_random, kept, centres, expanded}`.
    pub fn stats(&self) -> Result<JsValue, JsError> {
        to_js(&self.stats)
    }
}

#[wasm_bindgen(js_class = Masker)]
impl WebMasker {
    /// `config` is a (partial) core `MaskConfig`: `{k, random_span_p, genemask_p, global_p,
    /// global_count: "binomial" | {fixed: m}, rank_lookup: "kmer" | "position", random_ids}`;
    /// `undefined` for the defaults at the table's k (docs/algorithms.md §3).
    #[wasm_bindgen(constructor)]
    pub fn new(table: &WebNpmiTable, config: JsValue) -> Result<WebMasker, JsError> {
        let config: MaskConfig = if config.is_undefined() || config.is_null() {
            MaskConfig::for_k(table.table.k())
        } else {
            serde_wasm_bindgen::from_value(config).map_err(js_err)?
        };
        let masker = Masker::new(table.table.rank_table().clone(), config).map_err(js_err)?;
        Ok(WebMasker { masker })
    }

    /// Chosen positions of one input (1 = chosen), drawing from `SeededRng::new(seed)`.
    pub fn select(&mut self, strategy: &str, ids: &[u32], seed: f64) -> Result<Vec<u8>, JsError> {
        let strategy = strategy_of(strategy)?;
        let mut rng = SeededRng::new(whole("seed", seed)?);
        let sel = self.masker.select(strategy, ids, &mut rng);
        Ok(sel.masked.iter().map(|&m| m as u8).collect())
    }

    /// Chooses and corrupts one input, drawing from `SeededRng::new(seed)`.
    pub fn mask(&mut self, strategy: &str, ids: &[u32], seed: f64) -> Result<MaskedInput, JsError> {
        let strategy = strategy_of(strategy)?;
        let mut rng = SeededRng::new(whole("seed", seed)?);
        let mut out = vec![0u32; ids.len()];
        let mut labels = vec![0i32; ids.len()];
        let stats = self
            .masker
            .mask(strategy, ids, &mut rng, &mut out, &mut labels);
        Ok(MaskedInput {
            ids: out,
            labels,
            stats,
        })
    }
}
