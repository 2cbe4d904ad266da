//! Browser bindings over `cmgems-core`: what the inspector page (www/) calls from its Web
//! Worker.
//!
//! The layer is thin on purpose: tokenizing, tables, masking and curricula are core's;
//! here are only the conversions to JavaScript (typed arrays for per-token vectors,
//! serde-wasm-bindgen for small structured results, `JsError` with a readable message for
//! every failure) and the page's input checks ([`input`]), model-input tiling ([`windows`]),
//! per-lane flags and sums ([`lanes`]) and chunked FASTA counting ([`counting`]).
//!
//! JavaScript numbers carry seeds and steps (`f64`, checked to be whole and below 2^53)
//! so the page never has to build a BigInt.

pub mod examples;
pub mod lanes;

use cmgems_core::input::synthetic::{generate, SyntheticConfig};
use cmgems_core::input::{self, FastaCounter, WindowSpec, Windows};
use cmgems_core::mask::{MaskConfig, MaskStats, Masker, Strategy};
use cmgems_core::npmi::rank::RankLookup;
use cmgems_core::npmi::{NpmiTable, DEFAULT_MIN_COUNT};
use cmgems_core::rng::SeededRng;
use cmgems_core::schedule::curriculum::{Curriculum, CurriculumConfig};
use cmgems_core::tokenize::kmer::{Kmer, K};
use cmgems_core::tokenize::vocab::Vocab;
use cmgems_core::{eval::metrics, npmi::table_io};
use serde::Serialize;
use wasm_bindgen::prelude::*;

fn js_err(e: impl core::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    // Maps as plain objects (the page reads `stats.masked_share`), `None` as `null`.
    let ser = serde_wasm_bindgen::Serializer::new()
        .serialize_maps_as_objects(true)
        .serialize_missing_as_null(true);
    value.serialize(&ser).map_err(js_err)
}

fn k_of(k: usize) -> Result<K, JsError> {
    K::new(k).map_err(js_err)
}

/// A whole number that JavaScript holds exactly.
fn whole(name: &str, x: f64) -> Result<u64, JsError> {
    if x.is_finite() && x >= 0.0 && x.fract() == 0.0 && x <= 9_007_199_254_740_991.0 {
        Ok(x as u64)
    } else {
        Err(JsError::new(&format!(
            "{name} must be a whole number from 0 to 2^53 - 1, got {x}"
        )))
    }
}

fn strategy_of(name: &str) -> Result<Strategy, JsError> {
    name.parse().map_err(js_err)
}

fn lookup_of(name: &str) -> Result<RankLookup, JsError> {
    name.parse().map_err(js_err)
}

/// Version of this crate, shown in the page footer.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").into()
}

/// k-mer tokens per model input (510).
#[wasm_bindgen(js_name = windowTokens)]
pub fn window_tokens() -> usize {
    WindowSpec::MAX_LENGTH
}

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

/// One sequence cut into model inputs.
#[wasm_bindgen]
pub struct TokenizedSequence {
    name: String,
    seq: Vec<u8>,
    windows: Windows,
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

/// An NPMI table: the built-in synthetic one, an uploaded JSON or authors' CSV, or counted.
#[wasm_bindgen(js_name = NpmiTable)]
pub struct WebNpmiTable {
    table: NpmiTable,
}

#[derive(Serialize)]
struct TopRow {
    kmer: String,
    rank: u16,
    npmi: Option<f64>,
    pmi: Option<f64>,
    count: Option<u64>,
}

#[wasm_bindgen(js_class = NpmiTable)]
impl WebNpmiTable {
    /// A table in cmgems' JSON format (`table_io::to_json`).
    #[wasm_bindgen(js_name = fromJson)]
    pub fn from_json(text: &str) -> Result<WebNpmiTable, JsError> {
        let table = table_io::from_json(text).map_err(js_err)?;
        Ok(WebNpmiTable { table })
    }

    /// The GeneMask authors' ranking CSV.
    #[wasm_bindgen(js_name = fromGenemaskCsv)]
    pub fn from_genemask_csv(text: &str) -> Result<WebNpmiTable, JsError> {
        let table = table_io::from_genemask_csv(text).map_err(js_err)?;
        Ok(WebNpmiTable { table })
    }

    /// The built-in default: counted on core's SYNTHETIC corpus (default config: 100
    /// records of 10 kb, seed 42), minimum count 101. Not from a real genome.
    pub fn synthetic(k: usize) -> Result<WebNpmiTable, JsError> {
        let k = k_of(k)?;
        let config = SyntheticConfig::default();
        let mut counts = cmgems_core::NgramCounts::new(k);
        for record in generate(&config) {
            counts.count_record(&record);
        }
        let table = NpmiTable::from_counts(&counts, DEFAULT_MIN_COUNT)
            .map_err(js_err)?
            .with_source(format!(
                "SYNTHETIC corpus from cmgems-core ({} records x {} nt, seed {}), not a real genome",
                config.records, config.record_len, config.seed
            ));
        Ok(WebNpmiTable { table })
    }

    #[wasm_bindgen(js_name = toJson)]
    pub fn to_json(&self) -> String {
        table_io::to_json(&self.table)
    }

    #[wasm_bindgen(getter)]
    pub fn k(&self) -> usize {
        self.table.k().get()
    }

    #[wasm_bindgen(getter)]
    pub fn source(&self) -> Option<String> {
        self.table.source().map(String::from)
    }

    /// k-mers that reach the minimum count (the rest share the last ranks).
    #[wasm_bindgen(getter)]
    pub fn scored(&self) -> usize {
        self.table.scored()
    }

    #[wasm_bindgen(getter, js_name = minCount)]
    pub fn min_count(&self) -> f64 {
        self.table.min_count() as f64
    }

    /// The n best rows: `[{kmer, rank, npmi, pmi, count}]`.
    pub fn top(&self, n: usize) -> Result<JsValue, JsError> {
        let rows: Vec<TopRow> = self
            .table
            .rows_by_rank()
            .take(n)
            .map(|r| TopRow {
                kmer: r.kmer.to_string(),
                rank: r.rank,
                npmi: r.score.npmi,
                pmi: r.score.pmi,
                count: r.score.count,
            })
            .collect();
        to_js(&rows)
    }

    /// Ranks indexed by k-mer code (DNABERT order, A=0 T=1 C=2 G=3).
    #[wasm_bindgen(js_name = ranksByCode)]
    pub fn ranks_by_code(&self) -> Vec<u16> {
        self.table.rank_table().ranks_by_code().to_vec()
    }

    /// The rank of one k-mer, e.g. `rankOf("CCTCCC")`.
    #[wasm_bindgen(js_name = rankOf)]
    pub fn rank_of(&self, kmer: &str) -> Result<u16, JsError> {
        let kmer = Kmer::parse(self.table.k(), kmer).map_err(js_err)?;
        Ok(self.table.rank_table().rank(kmer))
    }

    /// Spearman's rank correlation with another table of the same k.
    pub fn spearman(&self, other: &WebNpmiTable) -> Result<f64, JsError> {
        cmgems_core::eval::stats::spearman(self.table.rank_table(), other.table.rank_table())
            .map_err(js_err)
    }
}

/// Counts a FASTA file fed in chunks (from a Web Worker) and scores it into a table.
#[wasm_bindgen]
pub struct TableBuilder {
    counter: Option<FastaCounter>,
}

#[wasm_bindgen]
impl TableBuilder {
    #[wasm_bindgen(constructor)]
    pub fn new(k: usize) -> Result<TableBuilder, JsError> {
        Ok(TableBuilder {
            counter: Some(FastaCounter::new(k_of(k)?)),
        })
    }

    fn counter(&mut self) -> Result<&mut FastaCounter, JsError> {
        self.counter
            .as_mut()
            .ok_or_else(|| JsError::new("this TableBuilder has already finished"))
    }

    /// Feeds the next bytes of the file (FASTA, or one raw sequence).
    pub fn push(&mut self, bytes: &[u8]) -> Result<(), JsError> {
        self.counter()?.push(bytes);
        Ok(())
    }

    /// Letters read so far.
    pub fn letters(&mut self) -> Result<f64, JsError> {
        Ok(self.counter()?.letters() as f64)
    }

    /// Records seen so far.
    pub fn records(&mut self) -> Result<usize, JsError> {
        Ok(self.counter()?.records())
    }

    /// Scores the counts (minimum count c, 101 in the papers).
    pub fn finish(&mut self, min_count: f64, source: &str) -> Result<WebNpmiTable, JsError> {
        let min_count = whole("min_count", min_count)?;
        let counter = self
            .counter
            .take()
            .ok_or_else(|| JsError::new("this TableBuilder has already finished"))?;
        let counts = counter.finish();
        if counts.total(1) == 0 {
            return Err(JsError::new(
                "the file holds no A/C/G/T nucleotides to count",
            ));
        }
        let table = NpmiTable::from_counts(&counts, min_count)
            .map_err(js_err)?
            .with_source(source);
        Ok(WebNpmiTable { table })
    }
}

/// The lanes of one view: one strategy each, every model input masked with the same seed.
#[wasm_bindgen]
pub struct LaneSet {
    lanes: Vec<lanes::Lane>,
}

/// Masks `seq` with each strategy in `strategies` (`["random", "genemask", "global", ..]`,
/// repeats allowed) under `rank_lookup` (`"kmer"` as described, `"position"` as the
/// authors coded it), input w drawing from `SeededRng::derive(seed, w)`.
#[wasm_bindgen(js_name = maskLanes)]
pub fn mask_lanes(
    seq: &TokenizedSequence,
    table: &WebNpmiTable,
    strategies: JsValue,
    seed: f64,
    rank_lookup: &str,
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
    /// `undefined` for the defaults (docs/algorithms.md §3) at the table's k.
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

#[derive(Serialize)]
struct CmStepDraw {
    step: u64,
    max_steps: u64,
    p_global: f64,
    strategy: Strategy,
    /// GLOBAL draws among steps 0..=step.
    global_draws: u64,
}

/// CM-Step replayed with core's curriculum from `SeededRng::new(seed)`, one draw per step
/// from step 0: `{step, max_steps, p_global, strategy, global_draws}` at `step`.
#[wasm_bindgen(js_name = cmStepDraw)]
pub fn cm_step_draw(max_steps: f64, step: f64, seed: f64) -> Result<JsValue, JsError> {
    let max_steps = whole("max_steps", max_steps)?;
    let step = whole("step", step)?;
    if step > 100_000_000 {
        return Err(JsError::new(
            "step: replaying more than 10^8 draws is not offered",
        ));
    }
    let mut c = Curriculum::new(CurriculumConfig::CmStep { max_steps }).map_err(js_err)?;
    let mut rng = SeededRng::new(whole("seed", seed)?);
    let mut strategy = Strategy::RandomSpan;
    let mut global_draws = 0;
    for s in 0..=step {
        strategy = c.strategy_for_step(s, &mut rng);
        global_draws += (strategy == Strategy::Global) as u64;
    }
    to_js(&CmStepDraw {
        step,
        max_steps,
        p_global: c.p_global(step).unwrap_or(0.0),
        strategy,
        global_draws,
    })
}

/// CM-Step's p_global at each of `steps` (for the schedule plot).
#[wasm_bindgen(js_name = cmStepPGlobal)]
pub fn cm_step_p_global(max_steps: f64, steps: &[f64]) -> Result<Vec<f64>, JsError> {
    let c = Curriculum::new(CurriculumConfig::CmStep {
        max_steps: whole("max_steps", max_steps)?,
    })
    .map_err(js_err)?;
    steps
        .iter()
        .map(|&s| Ok(c.p_global(whole("step", s)?).unwrap_or(0.0)))
        .collect()
}

/// CM-GEMS replayed on held-out perplexities (in step order): the switch
/// `{step, previous, current}` or `null` if it never switches.
#[wasm_bindgen(js_name = cmGemsSwitch)]
pub fn cm_gems_switch(
    steps: &[f64],
    perplexities: &[f64],
    threshold: &str,
    patience: u32,
) -> Result<JsValue, JsError> {
    if steps.len() != perplexities.len() {
        return Err(JsError::new(&format!(
            "{} steps but {} perplexities",
            steps.len(),
            perplexities.len()
        )));
    }
    let threshold = threshold.parse().map_err(js_err)?;
    let mut c = Curriculum::new(CurriculumConfig::CmGems {
        threshold,
        patience,
    })
    .map_err(js_err)?;
    for (&s, &p) in steps.iter().zip(perplexities) {
        c.observe_perplexity(whole("step", s)?, p);
    }
    to_js(&c.switch_event())
}

/// Core's classification metrics: `{accuracy, mcc, precision, recall, f1, auc}`.
/// `probs` is row-major with `columns` values per example, or empty for no AUC.
#[wasm_bindgen(js_name = classificationReport)]
pub fn classification_report(
    y_true: &[u32],
    y_pred: &[u32],
    n_classes: usize,
    probs: &[f64],
    columns: usize,
) -> Result<JsValue, JsError> {
    let t: Vec<usize> = y_true.iter().map(|&y| y as usize).collect();
    let p: Vec<usize> = y_pred.iter().map(|&y| y as usize).collect();
    let probs = (!probs.is_empty()).then_some((probs, columns));
    to_js(&metrics::classification_report(&t, &p, probs, n_classes).map_err(js_err)?)
}
