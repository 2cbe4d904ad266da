//! Bindings of core's npmi stage (`npmi`, `counts`, `rank`, `table_io`): the page's NPMI
//! table, whether built in, uploaded or counted from a dropped FASTA
//! (docs/algorithms.md §2).

use crate::convert::{k_of, to_js, whole};
use crate::error::js_err;
use cmgems_core::input::synthetic::{generate, SyntheticConfig};
use cmgems_core::input::FastaCounter;
use cmgems_core::npmi::table_io;
use cmgems_core::npmi::{NpmiTable, DEFAULT_MIN_COUNT};
use cmgems_core::tokenize::kmer::Kmer;
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// An NPMI table: the built-in synthetic one, an uploaded JSON or authors' CSV, or counted.
#[wasm_bindgen(js_name = NpmiTable)]
pub struct WebNpmiTable {
    pub(crate) table: NpmiTable,
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

    /// Spearman's rank correlation with another table of the same k (core's eval statistic,
    /// offered on the table as the page compares two tables).
    pub fn spearman(&self, other: &WebNpmiTable) -> Result<f64, JsError> {
        cmgems_core::eval::stats::spearman(self.table.rank_table(), other.table.rank_table())
            .map_err(js_err)
    }
}

/// What a `TableBuilder` says when used after `finish`.
const FINISHED: &str = "this TableBuilder has already finished";

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
        self.counter.as_mut().ok_or_else(|| JsError::new(FINISHED))
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
        let counter = self.counter.take().ok_or_else(|| JsError::new(FINISHED))?;
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
