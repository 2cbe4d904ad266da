//! `cmgems.NpmiTable`: core's NPMI table; counting and file formats from cmgems-native.

use crate::error::{core, native, value};
use cmgems_core::npmi::NpmiTable;
use cmgems_core::{npmi::table_io, K};
use cmgems_native::npmi_job::{table_from_files, CountConfig};
use cmgems_native::tables::{load_table, save_table};
use pyo3::prelude::*;
use std::path::PathBuf;

/// NPMI scores and ranks of every k-mer: what GeneMask, GLOBAL and the curricula rank by.
#[pyclass(name = "NpmiTable", module = "cmgems", frozen)]
#[derive(Clone)]
pub struct PyNpmiTable {
    pub inner: NpmiTable,
}

#[pymethods]
impl PyNpmiTable {
    /// Counts n-grams of FASTA/FASTQ files (gzip too) in parallel and scores them; k-mers
    /// seen fewer than `min_count` times are unscored and ranked last.
    #[staticmethod]
    #[pyo3(signature = (fasta_paths, min_count = cmgems_core::DEFAULT_MIN_COUNT, k = 6, threads = None))]
    fn count(
        py: Python<'_>,
        fasta_paths: Vec<PathBuf>,
        min_count: u64,
        k: usize,
        threads: Option<usize>,
    ) -> PyResult<Self> {
        if fasta_paths.is_empty() {
            return Err(value("count needs at least one FASTA file"));
        }
        let config = CountConfig {
            files: fasta_paths,
            k: K::new(k).map_err(core)?,
        };
        // A pool per call, not rayon's global one: a pool started before a fork (DataLoader
        // workers) has no threads in the child and would hang there.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads.unwrap_or(0))
            .build()
            .map_err(|e| value(format!("cannot start counting threads: {e}")))?;
        let table =
            py.detach(|| pool.install(|| table_from_files(&config, min_count, &mut |_| {})));
        Ok(PyNpmiTable {
            inner: table.map_err(native)?,
        })
    }

    /// Reads the GeneMask authors' ranking CSV.
    #[staticmethod]
    fn from_genemask_csv(path: PathBuf) -> PyResult<Self> {
        let text = std::fs::read_to_string(&path).map_err(|e| {
            pyo3::exceptions::PyOSError::new_err(format!("{}: {e}", path.display()))
        })?;
        let inner = table_io::from_genemask_csv(&text)
            .map_err(|e| value(format!("{}: {e}", path.display())))?;
        Ok(PyNpmiTable { inner })
    }

    /// Reads a table: the JSON `train npmi` writes, or the authors' CSV (by extension).
    #[staticmethod]
    fn load(path: PathBuf) -> PyResult<Self> {
        Ok(PyNpmiTable {
            inner: load_table(&path, None).map_err(native)?,
        })
    }

    /// Writes the table as `train npmi`'s JSON (atomically).
    fn save(&self, path: PathBuf) -> PyResult<()> {
        save_table(&self.inner, &path).map_err(native)
    }

    /// The JSON text of the table.
    fn to_json(&self) -> String {
        table_io::to_json(&self.inner)
    }

    /// A table from its JSON text.
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        Ok(PyNpmiTable {
            inner: table_io::from_json(text).map_err(core)?,
        })
    }

    /// The n best k-mers: `(kmer, rank, npmi)`, npmi None for unscored ones.
    fn top(&self, n: usize) -> Vec<(String, u16, Option<f64>)> {
        self.inner
            .top(n)
            .map(|(kmer, rank, npmi)| (kmer.to_string(), rank, npmi))
            .collect()
    }

    /// The k of the k-mers.
    #[getter]
    fn k(&self) -> usize {
        self.inner.k().get()
    }

    /// How many k-mers reached the minimum count.
    #[getter]
    fn scored(&self) -> usize {
        self.inner.scored()
    }

    /// The minimum count the table was scored with.
    #[getter]
    fn min_count(&self) -> u64 {
        self.inner.min_count()
    }

    /// Where the table came from, when known.
    #[getter]
    fn source(&self) -> Option<String> {
        self.inner.source().map(String::from)
    }

    fn __repr__(&self) -> String {
        format!(
            "NpmiTable(k={}, scored={}, min_count={})",
            self.k(),
            self.scored(),
            self.min_count()
        )
    }
}
