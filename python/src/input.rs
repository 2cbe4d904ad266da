//! `cmgems.GenomePieces` and `cmgems.build_genome`: core's `input::genome` (piece i of epoch
//! e is a pure function of (seed, e, i)) over cmgems-native's memory-mapped `.2bit` store,
//! and the store's streaming builder. The Python `GenomeDataset` (cmgems/genome.py) is the
//! torch Dataset around `GenomePieces`.
//!
//! The mapping is shared through the page cache by every process that opens the store (ranks,
//! DataLoader workers); what a `GenomePieces` holds besides is the index, one count per
//! block and its piece table (six bytes a piece, ~50 MB for hg38, shared with forked
//! workers), which makes finding a piece a lookup. Decoding and tokenizing run with the GIL
//! released.

use crate::error::{core, native, value};
use cmgems_core::input::genome::{GenomePieces, GenomeSamplerConfig, HeldOutRegion, Split};
use cmgems_core::tokenize::tokenizer::MAX_MODEL_LEN;
use cmgems_core::{Piece, Tokenizer, K};
use cmgems_native::genome::{build_store, Genome};
use numpy::PyArray1;
use pyo3::exceptions::PyIndexError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

/// The pieces of one split of a `.2bit` genome store: `len()` per epoch, piece `index` of
/// `epoch` by `piece`/`input_ids`. Settings left as None take core's defaults (DNABERT's
/// lengths: 5..510 tokens, half at full length; no N in a piece; 65,536-nt blocks).
#[pyclass(name = "GenomePieces", module = "cmgems", frozen)]
pub struct PyGenomePieces {
    genome: Genome,
    pieces: GenomePieces,
    split: Split,
    tokenizer: Tokenizer,
}

#[pymethods]
impl PyGenomePieces {
    #[new]
    #[pyo3(signature = (path, seed = 0, *, split = "train", k = 6, min_tokens = None,
        max_tokens = None, full_length_prob = None, max_n_share = None, block_len = None,
        held_out = Vec::new(), held_out_block_share = None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        path: PathBuf,
        seed: u64,
        split: &str,
        k: usize,
        min_tokens: Option<usize>,
        max_tokens: Option<usize>,
        full_length_prob: Option<f64>,
        max_n_share: Option<f64>,
        block_len: Option<u64>,
        held_out: Vec<String>,
        held_out_block_share: Option<f64>,
    ) -> PyResult<Self> {
        let d = GenomeSamplerConfig::default();
        let config = GenomeSamplerConfig {
            k: K::new(k).map_err(core)?,
            min_tokens: min_tokens.unwrap_or(d.min_tokens),
            max_tokens: max_tokens.unwrap_or(d.max_tokens),
            full_length_prob: full_length_prob.unwrap_or(d.full_length_prob),
            seed,
            max_n_share: max_n_share.unwrap_or(d.max_n_share),
            block_len: block_len.unwrap_or(d.block_len),
            held_out_block_share: held_out_block_share.unwrap_or(d.held_out_block_share),
        };
        let split = split_named(split)?;
        let regions = held_out
            .iter()
            .map(|r| HeldOutRegion::parse(r))
            .collect::<Result<Vec<_>, _>>()
            .map_err(core)?;
        let tokenizer = Tokenizer::new(config.k, MAX_MODEL_LEN, false).map_err(core)?;
        // Opening maps the file and reads the index; counting cuts every segment once,
        // listing the pieces as it goes.
        let (genome, pieces) = py
            .detach(|| {
                let genome = Genome::open(&path)?;
                // Random access (a shuffling sampler) is the dataset's pattern.
                let pieces = genome.listed_pieces(&regions, config)?;
                Ok((genome, pieces))
            })
            .map_err(native)?;
        Ok(PyGenomePieces {
            genome,
            pieces,
            split,
            tokenizer,
        })
    }

    /// Pieces per epoch in this split.
    fn __len__(&self) -> usize {
        self.pieces.len(self.split) as usize
    }

    /// Piece `index` of `epoch` (a negative one counts from the end; else `IndexError`):
    /// `(record name, start, tokens)`, its nucleotides being
    /// `start .. start + tokens + k - 1` of the record (0-based).
    fn piece(&self, epoch: u64, index: i64) -> PyResult<(String, u64, usize)> {
        let index = item_index(index, self.pieces.len(self.split))?;
        let p = self.find(epoch, index)?;
        let name = self.genome.layouts()[p.record].name.clone();
        Ok((name, p.start as u64, p.tokens))
    }

    /// The ids of piece `index` of `epoch`: `[CLS]`, its k-mers' ids (`[UNK]` for a k-mer
    /// touching an N), `[SEP]`; int64. The GIL is released while it is decoded.
    fn input_ids<'py>(
        &self,
        py: Python<'py>,
        epoch: u64,
        index: u64,
    ) -> PyResult<Bound<'py, PyArray1<i64>>> {
        let ids = py.detach(|| self.ids(epoch, index))?;
        Ok(PyArray1::from_vec(py, ids))
    }

    /// `input_ids` of each of `indices` of `epoch`, in one call (one GIL release).
    fn input_ids_many<'py>(
        &self,
        py: Python<'py>,
        epoch: u64,
        indices: Vec<u64>,
    ) -> PyResult<Vec<Bound<'py, PyArray1<i64>>>> {
        let (flat, ends) = py.detach(|| self.ids_many(epoch, &indices))?;
        let mut start = 0;
        let arrays = ends.into_iter().map(|end| {
            let ids = PyArray1::from_slice(py, &flat[start..end]);
            start = end;
            ids
        });
        Ok(arrays.collect())
    }

    /// A batch of dataset items in one call (`GenomeDataset.__getitems__`): for each of
    /// `indices` (a negative one counts from the end), the dict `{keys[0]: input_ids,
    /// keys[1]: index, keys[2]: epoch}`. Built here rather than in Python, where a
    /// per-item index check and dict took as long as reading the piece.
    fn items<'py>(
        &self,
        py: Python<'py>,
        epoch: u64,
        indices: Vec<i64>,
        keys: (
            Bound<'py, PyString>,
            Bound<'py, PyString>,
            Bound<'py, PyString>,
        ),
    ) -> PyResult<Vec<Bound<'py, PyDict>>> {
        let n = self.pieces.len(self.split);
        let indices = indices
            .into_iter()
            .map(|i| item_index(i, n))
            .collect::<PyResult<Vec<u64>>>()?;
        let (flat, ends) = py.detach(|| self.ids_many(epoch, &indices))?;
        let mut start = 0;
        let mut items = Vec::with_capacity(indices.len());
        for (index, end) in indices.into_iter().zip(ends) {
            let item = PyDict::new(py);
            item.set_item(&keys.0, PyArray1::from_slice(py, &flat[start..end]))?;
            item.set_item(&keys.1, index)?;
            item.set_item(&keys.2, epoch)?;
            items.push(item);
            start = end;
        }
        Ok(items)
    }

    /// The store's path.
    #[getter]
    fn path(&self) -> PathBuf {
        self.genome.path().to_path_buf()
    }

    /// The records' names, in file order.
    #[getter]
    fn records(&self) -> Vec<String> {
        self.genome
            .layouts()
            .iter()
            .map(|r| r.name.clone())
            .collect()
    }

    /// Nucleotides in the store.
    #[getter]
    fn nucleotides(&self) -> u64 {
        self.genome.len()
    }

    /// "train" or "held_out".
    #[getter]
    fn split(&self) -> &'static str {
        match self.split {
            Split::Train => "train",
            Split::HeldOut => "held_out",
        }
    }
}

impl PyGenomePieces {
    fn find(&self, epoch: u64, index: u64) -> PyResult<Piece> {
        self.pieces.piece(self.split, epoch, index).map_err(core)
    }

    /// Decodes and tokenizes one piece, as `train pretrain` does over a store.
    fn ids(&self, epoch: u64, index: u64) -> PyResult<Vec<i64>> {
        Ok(self.ids_many(epoch, &[index])?.0)
    }

    /// The ids of each of `indices`, one after another, and where each ends: two
    /// allocations a batch (sized for the longest pieces, so never grown) rather than three
    /// a piece (reading a piece costs a few µs). All pieces are found before any is read:
    /// the lookups are independent, so their cache misses in a genome-sized piece table
    /// overlap instead of queueing behind each piece's decoding.
    fn ids_many(&self, epoch: u64, indices: &[u64]) -> PyResult<(Vec<i64>, Vec<usize>)> {
        let (mut letters, mut ids) = (Vec::new(), Vec::<i64>::new());
        let most = indices.len() * self.tokenizer.max_len();
        let (mut flat, mut ends) = (Vec::with_capacity(most), Vec::with_capacity(indices.len()));
        for &index in indices {
            let piece = self.find(epoch, index)?;
            self.genome
                .piece_ids(&piece, &self.tokenizer, &mut letters, &mut ids)
                .map_err(native)?;
            flat.extend_from_slice(&ids);
            ends.push(flat.len());
        }
        Ok((flat, ends))
    }
}

/// Item `index` of a dataset of `n` (Python's rule: negative counts from the end), or an
/// `IndexError`.
fn item_index(index: i64, n: u64) -> PyResult<u64> {
    let i = if index < 0 {
        i128::from(index) + i128::from(n)
    } else {
        i128::from(index)
    };
    u64::try_from(i).ok().filter(|&i| i < n).ok_or_else(|| {
        PyIndexError::new_err(format!("piece {index} of a GenomeDataset of {n} pieces"))
    })
}

fn split_named(name: &str) -> PyResult<Split> {
    match name.to_ascii_lowercase().replace('-', "_").as_str() {
        "train" => Ok(Split::Train),
        "held_out" => Ok(Split::HeldOut),
        _ => Err(value(format!(
            "split must be 'train' or 'held_out', not {name:?}"
        ))),
    }
}

/// Builds the `.2bit` store `out` from FASTA files (gzipped or not), streaming, as
/// `train genome` does; returns what it stored (records, nucleotides, N, soft-masked and
/// ambiguous letters, warnings). Written atomically: a failed build leaves nothing.
#[pyfunction]
pub fn build_genome<'py>(
    py: Python<'py>,
    fasta_paths: Vec<PathBuf>,
    out: PathBuf,
) -> PyResult<Bound<'py, PyDict>> {
    if fasta_paths.is_empty() {
        return Err(value("build_genome needs at least one FASTA file"));
    }
    let progress = Arc::new(AtomicU64::new(0));
    let s = py
        .detach(|| build_store(&fasta_paths, &out, progress))
        .map_err(native)?;
    let d = PyDict::new(py);
    d.set_item("records", s.records)?;
    d.set_item("nucleotides", s.nucleotides)?;
    d.set_item("n", s.n)?;
    d.set_item("masked", s.masked)?;
    d.set_item("ambiguous", s.ambiguous)?;
    d.set_item("warnings", s.warnings)?;
    Ok(d)
}
